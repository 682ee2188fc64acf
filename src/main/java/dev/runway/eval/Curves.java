package dev.runway.eval;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.runway.features.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The curves behind a split's metrics, for the run's report: for a binary classifier the ROC and
 * precision–recall curves at {@value #THRESHOLDS} score thresholds and a reliability
 * (calibration) table; for a multi-class one the reliability of its top-class confidence; for a
 * regression a seeded sample of (predicted, residual) points. One aggregation each, on Spark; only
 * the few hundred numbers reach the driver.
 */
public final class Curves {
  /** Thresholds of the binary curves: scores are binned into this many equal-width bins. */
  static final int THRESHOLDS = 100;

  static final int CALIBRATION_BINS = 10;
  static final int RESIDUAL_POINTS = 400;

  private Curves() {}

  /** The curves of {@code predictions} (with label, prediction and, for a classifier, probability). */
  public static Map<String, Object> of(Dataset<Row> predictions, Target target, long seed) {
    if (!target.classification()) {
      return Map.of("residuals", residuals(predictions, seed));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    Column probabilities = functions.vector_to_array(col(PROBABILITY), "float64");
    if (target.binary()) {
      Column score = probabilities.getItem(1);
      out.putAll(binary(predictions, score));
      out.put("calibration", calibration(predictions, score, col(LABEL).equalTo(1.0)));
    } else {
      out.put(
          "calibration",
          calibration(predictions, array_max(probabilities), col(LABEL).equalTo(col(PREDICTION))));
    }
    return out;
  }

  /** ROC and precision–recall points, from the highest threshold down. */
  static Map<String, Object> binary(Dataset<Row> predictions, Column score) {
    Column bin = least(floor(score.multiply(THRESHOLDS)), lit(THRESHOLDS - 1)).cast("int");
    long[] positives = new long[THRESHOLDS];
    long[] negatives = new long[THRESHOLDS];
    for (Row r : predictions
        .groupBy(bin.as("bin"))
        .agg(
            sum(when(col(LABEL).equalTo(1.0), 1).otherwise(0)).as("p"),
            sum(when(col(LABEL).equalTo(1.0), 0).otherwise(1)).as("n"))
        .collectAsList()) {
      int b = Math.max(0, r.getInt(0));
      positives[b] += r.getLong(1);
      negatives[b] += r.getLong(2);
    }
    long allPositive = 0;
    long allNegative = 0;
    for (int b = 0; b < THRESHOLDS; b++) {
      allPositive += positives[b];
      allNegative += negatives[b];
    }
    List<List<Double>> roc = new ArrayList<>();
    List<List<Double>> pr = new ArrayList<>();
    long tp = 0;
    long fp = 0;
    roc.add(List.of(0.0, 0.0));
    for (int b = THRESHOLDS - 1; b >= 0; b--) {
      tp += positives[b];
      fp += negatives[b];
      double tpr = allPositive == 0 ? 0 : (double) tp / allPositive;
      double fpr = allNegative == 0 ? 0 : (double) fp / allNegative;
      roc.add(List.of(fpr, tpr));
      if (tp + fp > 0) {
        pr.add(List.of(tpr, (double) tp / (tp + fp)));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("roc", roc);
    out.put("roc_is", "[false positive rate, true positive rate] per threshold, highest first");
    out.put("pr", pr);
    out.put("pr_is", "[recall, precision] per threshold, highest first");
    return out;
  }

  /** Area under a curve of [x, y] points by the trapezoid rule (the binned ROC's AUC). */
  public static double area(List<List<Double>> points) {
    double a = 0;
    for (int i = 1; i < points.size(); i++) {
      double dx = points.get(i).get(0) - points.get(i - 1).get(0);
      a += dx * (points.get(i).get(1) + points.get(i - 1).get(1)) / 2;
    }
    return a;
  }

  /** Per bin of {@code score}: rows, mean score, and the share where {@code hit} holds. */
  static List<Map<String, Object>> calibration(Dataset<Row> predictions, Column score, Column hit) {
    Column bin = greatest(
            lit(0), least(floor(score.multiply(CALIBRATION_BINS)), lit(CALIBRATION_BINS - 1)))
        .cast("int");
    List<Map<String, Object>> out = new ArrayList<>();
    for (Row r : predictions
        .groupBy(bin.as("bin"))
        .agg(count(lit(1)), avg(score), avg(when(hit, 1.0).otherwise(0.0)))
        .orderBy("bin")
        .collectAsList()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("bin", r.getInt(0));
      m.put("rows", r.getLong(1));
      m.put("mean_predicted", r.getDouble(2));
      m.put("observed", r.getDouble(3));
      out.add(m);
    }
    return out;
  }

  /** Up to {@value #RESIDUAL_POINTS} seeded sample points of [predicted, label - predicted]. */
  static List<List<Double>> residuals(Dataset<Row> predictions, long seed) {
    long rows = predictions.count();
    if (rows == 0) {
      return List.of();
    }
    double fraction = Math.min(1.0, 2.0 * RESIDUAL_POINTS / rows);
    List<List<Double>> out = new ArrayList<>();
    for (Row r : predictions
        .sample(false, fraction, seed)
        .select(col(PREDICTION), col(LABEL).minus(col(PREDICTION)))
        .limit(RESIDUAL_POINTS)
        .collectAsList()) {
      out.add(List.of(r.getDouble(0), r.getDouble(1)));
    }
    return out;
  }
}
