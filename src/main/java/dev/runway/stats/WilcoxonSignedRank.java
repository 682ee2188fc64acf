package dev.runway.stats;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.special.Erf;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Wilcoxon signed-rank test of paired differences (Wilcoxon 1945), two-sided: is the
 * distribution of the differences symmetric about 0? For compare, d = |error of the baseline| −
 * |error of the candidate| per row, so W+ above its null mean says the candidate's errors tend to
 * be smaller.
 *
 * <ul>
 *   <li>Zeros are dropped (Wilcoxon's own method): n counts the non-zero differences only.
 *   <li>Tied |d| share their average rank.
 *   <li>Exact p-value (the null distribution of W+ by enumeration) when n ≤ 50 and no |d| are
 *       tied; otherwise the normal approximation with the tie-corrected variance n(n+1)(2n+1)/24 −
 *       Σ(t³−t)/48 and a continuity correction of 0.5 towards the mean. The same choices as
 *       commons-statistics-inference's {@code WilcoxonSignedRankTest} defaults applied to the
 *       non-zero differences (that library ranks zeros too, Pratt's method, when given them).
 * </ul>
 *
 * <p>Two entry points give the same figures: {@link #test(double[])} on the driver, and {@link
 * #test(Dataset, String)} on Spark for holdouts too large to collect, where the ranks come from a
 * distributed sort of the distinct |d| ({@link SortedGroups}) and only a few numbers per partition reach
 * the driver.
 *
 * @param n non-zero differences
 * @param wPlus W+, the sum of the ranks of the positive differences
 * @param z (W+ − n(n+1)/4 ∓ 0.5) / sd, the continuity-corrected normal score with the tie-corrected
 *     sd; reported with either method, as the size and direction of the effect (0 when n = 0)
 * @param pValue two-sided p-value; 1 when every difference is zero (no evidence either way)
 * @param method how the p-value was computed
 */
public record WilcoxonSignedRank(long n, double wPlus, double z, double pValue, Method method) {
  /** The largest n whose p-value is exact (when no |d| are tied), as commons' automatic choice. */
  public static final int EXACT_LIMIT = 50;

  /** How the p-value was computed. */
  public enum Method {
    /** Enumerating the null distribution of W+. */
    EXACT,
    /** The normal approximation with tie and continuity corrections. */
    NORMAL;

    /** The name written to verdict.json. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The test of {@code differences} on the driver. NaN is rejected. */
  public static WilcoxonSignedRank test(double[] differences) {
    int positives = 0;
    int negatives = 0;
    for (double d : differences) {
      if (Double.isNaN(d)) {
        throw new IllegalArgumentException(
            "Cannot run the Wilcoxon signed-rank test on NaN differences");
      }
      positives += d > 0 ? 1 : 0;
      negatives += d < 0 ? 1 : 0;
    }
    // The |d| of each sign, sorted, then merged group by group: no boxing, no index sort.
    double[] up = new double[positives];
    double[] down = new double[negatives];
    int u = 0;
    int w = 0;
    for (double d : differences) {
      if (d > 0) {
        up[u++] = d;
      } else if (d < 0) {
        down[w++] = -d;
      }
    }
    Arrays.sort(up);
    Arrays.sort(down);
    RankSum.Running running = new RankSum.Running(0);
    int i = 0;
    int j = 0;
    while (i < up.length || j < down.length) {
      double key = Math.min(
          i < up.length ? up[i] : Double.POSITIVE_INFINITY,
          j < down.length ? down[j] : Double.POSITIVE_INFINITY);
      long hits = 0;
      long ranked = 0;
      for (; i < up.length && up[i] == key; i++) {
        hits++;
        ranked++;
      }
      for (; j < down.length && down[j] == key; j++) {
        ranked++;
      }
      running.add(ranked, hits);
    }
    return of(running.result());
  }

  /**
   * The test of the differences in {@code differenceColumn} of {@code rows}, on Spark: one
   * aggregation by distinct |d| and a sort of those, so a 100M-row holdout never reaches the
   * driver. A null or NaN difference is rejected.
   */
  public static WilcoxonSignedRank test(Dataset<Row> rows, String differenceColumn) {
    Column d = col(differenceColumn);
    Column key = col("key");
    Dataset<Row> groups = rows.select(
            abs(d).cast("double").as("key"), when(d.gt(0), 1L).otherwise(0L).as("positive"))
        // Zeros are dropped; null and NaN are kept so they can be counted and rejected.
        .where(key.notEqual(0).or(key.isNull()))
        .groupBy(key)
        .agg(count(lit(1)).as("ranked"), sum("positive").as("hits"))
        .select(key, col("ranked"), col("hits"), col("ranked"));
    RankSum sums = SortedGroups.of(groups).rankSum();
    if (sums.invalid() > 0) {
      throw new IllegalArgumentException("Cannot run the Wilcoxon signed-rank test on column "
          + differenceColumn + ": " + sums.invalid() + " rows are null or NaN");
    }
    return of(sums);
  }

  /** The test from the rank sums of the non-zero |d| (ranked = rows, hits = positives). */
  static WilcoxonSignedRank of(RankSum sums) {
    long n = sums.ranked();
    if (n == 0) {
      return new WilcoxonSignedRank(0, 0.0, 0.0, 1.0, Method.NORMAL);
    }
    double wPlus = (sums.twiceSum() + sums.hits()) / 2.0;
    double nn = n;
    double mean = nn * (nn + 1) / 4;
    double variance = nn * (nn + 1) * (2 * nn + 1) / 24 - sums.tieTerm() / 48;
    double x = wPlus - mean;
    x -= Math.signum(x) * 0.5;
    double z = x / Math.sqrt(variance);
    if (n <= EXACT_LIMIT && sums.tieTerm() == 0) {
      return new WilcoxonSignedRank(n, wPlus, z, exactP((int) n, (long) wPlus), Method.EXACT);
    }
    // 2·P(Z > |z|) without the cancellation of 1 − Φ(|z|), so tiny p-values keep their digits.
    double p = Erf.erfc(Math.abs(z) / Math.sqrt(2));
    return new WilcoxonSignedRank(n, wPlus, z, Math.min(1.0, p), Method.NORMAL);
  }

  /**
   * Two-sided exact p: 2·P(W ≤ min(W+, W−)) capped at 1, with P(W = t) = u_n(t) / 2^n where u_n(t)
   * counts the subsets of {1..n} summing to t (u_n(t) = u_{n−1}(t) + u_{n−1}(t−n)). The counts
   * stay below 2^50, exact in doubles.
   */
  static double exactP(int n, long wPlus) {
    int t = (int) Math.min(wPlus, (long) n * (n + 1) / 2 - wPlus);
    double[] u = new double[t + 1];
    u[0] = 1;
    for (int k = 1; k <= n; k++) {
      for (int s = t; s >= k; s--) {
        u[s] += u[s - k];
      }
    }
    double below = 0;
    for (double count : u) {
      below += count;
    }
    return Math.min(1.0, 2 * Math.scalb(below, -n));
  }
}
