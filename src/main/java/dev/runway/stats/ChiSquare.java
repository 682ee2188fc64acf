package dev.runway.stats;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * Pearson's chi-square test of homogeneity of two samples' bin counts: were the reference rows
 * and the current rows drawn from the same distribution over the bins? It is the test of the 2×k
 * contingency table whose rows are the two samples.
 *
 * <p>Why this test for drift: its null distribution accounts for both sample sizes and for the
 * bin count. The expected counts are the pooled proportions scaled to each row, so the reference
 * is treated as a sample with its own noise rather than as the truth (a test against the
 * reference's proportions as fixed would fire on the reference's noise when the batch is larger
 * than it), and the k − 1 degrees of freedom grow with the bins, so a column with many bins is
 * not flagged for having more cells to differ in. The same holds when the bins are the
 * reference's own quantiles, whose counts are equal by construction: the random edges put the
 * reference's sampling noise into the current row's proportions instead, with the same
 * covariance, so the statistic's limit is still chi-square with k − 1 degrees of freedom.
 *
 * <p>Bins empty on both sides are dropped (they have no expected count and carry no evidence);
 * with fewer than two left, nothing can differ, so the statistic is 0 and the p-value 1. The
 * p-value is the chi-square survival probability, not 1 − the distribution function, so the
 * tiny p-values of large batches keep their digits for the multiple-testing correction that
 * follows.
 *
 * @param statistic Σ (observed − expected)² / expected over both rows of the kept bins
 * @param degreesOfFreedom kept bins − 1
 * @param pValue P(χ²(degreesOfFreedom) ≥ statistic); 1 when no degrees of freedom are left
 */
public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {

  /**
   * The test of {@code reference} against {@code current}, counts of the same bins in the same
   * order.
   *
   * @throws IllegalArgumentException when the lengths differ, a count is negative, or a side has
   *     no rows
   */
  public static ChiSquare homogeneity(long[] reference, long[] current) {
    BinCounts.check("run the chi-square test of homogeneity", reference, current);
    double referenceTotal = 0;
    double currentTotal = 0;
    int kept = 0;
    for (int i = 0; i < reference.length; i++) {
      referenceTotal += reference[i];
      currentTotal += current[i];
      kept += reference[i] + current[i] > 0 ? 1 : 0;
    }
    if (kept < 2) {
      return new ChiSquare(0.0, 0, 1.0);
    }
    // Per bin, both rows' terms (r − R·s/N)²/(R·s/N) + (c − C·s/N)²/(C·s/N) add up to
    // (r·C − c·R)² / (R·C·s), s = r + c, N = R + C: one division per bin and no expected counts to
    // subtract, whose rounding would dominate a near-zero statistic.
    double statistic = 0;
    for (int i = 0; i < reference.length; i++) {
      long column = reference[i] + current[i];
      if (column == 0) {
        continue;
      }
      double difference = reference[i] * currentTotal - current[i] * referenceTotal;
      statistic += difference * difference / column;
    }
    statistic /= referenceTotal * currentTotal;
    int degreesOfFreedom = kept - 1;
    double pValue = ChiSquaredDistribution.of(degreesOfFreedom).survivalProbability(statistic);
    return new ChiSquare(statistic, degreesOfFreedom, pValue);
  }
}
