package dev.runway.stats;

import java.util.Optional;

/**
 * One metric of two models on the same rows, and the paired bootstrap interval of their
 * difference.
 *
 * @param metric the metric's name: accuracy, log_loss, auc, rmse or mae
 * @param baseline the baseline's metric on all rows, unweighted (AUC exact, not binned)
 * @param candidate the candidate's metric on all rows
 * @param delta candidate − baseline
 * @param interval percentile interval of candidate − baseline over the resamples; empty when the
 *     difference was undefined in more than half of them (e.g. AUC with too few positives)
 * @param resamples resamples drawn
 * @param level the interval's confidence level, e.g. 0.95
 * @param seed seed of the Poisson weights
 * @param higherIsBetter whether a larger value is better (accuracy, AUC) or worse (log loss, RMSE,
 *     MAE): an improvement is delta above 0 or below 0 accordingly
 * @param binningError for AUC, the most the resampled AUCs (computed from score bins) can differ
 *     from exact ones on the same weights; 0 for every other metric
 */
public record MetricDelta(
    String metric,
    double baseline,
    double candidate,
    double delta,
    Optional<Interval> interval,
    int resamples,
    double level,
    long seed,
    boolean higherIsBetter,
    double binningError) {}
