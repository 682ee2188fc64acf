package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tallies, over simulated samples, how often an interval covers the true value, and how often
 * an interval of half its width around the same centre would: the check that a coverage test
 * could fail (a broken interval, e.g. half as wide, must not pass).
 */
public final class Coverage {
  private int samples;
  private int covered;
  private int halfCovered;

  /** Counts one simulated sample's interval against the true value. */
  public void add(Interval interval, double truth) {
    samples++;
    covered += interval.contains(truth) ? 1 : 0;
    double mid = (interval.lower() + interval.upper()) / 2;
    halfCovered += Math.abs(truth - mid) <= interval.width() / 4 ? 1 : 0;
  }

  /** Asserts a nominal 95% coverage within [0.925, 0.97], and that half-width intervals fall short. */
  public void assertNominal95(String what) {
    double rate = (double) covered / samples;
    double half = (double) halfCovered / samples;
    System.out.printf("Bootstrap 95%% coverage of %s: %.4f; half as wide %.4f%n", what, rate, half);
    assertTrue(rate >= 0.925 && rate <= 0.97, what + ": coverage " + rate);
    assertTrue(half < 0.80, what + ": a half-width interval would pass: " + half);
  }
}
