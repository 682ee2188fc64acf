package dev.runway.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How {@code compare} and {@code promote} test a candidate run against a baseline: the paired
 * bootstrap's settings and the promotion gate. Read from the candidate run's saved job file with
 * the command line's {@code --set} on top (reference.conf documents each key).
 *
 * @param resamples resamples of the paired bootstrap
 * @param confidence confidence level of its intervals
 * @param seed seed of the per-row resampling weights
 * @param gate when promote moves an alias
 */
public record CompareSettings(int resamples, double confidence, long seed, Gate gate) {

  /** The metrics a gate can test and floors can bound. */
  public enum Metric implements ConfigChoice {
    AUTO(true, true, true),
    ACCURACY(true, false, true),
    AUC(true, false, true),
    LOG_LOSS(true, false, false),
    RMSE(false, true, false),
    MAE(false, true, false);

    private final boolean classification;
    private final boolean regression;
    private final boolean higherIsBetter;

    Metric(boolean classification, boolean regression, boolean higherIsBetter) {
      this.classification = classification;
      this.regression = regression;
      this.higherIsBetter = higherIsBetter;
    }

    /** Whether the metric applies to a task. */
    public boolean appliesTo(boolean classificationTask) {
      return classificationTask ? classification : regression;
    }

    public boolean higherIsBetter() {
      return higherIsBetter;
    }

    /** The metric for a task: {@link #AUTO} becomes accuracy or RMSE. */
    public Metric forTask(boolean classificationTask) {
      if (this != AUTO) {
        return this;
      }
      return classificationTask ? ACCURACY : RMSE;
    }

    /** The metric's key in metrics.json and verdict.json: log_loss, not log-loss. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return configName();
    }
  }

  /**
   * @param metric the metric whose improvement is gated ({@link Metric#AUTO}: by task)
   * @param minDelta the lower end of the interval of the improvement must exceed it
   * @param alpha significance level of the paired test
   * @param floors absolute bounds the candidate must meet (at least for metrics where higher is
   *     better, at most otherwise)
   * @param leaseMillis how long an unfinished promotion blocks its alias
   */
  public record Gate(
      Metric metric, double minDelta, double alpha, Map<Metric, Double> floors, long leaseMillis) {}

  /** Reads {@code compare} and {@code gate}; problems are collected in {@code r}. */
  public static CompareSettings read(ConfigReader r) {
    Map<Metric, Double> floors = new LinkedHashMap<>();
    r.openMap("gate.floors").forEach((name, value) -> {
      String path = "gate.floors." + name;
      Metric metric = ConfigChoice.parse(Metric.class, name).orElse(null);
      if (metric == null || metric == Metric.AUTO) {
        r.problem(path, "not a metric a floor can bound: use accuracy, auc, log-loss, rmse or mae");
        return;
      }
      try {
        floors.put(metric, Double.parseDouble(value));
      } catch (NumberFormatException e) {
        r.problem(path, "expected a number");
      }
    });
    Gate gate = new Gate(
        r.choice("gate.metric", Metric.class),
        r.doubleIn("gate.min-delta", -1e9, 1e9),
        r.doubleIn("gate.alpha", 1e-12, 0.5),
        Map.copyOf(floors),
        r.millisIn("gate.lease", 1, 7L * 24 * 3600 * 1000));
    return new CompareSettings(
        r.intIn("compare.resamples", 100, 100_000),
        r.doubleIn("compare.confidence", 0.5, 0.999),
        r.longIn("compare.seed", Long.MIN_VALUE, Long.MAX_VALUE),
        gate);
  }
}
