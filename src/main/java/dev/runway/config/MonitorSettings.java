package dev.runway.config;

/**
 * How a run's reference profile is made at training time ({@code profile}) and how {@code drift}
 * compares a new batch with it ({@code drift}); reference.conf documents each key.
 *
 * @param bins quantile bins per numeric column
 * @param topValues most frequent values kept per categorical column (the rest count as "other")
 * @param sampleRows rows sampled (uniformly, seeded) for the numeric bins' edges
 * @param falseAlarmRate Benjamini-Hochberg false-discovery rate over the columns compared: with no
 *     drift at all, the chance that a batch says retrain
 * @param minPsi effect-size floor: a column drifts only when its population stability index is at
 *     least this, however significant the difference
 */
public record MonitorSettings(
    int bins, int topValues, int sampleRows, double falseAlarmRate, double minPsi) {

  /** Reads {@code profile} and {@code drift}; problems are collected in {@code r}. */
  public static MonitorSettings read(ConfigReader r) {
    return new MonitorSettings(
        r.intIn("profile.bins", 2, 100),
        r.intIn("profile.top-values", 1, 1000),
        r.intIn("profile.sample-rows", 100, 10_000_000),
        r.doubleIn("drift.false-alarm-rate", 1e-6, 0.5),
        r.doubleIn("drift.min-psi", 0.0, 10.0));
  }
}
