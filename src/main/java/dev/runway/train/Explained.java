package dev.runway.train;

import static dev.runway.features.Columns.FEATURES;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Option;

/**
 * What an MLlib model's summary says about its features, by feature name: the importances of a
 * tree ensemble, the coefficients of a linear model. Only the {@value #TOP} largest are kept, so
 * a run with 784 pixel features keeps a readable metrics.json; {@code features} says how many
 * there were.
 */
final class Explained {
  static final int TOP = 25;

  private Explained() {}

  /**
   * The names of the feature vector's positions, as the feature pipeline attached them; {@code
   * feature_<i>} where a vector carries no names (a model fitted outside the job).
   */
  static List<String> featureNames(Dataset<Row> train, int size) {
    AttributeGroup group = AttributeGroup.fromStructField(train.schema().apply(FEATURES));
    List<String> names = new ArrayList<>();
    Option<Attribute[]> attributes = group.attributes();
    for (int i = 0; i < size; i++) {
      Option<String> name = attributes.isDefined() && i < attributes.get().length
          ? attributes.get()[i].name()
          : Option.empty();
      names.add(name.isDefined() ? name.get() : "feature_" + i);
    }
    return names;
  }

  /** A tree ensemble's importances, largest first; features of no importance left out. */
  static List<Map<String, Object>> importances(Vector importances, List<String> names) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < importances.size(); i++) {
      if (importances.apply(i) > 0) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("feature", names.get(i));
        m.put("importance", importances.apply(i));
        out.add(m);
      }
    }
    return top(out, m -> (Double) m.get("importance"));
  }

  /** One coefficient per feature (binomial or linear regression), largest magnitude first. */
  static List<Map<String, Object>> coefficients(Vector coefficients, List<String> names) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < coefficients.size(); i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("feature", names.get(i));
      m.put("coefficient", coefficients.apply(i));
      out.add(m);
    }
    return top(out, m -> Math.abs((Double) m.get("coefficient")));
  }

  /**
   * A multinomial model's coefficients, one per class and feature: the features whose largest
   * coefficient (in magnitude, over the classes) is largest first.
   */
  static List<Map<String, Object>> coefficients(
      Matrix coefficients, List<String> names, List<String> classes) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int j = 0; j < coefficients.numCols(); j++) {
      Map<String, Object> byClass = new LinkedHashMap<>();
      double largest = 0;
      for (int k = 0; k < coefficients.numRows(); k++) {
        byClass.put(k < classes.size() ? classes.get(k) : "class_" + k, coefficients.apply(k, j));
        largest = Math.max(largest, Math.abs(coefficients.apply(k, j)));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("feature", names.get(j));
      m.put("largest", largest);
      m.put("by_class", byClass);
      out.add(m);
    }
    return top(out, m -> (Double) m.get("largest"));
  }

  /** A tree ensemble's summary: its size, and its importances by feature name. */
  static Map<String, Object> trees(int trees, int nodes, Vector importances, Dataset<Row> train) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trees", trees);
    m.put("nodes", nodes);
    m.put("features", importances.size());
    m.put("feature_importances", importances(importances, featureNames(train, importances.size())));
    return m;
  }

  private static List<Map<String, Object>> top(
      List<Map<String, Object>> rows, ToDoubleFunction<Map<String, Object>> by) {
    rows.sort(Comparator.comparingDouble(by).reversed());
    return new ArrayList<>(rows.subList(0, Math.min(TOP, rows.size())));
  }
}
