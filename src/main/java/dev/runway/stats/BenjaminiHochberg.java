package dev.runway.stats;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Benjamini–Hochberg adjusted p-values (Benjamini and Hochberg 1995), the same figures as R's
 * {@code p.adjust(p, method = "BH")}. A drift check tests every column of a batch; at 5% each, 50
 * unchanged columns would flag at least one on most batches. Rejecting the hypotheses whose
 * adjusted p-value is at most q keeps the expected share of false discoveries among the
 * discoveries at or below q when the tests are independent (or positively dependent, Benjamini
 * and Yekutieli 2001), and when no column has changed, that bounds the chance of any discovery,
 * the false-alarm rate of the whole batch, by q. It is preferred to Bonferroni because when
 * several columns have moved it keeps the power to find the rest.
 *
 * <p>Adjusted values rather than a yes/no at one q: drift.json reports them per column, and a
 * reader can apply any q without rerunning.
 */
public final class BenjaminiHochberg {
  private BenjaminiHochberg() {}

  /**
   * The adjusted p-values, in the order of {@code pValues}: with p_(1) ≤ ... ≤ p_(m) sorted,
   * p̃_(i) = min(1, min_{j ≥ i} p_(j)·m / j), the step-up rule as a number per hypothesis. Tied
   * p-values get the same adjusted value. An empty array gives an empty array.
   *
   * @throws IllegalArgumentException when a p-value is NaN or outside [0, 1]
   */
  public static double[] adjust(double[] pValues) {
    int m = pValues.length;
    for (int i = 0; i < m; i++) {
      double p = pValues[i];
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("Cannot adjust p-value " + i + " = " + p
            + " for multiple testing: p-values must be in [0, 1]");
      }
    }
    int[] ascending = IntStream.range(0, m)
        .boxed()
        .sorted(Comparator.comparingDouble(i -> pValues[i]))
        .mapToInt(Integer::intValue)
        .toArray();
    double[] adjusted = new double[m];
    // From the largest p down, the running minimum of p·m/rank: a hypothesis is rejected at q
    // whenever any larger p-value is, which is what makes the rule step up.
    double running = 1.0;
    for (int rank = m; rank >= 1; rank--) {
      int index = ascending[rank - 1];
      running = Math.min(running, pValues[index] * m / rank);
      adjusted[index] = running;
    }
    return adjusted;
  }
}
