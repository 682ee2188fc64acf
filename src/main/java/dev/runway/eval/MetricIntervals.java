package dev.runway.eval;

import dev.runway.config.JobSettings.EvaluateSettings;
import dev.runway.features.Target;
import dev.runway.stats.Bootstrap;
import dev.runway.stats.Interval;
import dev.runway.stats.Wilson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intervals of one split's headline metrics, as metrics.json holds them under
 * {@code intervals}: accuracy by Wilson from the confusion matrix (every row), the other metrics
 * by a seeded percentile bootstrap over the rows collected as {@link PredictionArrays}.
 */
final class MetricIntervals {
  private static final Logger LOG = LoggerFactory.getLogger(MetricIntervals.class);

  private MetricIntervals() {}

  /**
   * The {@code intervals} entry for split metrics {@code points} (from {@link Metrics}, rows > 0)
   * of {@code predictions}.
   */
  static Map<String, Object> of(
      Map<String, Object> points,
      Dataset<Row> predictions,
      Target target,
      EvaluateSettings settings,
      long seed) {
    long rows = (long) points.get("rows");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("confidence", settings.confidence());
    if (target.classification()) {
      out.put(
          "accuracy", json(Wilson.interval(Metrics.correct(points), rows, settings.confidence())));
    }
    if (settings.bootstrapReplicates() == 0) {
      return out;
    }
    long started = System.nanoTime();
    PredictionArrays a =
        PredictionArrays.collect(predictions, target, rows, settings.bootstrapMaxRows(), seed);
    long collected = System.nanoTime();
    if (a.size() == 0) {
      return out; // a sample of a huge split that kept no row: nothing to resample
    }
    List<String> names = new ArrayList<>();
    Bootstrap.Statistics statistics;
    if (target.classification()) {
      int classes = target.classes().size();
      double[] losses = WeightedMetrics.logLosses(a.trueClassProbability());
      names.addAll(List.of("weighted_f1", "log_loss"));
      if (target.binary()) {
        names.add("auc");
        int[] ascending = a.ascendingScore();
        statistics = counts -> new double[] {
          WeightedMetrics.weightedF1(a.label(), a.prediction(), classes, counts),
          WeightedMetrics.mean(losses, counts),
          WeightedMetrics.auc(a.label(), a.score(), ascending, counts)
        };
      } else {
        statistics = counts -> new double[] {
          WeightedMetrics.weightedF1(a.label(), a.prediction(), classes, counts),
          WeightedMetrics.mean(losses, counts)
        };
      }
    } else {
      names.addAll(List.of("rmse", "mae", "r2"));
      statistics = counts -> WeightedMetrics.regression(a.label(), a.prediction(), counts);
    }
    Bootstrap bootstrap =
        new Bootstrap(settings.bootstrapReplicates(), settings.confidence(), seed);
    List<Optional<Interval>> intervals = bootstrap.intervals(a.size(), statistics);
    double scale = Math.sqrt((double) a.size() / rows);
    double[] onSample = a.sampled() ? statistics.of(WeightedMetrics.ones(a.size())) : null;

    Map<String, Object> details = new LinkedHashMap<>();
    details.put("replicates", settings.bootstrapReplicates());
    details.put("seed", seed);
    details.put("rows", a.size());
    if (a.sampled()) {
      details.put("sampled_from", rows);
      details.put("half_width_scale", scale);
    }
    out.put("bootstrap", details);
    for (int s = 0; s < names.size(); s++) {
      Object point = points.get(names.get(s));
      if (intervals.get(s).isEmpty() || !(point instanceof Double p) || !Double.isFinite(p)) {
        continue; // undefined (R² of a constant label, AUC of one class): no interval either
      }
      Interval interval = intervals.get(s).get();
      // A sample's interval keeps its shape, narrowed to all rows and centred on their metric.
      out.put(
          names.get(s), json(a.sampled() ? interval.rescaled(onSample[s], p, scale) : interval));
    }
    LOG.info(
        "Intervals: {} bootstrap replicates of {} rows{} in {} s (collect {} s)",
        settings.bootstrapReplicates(),
        a.size(),
        a.sampled() ? " (sampled from " + rows + ")" : "",
        seconds(System.nanoTime() - started),
        seconds(collected - started));
    return out;
  }

  /** An interval as metrics.json holds it. */
  static Map<String, Object> json(Interval interval) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lower", interval.lower());
    m.put("upper", interval.upper());
    m.put("method", interval.method().label());
    if (interval.method() == Interval.Method.BOOTSTRAP) {
      m.put("replicates", interval.replicates());
    }
    return m;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e9);
  }
}
