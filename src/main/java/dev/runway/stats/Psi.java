package dev.runway.stats;

/**
 * The population stability index of a batch's bin counts against a reference's: PSI = Σ (c_i −
 * r_i)·ln(c_i / r_i) over the bins' proportions r_i (reference) and c_i (current). It is the
 * symmetrised Kullback–Leibler divergence of the two binned distributions (Jeffreys' divergence),
 * an effect size: it does not shrink as the samples grow, so the drift check uses it as a floor
 * under a significance test that, at large n, would flag differences nobody cares about. For a
 * shift of δ standard deviations of a normal column it is close to δ² (0.04 for 0.2 SD on fine
 * quantile bins, a little less on 10).
 *
 * <p>Two choices make it finite and stable on real bins:
 *
 * <ul>
 *   <li>A bin empty on both sides is skipped: it carries no evidence, and keeping it would take
 *       smoothing mass from the bins that do (a "missing" bin that neither side ever fills must
 *       not change the figure).
 *   <li>Every other proportion is smoothed as (count + 0.5) / (total + 0.5·k), k the bins kept.
 *       Without it a bin empty on one side only, e.g. a category the reference never saw, gives
 *       ln(0) and an infinite PSI, however rare the category. Half a count per bin (Jeffreys'
 *       prior) keeps each side's proportions summing to 1, and leaves bins with hundreds of rows
 *       practically unchanged; a new category's PSI then grows with its share and with the log
 *       of the other side's size, as its evidence does.
 * </ul>
 */
public final class Psi {
  private Psi() {}

  /**
   * PSI of {@code current} against {@code reference}, counts of the same bins in the same order.
   * Symmetric in its arguments; 0 when the smoothed proportions are equal.
   *
   * @throws IllegalArgumentException when the lengths differ, a count is negative, or a side has
   *     no rows
   */
  public static double of(long[] reference, long[] current) {
    BinCounts.check("compute PSI", reference, current);
    long referenceTotal = 0;
    long currentTotal = 0;
    int kept = 0;
    for (int i = 0; i < reference.length; i++) {
      referenceTotal += reference[i];
      currentTotal += current[i];
      kept += reference[i] + current[i] > 0 ? 1 : 0;
    }
    double referenceDenominator = referenceTotal + 0.5 * kept;
    double currentDenominator = currentTotal + 0.5 * kept;
    double psi = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] + current[i] == 0) {
        continue;
      }
      double r = (reference[i] + 0.5) / referenceDenominator;
      double c = (current[i] + 0.5) / currentDenominator;
      psi += (c - r) * Math.log(c / r);
    }
    return psi;
  }
}
