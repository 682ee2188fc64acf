/**
 * Statistics: pure functions, arrays or Datasets in and numbers out, with no I/O. Each is checked
 * against a library or a textbook value, and each interval's coverage is shown by seeded
 * simulation, in its own tests.
 *
 * <ul>
 *   <li>{@link dev.runway.stats.Interval}: a confidence interval and the method that made it;
 *   <li>{@link dev.runway.stats.Wilson}: the Wilson score interval of a proportion;
 *   <li>{@link dev.runway.stats.Bootstrap}: seeded percentile bootstrap intervals of statistics of
 *       weighted rows;
 *   <li>{@link dev.runway.stats.Normal}: the standard normal distribution and its quantiles;
 *   <li>{@link dev.runway.stats.McNemar}: the exact McNemar test of two classifiers on the same
 *       rows, from the discordant counts;
 *   <li>{@link dev.runway.stats.WilcoxonSignedRank}: the Wilcoxon signed-rank test of paired
 *       differences, on the driver or on Spark;
 *   <li>{@link dev.runway.stats.PairedBootstrap}: paired bootstrap intervals of the difference in a
 *       metric between two models, on Spark (with {@link dev.runway.stats.MetricDelta} results);
 *   <li>{@link dev.runway.stats.Psi}: the population stability index of two samples' bin counts,
 *       the drift check's effect size;
 *   <li>{@link dev.runway.stats.ChiSquare}: Pearson's chi-square test of homogeneity of two
 *       samples' bin counts, the drift check's test per column;
 *   <li>{@link dev.runway.stats.BenjaminiHochberg}: p-values adjusted for testing many columns at
 *       once at a stated false-discovery rate.
 * </ul>
 *
 * <p>Where Spark is used, and why: compare must work on holdouts too large for the driver (100M
 * rows), so the tests that need every row run where the rows are. The paired bootstrap is one pass
 * of mergeable per-partition sums whose Poisson weights are a pure function of (seed, row key,
 * resample), so its intervals do not depend on the partitioning; the Wilcoxon ranks and the exact
 * AUC come from a distributed sort of distinct values ({@link dev.runway.stats.SortedGroups}).
 * Only small aggregates reach the driver. McNemar needs two counts and no Spark; Wilcoxon and the
 * accuracy bootstrap also take arrays on the driver, with the same code and the same results. The
 * drift statistics take bin counts and p-values, a few numbers per column, and no Spark: the
 * profiles that count the rows are made elsewhere, and the false-alarm rate and power of the rule
 * that combines them are shown by simulation in the monitor package's tests.
 */
package dev.runway.stats;
