package dev.runway.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.runway.config.JobSettings.SplitSettings;
import dev.runway.error.JobConfigException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;

/**
 * Assigns every row of the training table to train, validation or test.
 *
 * <p>The random method does not use {@code randomSplit}: that depends on partitioning and row
 * order, so a job would split differently on a cluster than on a laptop. Instead each row is
 * placed by a seeded hash of its own values, which gives the same split wherever it runs (and
 * keeps exact duplicate rows together, so they cannot leak from train into test).
 */
public final class Splitter {
  /** Column holding "train", "validation" or "test". */
  public static final String SPLIT = "_split";

  public static final List<String> NAMES = List.of("train", "validation", "test");

  private static final long BUCKETS = 1_000_000L;

  private Splitter() {}

  /** The table with a {@link #SPLIT} column added. */
  public static Dataset<Row> assign(Dataset<Row> table, SplitSettings s) {
    Column split = s.method().equals("column") ? byColumn(table, s) : byHash(table, s);
    return table.withColumn(SPLIT, split);
  }

  /** The rows of one split, without the split column. */
  public static Dataset<Row> part(Dataset<Row> assigned, String name) {
    return assigned.filter(col(SPLIT).equalTo(name)).drop(SPLIT);
  }

  private static Column byHash(Dataset<Row> table, SplitSettings s) {
    List<Column> hashed = new ArrayList<>();
    hashed.add(lit(s.seed()));
    for (StructField field : table.schema().fields()) {
      if (hashable(field.dataType())) {
        hashed.add(col("`" + field.name().replace("`", "``") + "`"));
      }
    }
    if (hashed.size() == 1) {
      throw new JobConfigException("Cannot split randomly: the training table has no column of a"
          + " simple type (number, string, date) to hash; use split.method = column");
    }
    Column u = functions.pmod(functions.xxhash64(hashed.toArray(Column[]::new)), lit(BUCKETS))
        .divide((double) BUCKETS);
    return when(u.lt(s.train()), "train")
        .when(u.lt(s.train() + s.validation()), "validation")
        .otherwise("test");
  }

  private static boolean hashable(DataType type) {
    return type instanceof NumericType || type instanceof StringType || type instanceof BooleanType
        || type instanceof DateType || type instanceof TimestampType || type instanceof BinaryType;
  }

  private static Column byColumn(Dataset<Row> table, SplitSettings s) {
    if (!List.of(table.columns()).contains(s.column())) {
      throw new JobConfigException("Cannot split on column '" + s.column() + "' (split.column):"
          + " the training table has no such column (it has: " + String.join(", ", table.columns()) + ")");
    }
    DataType type = table.schema().apply(s.column()).dataType();
    Column c = col(s.column());
    Column testStart = cutPoint(table, s.column(), s.testStart(), type, "split.test-start");
    Column whenNotTest = s.validationStart().isBlank()
        ? lit("train")
        : when(c.lt(cutPoint(table, s.column(), s.validationStart(), type, "split.validation-start")), "train").otherwise("validation");
    // Rows whose split column is null cannot be placed in time: they go nowhere rather than
    // silently into training.
    return when(c.isNull(), lit(null)).when(c.geq(testStart), "test").otherwise(whenNotTest);
  }

  private static Column cutPoint(Dataset<Row> table, String column, String value, DataType type, String key) {
    Column literal = lit(value).cast(type);
    // A cut point that does not cast would compare as null and put every row in one split.
    if (table.sparkSession().range(1).select(literal).first().isNullAt(0)) {
      throw new JobConfigException("Cannot set " + key + " = \"" + value + "\": not a valid "
          + type.simpleString() + " for split column '" + column + "'");
    }
    return literal;
  }
}
