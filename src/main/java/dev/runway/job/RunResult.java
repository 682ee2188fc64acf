package dev.runway.job;

import dev.runway.run.RunMetrics;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of {@code train}, printed as one JSON line on stdout.
 *
 * @param status "committed" for a new run, "already-committed" when the run existed
 * @param job job name
 * @param runId run id
 * @param runUri fully qualified URI of the run directory
 * @param headline per split (validation, test): its scalar metrics, and under {@code intervals}
 *     the confidence and each metric's interval as [lower, upper]; with k-fold, under {@code
 *     cross_validation}, each metric's mean over the folds and its interval
 */
public record RunResult(
    String status, String job, String runId, String runUri, Map<String, Object> headline) {

  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
    m.put("job", job);
    m.put("run_id", runId);
    m.put("run_uri", runUri);
    m.put("metrics", headline);
    return m;
  }

  /**
   * The scalar metrics of each evaluated split, from a metrics.json map, with their intervals as
   * {@code "intervals": {"confidence": 0.95, "accuracy": [lower, upper], ...}} when it has them.
   */
  static Map<String, Object> headline(RunMetrics metrics) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("splits", metrics.splits());
    if (metrics.crossValidation() != null) {
      m.put("cross_validation", metrics.crossValidation());
    }
    return headline(m);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> headline(Map<String, Object> metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    Object splits = metrics.get("splits");
    if (splits instanceof Map<?, ?> bySplit) {
      for (String name : new String[] {"validation", "test"}) {
        Object split = bySplit.get(name);
        if (split instanceof Map<?, ?> values) {
          Map<String, Object> scalars = new LinkedHashMap<>();
          ((Map<String, Object>) values).forEach((k, v) -> {
            if (v instanceof Number) {
              scalars.put(k, v);
            }
          });
          Map<String, Object> intervals = new LinkedHashMap<>();
          intervals(values).forEach((metric, bounds) -> {
            if (metric.equals("confidence") || scalars.containsKey(metric)) {
              intervals.put(metric, bounds);
            }
          });
          if (!intervals.isEmpty()) {
            scalars.put("intervals", intervals);
          }
          out.put(name, scalars);
        }
      }
    }
    // k-fold: each metric's mean over the folds, with its interval.
    if (metrics.get("cross_validation") instanceof Map<?, ?> cv
        && cv.get("summary") instanceof Map<?, ?> summary) {
      Map<String, Object> folds = new LinkedHashMap<>();
      summary.forEach((metric, spread) -> {
        if (spread instanceof Map<?, ?> m && m.get("mean") instanceof Number mean) {
          folds.put(
              (String) metric,
              Map.of("mean", mean, "interval", List.of(m.get("lower"), m.get("upper"))));
        }
      });
      out.put("cross_validation", folds);
    }
    return out;
  }

  /** {confidence, metric: [lower, upper]...} from a split's metrics.json entry; empty without. */
  private static Map<String, Object> intervals(Map<?, ?> split) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (split.get("intervals") instanceof Map<?, ?> intervals) {
      intervals.forEach((k, v) -> {
        if (k.equals("confidence") && v instanceof Number) {
          out.put("confidence", v);
        } else if (v instanceof Map<?, ?> interval
            && interval.get("lower") instanceof Number lower
            && interval.get("upper") instanceof Number upper) {
          out.put((String) k, List.of(lower, upper));
        }
      });
    }
    return out;
  }

  /**
   * One split's metrics for the progress output, each with its interval, e.g. {@code 10000 rows;
   * accuracy 0.8740 [0.8674, 0.8803], log_loss 0.3512 [0.3381, 0.3650] (95% intervals)}.
   */
  static String describe(Object splitMetrics) {
    if (!(splitMetrics instanceof Map<?, ?> split)) {
      return "none";
    }
    Map<String, Object> intervals = intervals(split);
    List<String> parts = new ArrayList<>();
    String rows = "";
    for (Map.Entry<?, ?> e : split.entrySet()) {
      if (e.getKey().equals("rows")) {
        rows = e.getValue() + " rows";
      } else if (e.getValue() instanceof Number value) {
        String part = e.getKey() + " " + fmt(value.doubleValue());
        if (intervals.get(e.getKey()) instanceof List<?> bounds) {
          part += " [" + fmt(((Number) bounds.get(0)).doubleValue()) + ", "
              + fmt(((Number) bounds.get(1)).doubleValue()) + "]";
        }
        parts.add(part);
      }
    }
    String text = rows + (parts.isEmpty() ? "" : "; " + String.join(", ", parts));
    if (intervals.get("confidence") instanceof Number confidence) {
      text += " ("
          + new BigDecimal(confidence.toString())
              .movePointRight(2)
              .stripTrailingZeros()
              .toPlainString()
          + "% intervals)";
    }
    return text;
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
