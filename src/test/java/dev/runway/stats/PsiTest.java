package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * PSI against a hand-worked example, the exact binned divergence of a normal shift, and its
 * properties: zero, symmetric, growing with the shift, unchanged by bins empty on both sides.
 */
class PsiTest {
  private static final NormalDistribution STANDARD = NormalDistribution.of(0, 1);

  /**
   * Counts proportional to the probabilities of {@code bins} equal-probability bins of N(0, 1)
   * under N(shift, 1), scaled to a billion rows, so smoothing adds at most 1e-9 to a proportion.
   */
  private static long[] shiftedQuantileBins(int bins, double shift) {
    long[] counts = new long[bins];
    for (int j = 0; j < bins; j++) {
      double lower = j == 0
          ? Double.NEGATIVE_INFINITY
          : STANDARD.inverseCumulativeProbability((double) j / bins);
      double upper = j == bins - 1
          ? Double.POSITIVE_INFINITY
          : STANDARD.inverseCumulativeProbability((double) (j + 1) / bins);
      double p = STANDARD.cumulativeProbability(upper - shift)
          - STANDARD.cumulativeProbability(lower - shift);
      counts[j] = Math.round(p * 1e9);
    }
    return counts;
  }

  @Test
  void aHandWorkedExampleWithANewBinAndAnEmptyOne() {
    // Reference 100 rows, current 100 rows; bin 4 is new in the current batch, bin 5 is empty on
    // both sides and skipped, so k = 4 and both denominators are 100 + 0.5·4 = 102. Smoothed
    // proportions: reference 60.5, 30.5, 10.5, 0.5 over 102; current 45.5, 30.5, 15.5, 10.5 over
    // 102. PSI = [−15·ln(45.5/60.5) + 0 + 5·ln(15.5/10.5) + 10·ln(10.5/0.5)] / 102
    // = 0.35947562546314913644 (to 20 digits, in 50-digit decimal arithmetic).
    long[] reference = {60, 30, 10, 0, 0};
    long[] current = {45, 30, 15, 10, 0};
    double byHand =
        (-15 * Math.log(45.5 / 60.5) + 5 * Math.log(15.5 / 10.5) + 10 * Math.log(10.5 / 0.5)) / 102;
    assertEquals(0.35947562546314913644, byHand, 1e-15);
    assertEquals(byHand, Psi.of(reference, current), 1e-15);
  }

  @Test
  void aNormalShiftOfPointTwoSdIsCloseToPointZeroFour() {
    // For N(0,1) against N(δ,1) the continuous PSI (Jeffreys' divergence) is δ² = 0.04; binning
    // loses a little of it: 0.0383108 on deciles and 0.0399024 on percentiles (the bin
    // probabilities from the normal distribution function, summed in double precision).
    double deciles = Psi.of(shiftedQuantileBins(10, 0), shiftedQuantileBins(10, 0.2));
    double percentiles = Psi.of(shiftedQuantileBins(100, 0), shiftedQuantileBins(100, 0.2));
    assertEquals(0.0383108, deciles, 1e-6);
    assertEquals(0.0399024, percentiles, 1e-6);
    assertEquals(0.04, percentiles, 2e-4);
    // 0.5 SD, the shift the default floor of 0.1 is meant to catch: δ² = 0.25, 0.2377 on deciles.
    assertEquals(0.2377492, Psi.of(shiftedQuantileBins(10, 0), shiftedQuantileBins(10, 0.5)), 1e-6);
  }

  @Test
  void psiGrowsWithTheShift() {
    double previous = -1;
    for (double shift : new double[] {0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0}) {
      double psi = Psi.of(shiftedQuantileBins(10, 0), shiftedQuantileBins(10, shift));
      assertTrue(psi > previous, "shift " + shift + ": " + psi + " after " + previous);
      previous = psi;
    }
  }

  @Test
  void identicalCountsGiveZeroAndProportionalCountsNearlyZero() {
    long[] counts = {120, 0, 45, 3, 900};
    assertEquals(0.0, Psi.of(counts, counts.clone()));
    // The same proportions at ten times the rows differ only by the smoothing of half a count.
    long[] tenfold = {1200, 0, 450, 30, 9000};
    double psi = Psi.of(counts, tenfold);
    assertTrue(psi > 0 && psi < 1e-3, "psi " + psi);
  }

  @Test
  void psiIsSymmetricAndIgnoresBinsEmptyOnBothSides() {
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 200; trial++) {
      int bins = 2 + random.nextInt(12);
      long[] reference = new long[bins];
      long[] current = new long[bins];
      for (int i = 0; i < bins; i++) {
        reference[i] = random.nextInt(4) == 0 ? 0 : random.nextLong(1, 5_000);
        current[i] = random.nextInt(4) == 0 ? 0 : random.nextLong(1, 50_000);
      }
      reference[0] = Math.max(1, reference[0]);
      current[0] = Math.max(1, current[0]);
      double psi = Psi.of(reference, current);
      assertEquals(psi, Psi.of(current, reference), 1e-12 * Math.max(1, psi));
      long[] referenceWithEmpty = new long[bins + 2];
      long[] currentWithEmpty = new long[bins + 2];
      System.arraycopy(reference, 0, referenceWithEmpty, 1, bins);
      System.arraycopy(current, 0, currentWithEmpty, 1, bins);
      assertEquals(psi, Psi.of(referenceWithEmpty, currentWithEmpty), 1e-12 * Math.max(1, psi));
      assertTrue(psi >= 0 && Double.isFinite(psi), "psi " + psi);
    }
  }

  @Test
  void aCategoryOneSideNeverSawIsFiniteAndGrowsWithItsShare() {
    double small = Psi.of(new long[] {1000, 0}, new long[] {990, 10});
    double large = Psi.of(new long[] {1000, 0}, new long[] {900, 100});
    assertTrue(Double.isFinite(large) && small > 0 && large > small, small + ", " + large);
  }

  @Test
  void badBinsAreRejectedWithTheCause() {
    IllegalArgumentException length = assertThrows(
        IllegalArgumentException.class, () -> Psi.of(new long[] {1, 2}, new long[] {1, 2, 3}));
    assertEquals(
        "Cannot compute PSI of 2 reference bins and 3 current bins: both sides must have the"
            + " same bins",
        length.getMessage());
    IllegalArgumentException negative = assertThrows(
        IllegalArgumentException.class, () -> Psi.of(new long[] {1, 2}, new long[] {4, -1}));
    assertEquals(
        "Cannot compute PSI with current bin 1 = -1: counts must not be negative",
        negative.getMessage());
    IllegalArgumentException empty = assertThrows(
        IllegalArgumentException.class, () -> Psi.of(new long[] {0, 0}, new long[] {4, 1}));
    assertEquals(
        "Cannot compute PSI with no reference rows: every reference bin is empty, so there are no"
            + " proportions to compare",
        empty.getMessage());
  }
}
