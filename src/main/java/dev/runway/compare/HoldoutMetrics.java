package dev.runway.compare;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.when;

import dev.runway.config.CompareSettings.Metric;
import dev.runway.features.Target;
import java.util.EnumMap;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One run's metrics on the paired rows, exactly (no binning, no sampling): what the gate's floors
 * and the verdict's {@code metrics} report. One aggregation, plus one for AUC.
 */
final class HoldoutMetrics {
  private HoldoutMetrics() {}

  /**
   * @param side baseline or candidate: the prefix of the paired rows' columns
   */
  static Map<Metric, Double> of(Dataset<Row> pairs, Target target, String side) {
    Map<Metric, Double> out = new EnumMap<>(Metric.class);
    if (target.classification()) {
      Row r = pairs
          .agg(avg(when(col(side + "_correct"), 1.0).otherwise(0.0)), avg(col(side + "_log_loss")))
          .first();
      out.put(Metric.ACCURACY, value(r, 0));
      out.put(Metric.LOG_LOSS, value(r, 1));
      if (target.binary()) {
        out.put(Metric.AUC, auc(pairs, side));
      }
    } else {
      Row r = pairs
          .agg(
              sqrt(avg(col(side + "_error").multiply(col(side + "_error")))),
              avg(abs(col(side + "_error"))))
          .first();
      out.put(Metric.RMSE, value(r, 0));
      out.put(Metric.MAE, value(r, 1));
    }
    return out;
  }

  /** Exact area under the ROC curve of the positive class's probability (ties counted half). */
  private static double auc(Dataset<Row> pairs, String side) {
    Dataset<Row> scored = pairs.select(
        col(side + "_score").as("score"), col("positive").cast("double").as("positive"));
    if (scored.filter(col("positive").equalTo(1.0)).isEmpty()
        || scored.filter(col("positive").equalTo(0.0)).isEmpty()) {
      return Double.NaN;
    }
    return new BinaryClassificationEvaluator()
        .setRawPredictionCol("score")
        .setLabelCol("positive")
        .setMetricName("areaUnderROC")
        // 0: every distinct score a threshold (the default, 1000 bins, approximates the curve).
        .setNumBins(0)
        .evaluate(scored);
  }

  private static double value(Row r, int i) {
    return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
  }
}
