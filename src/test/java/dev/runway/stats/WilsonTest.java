package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;
import org.junit.jupiter.api.Test;

/**
 * The Wilson interval against commons-math3 and a published table, and its coverage shown by
 * seeded simulation of Bernoulli draws.
 */
class WilsonTest {
  @Test
  void matchesCommonsMathOverAGrid() {
    WilsonScoreInterval reference = new WilsonScoreInterval();
    for (int n : new int[] {1, 2, 7, 26, 100, 222, 10_000}) {
      for (int successes = 0; successes <= n; successes += Math.max(1, n / 9)) {
        for (double confidence : new double[] {0.5, 0.9, 0.95, 0.99, 0.999}) {
          ConfidenceInterval expected = reference.createInterval(n, successes, confidence);
          Interval actual = Wilson.interval(successes, n, confidence);
          String what = successes + "/" + n + " at " + confidence;
          assertEquals(expected.getLowerBound(), actual.lower(), 1e-9, what);
          assertEquals(expected.getUpperBound(), actual.upper(), 1e-9, what);
          assertEquals(Interval.Method.WILSON, actual.method());
        }
      }
    }
  }

  @Test
  void matchesNewcombesPublishedExamples() {
    // Newcombe, "Two-sided confidence intervals for the single proportion", Statistics in
    // Medicine 17 (1998), table II, method 3 (score method without continuity correction).
    assertBounds(0.2553, 0.3662, Wilson.interval(81, 263, 0.95));
    assertBounds(0.0624, 0.1605, Wilson.interval(15, 148, 0.95));
    assertBounds(0.0000, 0.1611, Wilson.interval(0, 20, 0.95));
    assertBounds(0.0061, 0.1718, Wilson.interval(1, 29, 0.95));
  }

  private static void assertBounds(double lower, double upper, Interval actual) {
    assertEquals(lower, actual.lower(), 5e-5, actual.toString());
    assertEquals(upper, actual.upper(), 5e-5, actual.toString());
  }

  @Test
  void allOrNothingStaysInsideTheUnitInterval() {
    Interval none = Wilson.interval(0, 26, 0.95);
    Interval all = Wilson.interval(26, 26, 0.95);
    assertEquals(0.0, none.lower());
    assertEquals(1.0, all.upper());
    assertTrue(none.upper() > 0.1 && all.lower() < 0.9, none + " " + all);
    assertEquals(none.upper(), 1 - all.lower(), 1e-15, "symmetric");
  }

  @Test
  void refusesImpossibleCounts() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Wilson.interval(5, 4, 0.95));
    assertEquals(
        "Cannot make a Wilson interval for 5 successes out of 4: need 0 <= successes <= n and n > 0",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Wilson.interval(0, 0, 0.95));
  }

  /**
   * Coverage at the test-split sizes users have (26 to 222 rows, and 1,000) and accuracies from
   * 0.5 to 0.95: 2,000 seeded samples of n Bernoulli(p) draws per case. Pooled over the cases the
   * 95% interval must cover p 94–96.5% of the time (the standard error of the pooled rate is
   * 0.0015), each case 90–98.5%: Wilson's exact coverage oscillates with n and p, from 0.925
   * (n = 26, p = 0.5) to 0.970 in these cases, and a case's rate has a standard error of 0.005.
   * The same intervals made half as wide cover about 70% and must fail that.
   */
  @Test
  void coversTheTrueProportionAtTheNominalRate() {
    SplittableRandom random = new SplittableRandom(20240917L);
    int samples = 2_000;
    long covered = 0;
    long halfCovered = 0;
    long total = 0;
    StringBuilder report = new StringBuilder();
    for (int n : new int[] {26, 60, 106, 222, 1_000}) {
      for (double p : new double[] {0.5, 0.674, 0.8, 0.95}) {
        int caseCovered = 0;
        for (int s = 0; s < samples; s++) {
          int successes = 0;
          for (int i = 0; i < n; i++) {
            if (random.nextDouble() < p) {
              successes++;
            }
          }
          Interval interval = Wilson.interval(successes, n, 0.95);
          if (interval.contains(p)) {
            caseCovered++;
          }
          double mid = (interval.lower() + interval.upper()) / 2;
          if (Math.abs(p - mid) <= interval.width() / 4) {
            halfCovered++;
          }
        }
        double rate = (double) caseCovered / samples;
        report.append(String.format(Locale.ROOT, "n=%d p=%.3f coverage %.4f%n", n, p, rate));
        assertTrue(rate >= 0.90 && rate <= 0.985, "n=" + n + " p=" + p + " coverage " + rate);
        covered += caseCovered;
        total += samples;
      }
    }
    double pooled = (double) covered / total;
    double half = (double) halfCovered / total;
    System.out.printf(
        "Wilson 95%% coverage: pooled %.4f, intervals half as wide %.4f%n%s", pooled, half, report);
    assertTrue(pooled >= 0.94 && pooled <= 0.965, "pooled coverage " + pooled);
    assertTrue(half < 0.80, "a half-width interval would pass: " + half);
  }
}
