package dev.runway.run;

import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import dev.runway.features.Target;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;

/**
 * The prediction columns outputs show, from a model's internal ones: {@code prediction} (the class
 * name as in training, or the value) and for classifiers {@code probability_<class>} per class,
 * in class order.
 */
public final class NamedPredictions {
  public static final String PREDICTION_COLUMN = "prediction";
  public static final String PROBABILITY_PREFIX = "probability_";

  private NamedPredictions() {}

  /** The columns, to select next to whatever the output keeps. */
  public static List<Column> columns(Target target) {
    List<Column> out = new ArrayList<>();
    if (!target.classification()) {
      out.add(col(PREDICTION).as(PREDICTION_COLUMN));
      return out;
    }
    Column classes = array(target.classes().stream().map(c -> lit(c)).toArray(Column[]::new));
    out.add(element_at(classes, col(PREDICTION).cast("int").plus(1)).as(PREDICTION_COLUMN));
    Column probabilities = functions.vector_to_array(col(PROBABILITY), "float64");
    List<String> names = probabilityColumns(target);
    for (int i = 0; i < names.size(); i++) {
      out.add(element_at(probabilities, i + 1).as(names.get(i)));
    }
    return out;
  }

  /**
   * {@code probability_<class>} per class, the class name made safe for any file format (other
   * characters than letters, digits, '_', '-' and '.' become '_'; a clash gets a numeric suffix).
   */
  public static List<String> probabilityColumns(Target target) {
    Set<String> names = new LinkedHashSet<>();
    for (String c : target.classes()) {
      String base = PROBABILITY_PREFIX + c.replaceAll("[^A-Za-z0-9_.-]", "_");
      String name = base;
      for (int n = 2; names.contains(name); n++) {
        name = base + "_" + n;
      }
      names.add(name);
    }
    return List.copyOf(names);
  }
}
