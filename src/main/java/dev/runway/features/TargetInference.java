package dev.runway.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.data.CsvColumns;
import dev.runway.error.DataException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;

/**
 * Finds the target: whether the label column asks for classification or regression, its classes,
 * and the label as the number a model is fitted on. Decided once, from the whole training table,
 * before anything is fitted.
 */
public final class TargetInference {

  /** More classes than this is almost certainly a mistaken label column. */
  static final int MAX_CLASSES = 10_000;

  private TargetInference() {}

  /**
   * Decides classification or regression and the classes, from the label column of the whole
   * table (so a class that happens to fall only in the test split still has an index). Runs two
   * small Spark jobs: a null count and a bounded distinct.
   */
  public static Target inspectTarget(Dataset<Row> table, FeatureSettings f) {
    Row counts = table.agg(count(lit(1)), count(col(f.label()))).first();
    return inspectTarget(table, f, counts.getLong(0), counts.getLong(1));
  }

  /**
   * {@link #inspectTarget(Dataset, FeatureSettings)} for a caller that counted the table's
   * {@code rows} and its non-null labels ({@code labelled}) already, in a pass of its own: one
   * small Spark job fewer (the distinct remains).
   */
  public static Target inspectTarget(
      Dataset<Row> table, FeatureSettings f, long rows, long labelled) {
    String label = f.label();
    DataType type = table.schema().apply(label).dataType();
    long nulls = rows - labelled;
    if (rows == 0) {
      throw new DataException(
          "The training table is empty: check source.path, source.filter and features.sql");
    }
    if (nulls > 0) {
      throw new DataException("Label column '" + label + "' has " + nulls + " null values of "
          + rows + " rows: drop them with source.filter = \"" + label + " IS NOT NULL\"");
    }
    boolean numeric = type instanceof NumericType;
    boolean classification = switch (f.task()) {
      case CLASSIFICATION -> true;
      case REGRESSION -> false;
      case AUTO ->
        !numeric
            || (isIntegral(type)
                && distinct(table, label, f.autoMaxClasses()).size() <= f.autoMaxClasses());
    };
    if (!classification) {
      if (!numeric) {
        throw new DataException("Label column '" + label + "' is " + type.simpleString()
            + ": regression needs a numeric label (features.task = regression)"
            + CsvColumns.fix(table.schema().apply(label)).map(fix -> "; " + fix).orElse(""));
      }
      long notFinite = table
          .filter(functions
              .isnan(col(label))
              .or(functions
                  .abs(col(label).cast(DataTypes.DoubleType))
                  .equalTo(Double.POSITIVE_INFINITY)))
          .count();
      if (notFinite > 0) {
        throw new DataException("Label column '" + label + "' has " + notFinite
            + " NaN or infinite values: a regression target must be finite");
      }
      return new Target(label, false, List.of(), false);
    }
    List<String> values = distinct(table, label, MAX_CLASSES);
    if (values.size() > MAX_CLASSES) {
      throw new DataException("Label column '" + label + "' has more than " + MAX_CLASSES
          + " distinct values: too many classes for classification (features.task)");
    }
    if (values.size() < 2) {
      throw new DataException("Label column '" + label + "' has a single value '" + values.get(0)
          + "' in all " + rows + " rows: there is nothing to learn");
    }
    if (isIntegral(type) && isZeroToK(values)) {
      List<String> classes = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        classes.add(Integer.toString(i));
      }
      return new Target(label, true, classes, false);
    }
    return new Target(label, true, values.stream().sorted().toList(), true);
  }

  private static boolean isIntegral(DataType type) {
    return type.equals(DataTypes.ByteType)
        || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.IntegerType)
        || type.equals(DataTypes.LongType);
  }

  private static boolean isZeroToK(List<String> values) {
    long max = values.stream().mapToLong(Long::parseLong).max().orElse(-1);
    long min = values.stream().mapToLong(Long::parseLong).min().orElse(-1);
    return min == 0 && max == values.size() - 1;
  }

  /** Up to limit + 1 distinct non-null values, as strings. */
  private static List<String> distinct(Dataset<Row> table, String label, int limit) {
    List<Row> rows = table
        .select(col(label).cast(DataTypes.StringType))
        .distinct()
        .limit(limit + 1)
        .collectAsList();
    return rows.stream().map(r -> r.getString(0)).toList();
  }

  /**
   * The label as a double column: the class index (position in {@link Target#classes()}) or the
   * regression target. Pure SQL, so it needs no fitted state beyond the target.
   */
  public static Column labelColumn(Target target) {
    if (target.classification() && target.indexed()) {
      Column classes =
          functions.array(target.classes().stream().map(functions::lit).toArray(Column[]::new));
      return functions
          .array_position(classes, col(target.column()).cast(DataTypes.StringType))
          .minus(1)
          .cast(DataTypes.DoubleType);
    }
    return col(target.column()).cast(DataTypes.DoubleType);
  }
}
