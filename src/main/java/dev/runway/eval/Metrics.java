package dev.runway.eval;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static dev.runway.features.Columns.RAW;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.variance;

import dev.runway.config.JobSettings.EvaluateSettings;
import dev.runway.features.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Metrics of one split's predictions. Classification: accuracy, weighted F1 and the confusion
 * matrix (from one aggregation), log loss, and AUC for two classes. Regression: RMSE, MAE and R²
 * (one aggregation). Callers cache the predictions: each metric family is one Spark job.
 *
 * <p>With {@link EvaluateSettings}, each metric also gets an interval under {@code intervals}
 * (see {@link MetricIntervals}); the metrics themselves are the same either way, computed over
 * every row by Spark.
 */
public final class Metrics {
  private Metrics() {}

  /** Metrics for the target's task; an empty split gives {"rows": 0}. */
  public static Map<String, Object> of(Dataset<Row> predictions, Target target) {
    return target.classification() ? classification(predictions, target) : regression(predictions);
  }

  /**
   * Metrics as {@link #of(Dataset, Target)}, plus {@code intervals}: confidence, one interval per
   * headline metric, and how the bootstrap ran. {@code seed} seeds the bootstrap.
   */
  public static Map<String, Object> of(
      Dataset<Row> predictions, Target target, EvaluateSettings evaluate, long seed) {
    Map<String, Object> m = of(predictions, target);
    if ((long) m.get("rows") > 0) {
      m.put("intervals", MetricIntervals.of(m, predictions, target, evaluate, seed));
    }
    return m;
  }

  /**
   * Metrics as {@link #of(Dataset, Target, EvaluateSettings, long)}, plus {@code curves} ({@link
   * Curves}: ROC, precision-recall, reliability, residuals) when there are rows: what training
   * records for its test split and {@code evaluate} for its rows, so the two compare key by key.
   */
  public static Map<String, Object> withCurves(
      Dataset<Row> predictions, Target target, EvaluateSettings evaluate, long seed) {
    Map<String, Object> m = of(predictions, target, evaluate, seed);
    long rows = (long) m.get("rows");
    if (rows > 0) {
      m.put("curves", Curves.of(predictions, target, rows, seed));
    }
    return m;
  }

  /** Rows on the diagonal of a classification's confusion matrix, from its metrics. */
  @SuppressWarnings("unchecked")
  static long correct(Map<String, Object> classification) {
    List<List<Long>> counts = (List<List<Long>>)
        ((Map<String, Object>) classification.get("confusion_matrix")).get("counts");
    long correct = 0;
    for (int i = 0; i < counts.size(); i++) {
      correct += counts.get(i).get(i);
    }
    return correct;
  }

  static Map<String, Object> classification(Dataset<Row> predictions, Target target) {
    int k = target.classes().size();
    long[][] confusion = new long[k][k];
    long rows = 0;
    for (Row r :
        predictions.groupBy(col(LABEL), col(PREDICTION)).agg(count(lit(1))).collectAsList()) {
      confusion[(int) r.getDouble(0)][(int) r.getDouble(1)] += r.getLong(2);
      rows += r.getLong(2);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rows", rows);
    if (rows == 0) {
      return m;
    }
    m.put("accuracy", accuracy(confusion));
    m.put("weighted_f1", weightedF1(confusion));
    m.put("log_loss", logLoss(predictions));
    if (target.binary()) {
      m.put(
          "auc",
          new BinaryClassificationEvaluator()
              .setMetricName("areaUnderROC")
              .setLabelCol(LABEL)
              .setRawPredictionCol(RAW)
              .evaluate(predictions));
    }
    List<List<Long>> matrix = new ArrayList<>();
    for (long[] row : confusion) {
      List<Long> list = new ArrayList<>();
      for (long v : row) {
        list.add(v);
      }
      matrix.add(list);
    }
    Map<String, Object> cm = new LinkedHashMap<>();
    cm.put("classes", target.classes());
    cm.put("rows_are", "true class");
    cm.put("columns_are", "predicted class");
    cm.put("counts", matrix);
    m.put("confusion_matrix", cm);
    return m;
  }

  /** Mean log loss of the true class's probability (Spark's, with its clipping). */
  public static double logLoss(Dataset<Row> predictions) {
    return new MulticlassClassificationEvaluator()
        .setMetricName("logLoss")
        .setLabelCol(LABEL)
        .setPredictionCol(PREDICTION)
        .setProbabilityCol(PROBABILITY)
        .evaluate(predictions);
  }

  /** Share of rows on the diagonal. */
  static double accuracy(long[][] confusion) {
    long correct = 0;
    long total = 0;
    for (int i = 0; i < confusion.length; i++) {
      for (int j = 0; j < confusion.length; j++) {
        total += confusion[i][j];
        if (i == j) {
          correct += confusion[i][j];
        }
      }
    }
    return total == 0 ? Double.NaN : (double) correct / total;
  }

  /** F1 per class weighted by the class's true count (Spark's weightedFMeasure). */
  static double weightedF1(long[][] confusion) {
    int k = confusion.length;
    long total = 0;
    double sum = 0;
    for (int c = 0; c < k; c++) {
      long tp = confusion[c][c];
      long actual = 0;
      long predicted = 0;
      for (int j = 0; j < k; j++) {
        actual += confusion[c][j];
        predicted += confusion[j][c];
      }
      total += actual;
      double f1 = tp == 0 ? 0.0 : 2.0 * tp / (actual + predicted);
      sum += f1 * actual;
    }
    return total == 0 ? Double.NaN : sum / total;
  }

  /** RMSE, MAE and R² (one aggregation); an empty split gives {"rows": 0}. */
  public static Map<String, Object> regression(Dataset<Row> predictions) {
    Row r = predictions
        .agg(
            count(lit(1)),
            sqrt(avg(pow(col(PREDICTION).minus(col(LABEL)), 2))),
            avg(abs(col(PREDICTION).minus(col(LABEL)))),
            avg(pow(col(PREDICTION).minus(col(LABEL)), 2)),
            variance(col(LABEL)))
        .first();
    Map<String, Object> m = new LinkedHashMap<>();
    long rows = r.getLong(0);
    m.put("rows", rows);
    if (rows == 0) {
      return m;
    }
    m.put("rmse", r.getDouble(1));
    m.put("mae", r.getDouble(2));
    // R² = 1 - SSE/SST; variance() is the sample variance, so rescale it to the population one.
    double mse = r.getDouble(3);
    double populationVariance = r.isNullAt(4) ? 0.0 : r.getDouble(4) * (rows - 1) / rows;
    m.put("r2", populationVariance == 0.0 ? null : 1.0 - mse / populationVariance);
    return m;
  }
}
