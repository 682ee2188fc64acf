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

  /**
   * The curves of {@code predictions} (with label, prediction and, for a classifier, probability),
   * which hold {@code rows} rows.
   */
  public static Map<String, Object> of(
      Dataset<Row> predictions, Target target, long rows, long seed) {
    if (!target.classification()) {
      return Map.of("residuals", residuals(predictions, rows, seed));
    }
    Column probabilities = functions.vector_to_array(col(PROBABILITY), "float64");
    if (target.binary()) {
      return binary(predictions, probabilities.getItem(1));
    }
    return Map.of(
        "calibration",
        calibration(predictions, array_max(probabilities), col(LABEL).equalTo(col(PREDICTION))));
  }

  /**
   * ROC and precision–recall points from the highest threshold down, and the reliability per
   * tenth of the score: one aggregation into {@value #THRESHOLDS} score bins, each a tenth's
   * tenth, so the calibration bins are sums of them.
   */
  static Map<String, Object> binary(Dataset<Row> predictions, Column score) {
    Column bin = least(floor(score.multiply(THRESHOLDS)), lit(THRESHOLDS - 1)).cast("int");
    Column positive = col(LABEL).equalTo(1.0);
    long[] positives = new long[THRESHOLDS];
    long[] negatives = new long[THRESHOLDS];
    double[] scores = new double[THRESHOLDS];
    for (Row r : predictions
        .groupBy(bin.as("bin"))
        .agg(
            sum(when(positive, 1L).otherwise(0L)),
            sum(when(positive, 0L).otherwise(1L)),
            sum(score))
        .collectAsList()) {
      int b = Math.max(0, r.getInt(0));
      positives[b] += r.getLong(1);
      negatives[b] += r.getLong(2);
      scores[b] += r.getDouble(3);
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
    int perTenth = THRESHOLDS / CALIBRATION_BINS;
    List<Map<String, Object>> calibration = new ArrayList<>();
    for (int tenth = 0; tenth < CALIBRATION_BINS; tenth++) {
      long hits = 0;
      long n = 0;
      double scoreSum = 0;
      for (int b = tenth * perTenth; b < (tenth + 1) * perTenth; b++) {
        hits += positives[b];
        n += positives[b] + negatives[b];
        scoreSum += scores[b];
      }
      if (n > 0) {
        calibration.add(calibrationBin(tenth, n, scoreSum / n, (double) hits / n));
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("roc", roc);
    out.put("roc_is", "[false positive rate, true positive rate] per threshold, highest first");
    out.put("pr", pr);
    out.put("pr_is", "[recall, precision] per threshold, highest first");
    out.put("calibration", calibration);
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

  /** Per tenth of {@code score}: rows, mean score, and the share where {@code hit} holds. */
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
      out.add(calibrationBin(r.getInt(0), r.getLong(1), r.getDouble(2), r.getDouble(3)));
    }
    return out;
  }

  private static Map<String, Object> calibrationBin(
      int bin, long rows, double meanPredicted, double observed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bin", bin);
    m.put("rows", rows);
    m.put("mean_predicted", meanPredicted);
    m.put("observed", observed);
    return m;
  }

  /** Up to {@value #RESIDUAL_POINTS} seeded sample points of [predicted, label - predicted]. */
  static List<List<Double>> residuals(Dataset<Row> predictions, long rows, long seed) {
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
