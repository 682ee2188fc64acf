package dev.runway.features;

import static org.apache.spark.sql.functions.col;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.data.CsvColumns;
import dev.runway.error.DataException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
   * What one pass over the training split saw of the feature columns, for {@link #checkValues}.
   *
   * @param distinct per categorical column, its distinct non-null values counted exactly, or
   *     {@link #UNCOUNTED} when there were more than the pass could count ({@code countedUpTo})
   * @param countedUpTo the most distinct values a column's exact count goes up to
   * @param infinite per numeric column, its infinite values
   */
  public record Seen(Map<String, Long> distinct, long countedUpTo, Map<String, Long> infinite) {
    public static final long UNCOUNTED = -1;
  }

  /**
   * Fails (exit code 3) on a categorical column with more distinct values than {@code
   * features.max-categories} or a numeric column with infinite values, from what a pass over
   * {@code train} already saw; a categorical column with more values than that pass counted, when
   * the limit is higher still, is counted approximately here.
   */
  public static void checkValues(Dataset<Row> train, FeatureSettings f, Seen seen) {
    List<String> problems = new ArrayList<>();
    List<String> approximate = new ArrayList<>();
    for (String c : f.categorical()) {
      long distinct = seen.distinct().get(c);
      if (distinct == Seen.UNCOUNTED && seen.countedUpTo() < f.maxCategories()) {
        approximate.add(c);
      } else if (distinct == Seen.UNCOUNTED) {
        problems.add(tooMany(c, "more than " + seen.countedUpTo(), f));
      } else if (distinct > f.maxCategories()) {
        problems.add(tooMany(c, String.valueOf(distinct), f));
      }
    }
    if (!approximate.isEmpty()) {
      Row row = train
          .agg(
              distinctValues(approximate.get(0)),
              approximate.stream().skip(1).map(c -> distinctValues(c)).toArray(Column[]::new))
          .first();
      for (int i = 0; i < approximate.size(); i++) {
        if (row.getLong(i) > f.maxCategories()) {
          problems.add(tooMany(approximate.get(i), "about " + row.getLong(i), f));
        }
      }
    }
    for (String c : f.numeric()) {
      long infinite = seen.infinite().get(c);
      if (infinite > 0) {
        problems.add("Column '" + c + "' (features.numeric) has " + infinite
            + " infinite values in the training split: filter or cap them in features.sql");
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join(System.lineSeparator(), problems));
    }
  }

  private static Column distinctValues(String column) {
    return functions.approx_count_distinct(col(column), 0.05);
  }

  private static String tooMany(String column, String distinct, FeatureSettings f) {
    return "Column '" + column + "' (features.categorical) has " + distinct
        + " distinct values, more than features.max-categories = " + f.maxCategories()
        + ": list it in features.hashed.columns instead";
  }
}
