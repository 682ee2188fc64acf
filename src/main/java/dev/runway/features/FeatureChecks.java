package dev.runway.features;

import static org.apache.spark.sql.functions.col;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.data.CsvColumns;
import dev.runway.error.DataException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * Checks the training table against the job's feature settings before anything is fitted: the
 * columns it names exist and have types that can serve their role ({@link #checkColumns}), and
 * the training split holds values the pipeline can take ({@link #checkValues}). A failed check is
 * a data error (exit code 3) naming the key, the column and what to do.
 */
public final class FeatureChecks {

  private FeatureChecks() {}

  /**
   * Fails (exit code 3) on a label or feature column the table does not have, or whose type
   * cannot serve its role, naming the key, the column and what the table has.
   */
  public static void checkColumns(StructType schema, FeatureSettings f) {
    List<String> problems = new ArrayList<>();
    Set<String> names = Arrays.stream(schema.fieldNames()).collect(Collectors.toSet());
    String columns = String.join(", ", schema.fieldNames());
    checkPresent("features.label", List.of(f.label()), names, columns, problems);
    checkPresent("features.categorical", f.categorical(), names, columns, problems);
    checkPresent("features.numeric", f.numeric(), names, columns, problems);
    checkPresent("features.vectors", f.vectors(), names, columns, problems);
    checkPresent("features.hashed.columns", f.hashedColumns(), names, columns, problems);
    if (!problems.isEmpty()) {
      // The data does not have what the job names: a data error, whichever side the typo is on.
      throw new DataException(String.join(System.lineSeparator(), problems));
    }
    for (String c : f.numeric()) {
      DataType type = schema.apply(c).dataType();
      if (!(type instanceof NumericType) && !(type instanceof BooleanType)) {
        problems.add("Column '" + c + "' (features.numeric) is " + type.simpleString()
            + ", not a number: cast it in features.sql or list it in features.categorical"
            + CsvColumns.fix(schema.apply(c)).map(fix -> "; " + fix).orElse(""));
      }
    }
    for (String c : f.vectors()) {
      DataType type = schema.apply(c).dataType();
      boolean numericArray = type instanceof ArrayType a && a.elementType() instanceof NumericType;
      if (!numericArray && !type.equals(SQLDataTypes.VectorType())) {
        problems.add("Column '" + c + "' (features.vectors) is " + type.simpleString()
            + ", not a vector or an array of numbers");
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join(System.lineSeparator(), problems));
    }
  }

  private static void checkPresent(
      String key, List<String> wanted, Set<String> names, String columns, List<String> problems) {
    for (String c : wanted) {
      if (!names.contains(c)) {
        problems.add("Cannot use column '" + c + "' from " + key
            + ": the training table has no such column (it has: " + columns + ")");
      }
    }
  }

  /**
   * Checks the values of the training split in one pass, before anything is fitted: refuses a
   * categorical column with more than {@code features.max-categories} distinct values (indexing
   * it would collect every value to the driver and one-hot encode it into a vector as wide;
   * counted approximately, with HyperLogLog) and a numeric column holding infinite values (they
   * turn every model into NaN). NaN and null numbers are not refused: they are imputed.
   */
  public static void checkValues(Dataset<Row> train, FeatureSettings f) {
    List<Column> aggregates = new ArrayList<>();
    for (String c : f.categorical()) {
      aggregates.add(functions.approx_count_distinct(col(c), 0.05));
    }
    for (String c : f.numeric()) {
      Column infinite =
          functions.abs(col(c).cast(DataTypes.DoubleType)).equalTo(Double.POSITIVE_INFINITY);
      aggregates.add(functions.count(functions.when(infinite, 1)));
    }
    if (aggregates.isEmpty()) {
      return;
    }
    Row row = train
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
        .first();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < f.categorical().size(); i++) {
      long distinct = row.getLong(i);
      if (distinct > f.maxCategories()) {
        problems.add(
            "Column '" + f.categorical().get(i) + "' (features.categorical) has about " + distinct
                + " distinct values, more than features.max-categories = " + f.maxCategories()
                + ": list it in features.hashed.columns instead");
      }
    }
    for (int i = 0; i < f.numeric().size(); i++) {
      long infinite = row.getLong(f.categorical().size() + i);
      if (infinite > 0) {
        problems.add("Column '" + f.numeric().get(i) + "' (features.numeric) has " + infinite
            + " infinite values in the training split: filter or cap them in features.sql");
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join(System.lineSeparator(), problems));
    }
  }
}
