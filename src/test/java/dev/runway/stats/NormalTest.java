package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/** The normal distribution against commons-math3 and the printed table values. */
class NormalTest {
  private static final NormalDistribution REFERENCE = new NormalDistribution(0, 1);

  @Test
  void cdfMatchesCommonsMath() {
    for (double x = -9; x <= 9; x += 0.125) {
      assertEquals(REFERENCE.cumulativeProbability(x), Normal.cdf(x), 1e-15, "x=" + x);
    }
    assertEquals(1.0, Normal.cdf(12), 0.0);
    assertEquals(0.0, Normal.cdf(-12), 0.0);
  }

  @Test
  void quantilesMatchTablesAndCommonsMath() {
    // The familiar table values: 1.645, 1.960 and 2.576 for 90%, 95% and 99% two-sided.
    assertEquals(1.6448536269514722, Normal.twoSidedZ(0.90), 1e-13);
    assertEquals(1.959963984540054, Normal.twoSidedZ(0.95), 1e-13);
    assertEquals(2.5758293035489004, Normal.twoSidedZ(0.99), 1e-13);
    for (double p : new double[] {1e-6, 0.001, 0.025, 0.2, 0.5, 0.6, 0.75, 0.9995, 1 - 1e-9}) {
      double expected = REFERENCE.inverseCumulativeProbability(p);
      // Far in a tail a quantile is ill-conditioned: p itself is only known to ~1e-16.
      double tolerance = Math.max(1e-9, 1e-15 / Normal.density(expected));
      assertEquals(expected, Normal.quantile(p), tolerance, "p=" + p);
      assertEquals(p, Normal.cdf(Normal.quantile(p)), 1e-15 + 1e-12 * p, "round trip p=" + p);
    }
  }

  @Test
  void refusesProbabilitiesOutsideTheOpenUnitInterval() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Normal.quantile(1.0));
    assertEquals("Cannot take the normal quantile of 1.0: p must be in (0, 1)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Normal.twoSidedZ(95));
    assertEquals(
        "Cannot make an interval at confidence 95.0: it must be in (0, 1)", e.getMessage());
  }
}
