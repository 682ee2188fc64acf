package dev.runway.features;

import static dev.runway.features.Columns.FOLD;
import static dev.runway.features.Columns.SPLIT;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.SplitSettings;
import dev.runway.config.JobSettings.SplitSettings.Method;
import dev.runway.error.JobConfigException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Assigns every row to train, validation or test, and for k-fold, non-test rows to folds.
 *
 * <p>The random method does not use {@code randomSplit}: that depends on partitioning and row
 * order, so a job would split differently on a cluster than on a laptop. Instead each row is
 * placed by a seeded hash of its own values, which gives the same split wherever it runs (and
 * keeps exact duplicate rows together, so they cannot leak from train into test).
 *
 * <p>The hash is taken of the <em>source</em> row, before the SQL statements: were it taken of
 * the training table, adding one derived column would move rows between splits, and two jobs
 * that differ only in their features would be scored on different holdouts. The statements then
 * run on each split's source rows apart (see {@link #trainingTable}).
 */
public final class Splitter {
  public static final List<String> NAMES = List.of("train", "validation", "test");

  private static final long BUCKETS = 1_000_000L;

  private Splitter() {}

  /**
   * The training table of {@code source} with its {@link Columns#SPLIT} column. The column method splits
   * the training table (its column may be computed by the SQL). The random and k-fold methods
   * place the source rows, then run the SQL statements on each split's rows on their own and
   * stack the results: for statements that work row by row that is the same table as one run
   * over all rows, and statements that aggregate can never mix test rows into training features.
   * The price is one scan of the source per split.
   */
  public static Dataset<Row> trainingTable(
      SparkSession spark, Dataset<Row> source, FeatureSettings f, SplitSettings s) {
    if (s.method() == Method.COLUMN) {
      return assign(SqlFeatures.build(spark, source, f), s);
    }
    Dataset<Row> placed = assign(source, s);
    if (f.sql().isEmpty()) {
      SqlFeatures.build(spark, source, f); // the source view, as every job has one
      return placed;
    }
    Dataset<Row> table = null;
    for (String name : NAMES) {
      Dataset<Row> part = SqlFeatures.build(
              spark, placed.filter(col(SPLIT).equalTo(name)).drop(SPLIT), f)
          .withColumn(SPLIT, lit(name));
      table = table == null ? part : table.unionByName(part);
    }
    return table;
  }

  /** {@code table} with a {@link Columns#SPLIT} column added, {@code table} taken as the source rows. */
  public static Dataset<Row> assign(Dataset<Row> table, SplitSettings s) {
    Column split = s.method() == Method.COLUMN ? byColumn(table, s) : byHash(table, s);
    return table.withColumn(SPLIT, split);
  }

  /**
   * {@code rows} with a {@link Columns#FOLD} column: each row's fold for repeat {@code repeat}. With a
   * {@code stratum} column (the label, for classification) every value's rows are ordered by a
   * seeded hash of the row and dealt round-robin, so each fold holds its share of every class to
   * within one row; without one, the hash alone picks the fold.
   */
  public static Dataset<Row> folds(
      Dataset<Row> rows, String stratum, int folds, long seed, int repeat) {
    Column h = rowHash(rows, seed * 1_000_003L + repeat, List.of());
    if (stratum == null) {
      return rows.withColumn(FOLD, functions.pmod(h, lit(folds)).cast("int"));
    }
    WindowSpec byClass = Window.partitionBy(col(stratum)).orderBy(h);
    // The window shuffles into spark.sql.shuffle.partitions pieces (200 by default): back to the
    // rows' own partitioning, or every training job over the folds runs 200 mostly empty tasks.
    return rows.withColumn(
            FOLD,
            functions
                .pmod(functions.row_number().over(byClass).minus(1), lit(folds))
                .cast("int"))
        .coalesce(Math.max(1, rows.javaRDD().getNumPartitions()));
  }

  /** The rows of one split, without the split column. */
  public static Dataset<Row> part(Dataset<Row> assigned, String name) {
    return assigned.filter(col(SPLIT).equalTo(name)).drop(SPLIT);
  }

  private static Column byHash(Dataset<Row> table, SplitSettings s) {
    List<String> key = List.of();
    if (!s.key().isBlank()) {
      if (!List.of(table.columns()).contains(s.key())) {
        throw new JobConfigException(
            "Cannot split on split.key '" + s.key() + "': the source has no such column"
                + " (it has: " + String.join(", ", table.columns()) + ")");
      }
      key = List.of(s.key());
    }
    Column u = functions.pmod(rowHash(table, s.seed(), key), lit(BUCKETS)).divide((double) BUCKETS);
    if (s.kFold()) {
      // The validation share joins the rows dealt into folds: each fold validates in turn.
      return when(u.lt(s.train() + s.validation()), "train").otherwise("test");
    }
    return when(u.lt(s.train()), "train")
        .when(u.lt(s.train() + s.validation()), "validation")
        .otherwise("test");
  }

  /** A seeded 64-bit hash of the {@code only} columns, or of every column of a simple type. */
  private static Column rowHash(Dataset<Row> table, long seed, List<String> only) {
    List<Column> hashed = new ArrayList<>();
    hashed.add(lit(seed));
    for (StructField field : table.schema().fields()) {
      boolean wanted = only.isEmpty()
          ? hashable(field.dataType()) && !field.name().equals(FOLD)
          : only.contains(field.name());
      if (wanted) {
        hashed.add(col(Columns.quote(field.name())));
      }
    }
    if (hashed.size() == 1) {
      throw new JobConfigException("Cannot split randomly: the source has no column of a"
          + " simple type (number, string, date) to hash; use split.method = column");
    }
    return functions.xxhash64(hashed.toArray(Column[]::new));
  }

  private static boolean hashable(DataType type) {
    return type instanceof NumericType
        || type instanceof StringType
        || type instanceof BooleanType
        || type instanceof DateType
        || type instanceof TimestampType
        || type instanceof BinaryType;
  }

  private static Column byColumn(Dataset<Row> table, SplitSettings s) {
    if (!List.of(table.columns()).contains(s.column())) {
      throw new JobConfigException("Cannot split on column '" + s.column() + "' (split.column):"
          + " the training table has no such column (it has: " + String.join(", ", table.columns())
          + ")");
    }
    DataType type = table.schema().apply(s.column()).dataType();
    Column c = col(s.column());
    Column testStart = cutPoint(table, s.column(), s.testStart(), type, "split.test-start");
    Column whenNotTest = s.validationStart().isBlank()
        ? lit("train")
        : when(
                c.lt(cutPoint(
                    table, s.column(), s.validationStart(), type, "split.validation-start")),
                "train")
            .otherwise("validation");
    // Rows whose split column is null cannot be placed in time: they go nowhere rather than
    // silently into training.
    return when(c.isNull(), lit(null)).when(c.geq(testStart), "test").otherwise(whenNotTest);
  }

  private static Column cutPoint(
      Dataset<Row> table, String column, String value, DataType type, String key) {
    Column literal = lit(value).cast(type);
    // A cut point that does not cast would compare as null and put every row in one split. Cast
    // over a one-row local relation: Spark folds it on the driver, with the session's own cast
    // rules (time zone, ANSI mode), and runs no job (a range here cost two at every start).
    SparkSession spark = table.sparkSession();
    Dataset<Row> one = spark.createDataFrame(
        List.of(RowFactory.create(0)), new StructType().add("one", DataTypes.IntegerType));
    if (one.select(literal).first().isNullAt(0)) {
      throw new JobConfigException("Cannot set " + key + " = \"" + value + "\": not a valid "
          + type.simpleString() + " for split column '" + column + "'");
    }
    return literal;
  }
}
