/**
 * Statistics: pure functions, arrays in and numbers out, with no Spark and no I/O. Each is checked
 * against a library or a textbook value, and each interval's coverage is shown by seeded
 * simulation, in its own tests.
 *
 * <ul>
 *   <li>{@link dev.runway.stats.Interval}: a confidence interval and the method that made it;
 *   <li>{@link dev.runway.stats.Wilson}: the Wilson score interval of a proportion;
 *   <li>{@link dev.runway.stats.Bootstrap}: seeded percentile bootstrap intervals of statistics of
 *       weighted rows;
 *   <li>{@link dev.runway.stats.Normal}: the standard normal distribution and its quantiles.
 * </ul>
 */
package dev.runway.stats;
