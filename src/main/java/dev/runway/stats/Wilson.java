package dev.runway.stats;

/**
 * The Wilson score interval of a binomial proportion (Wilson 1927): the proportions p whose score
 * test against the observed one does not reject. Unlike the textbook p̂ ± z·sqrt(p̂(1-p̂)/n) it
 * stays inside [0, 1], is not empty at 0 or n successes, and covers close to its nominal rate
 * even for small n and p near 0 or 1 (Brown, Cai and DasGupta 2001).
 */
public final class Wilson {
  private Wilson() {}

  /** The interval for {@code successes} out of {@code n} trials at {@code confidence}. */
  public static Interval interval(long successes, long n, double confidence) {
    if (n <= 0 || successes < 0 || successes > n) {
      throw new IllegalArgumentException("Cannot make a Wilson interval for " + successes
          + " successes out of " + n + ": need 0 <= successes <= n and n > 0");
    }
    double z = Normal.twoSidedZ(confidence);
    double p = (double) successes / n;
    double z2n = z * z / n;
    double denominator = 1 + z2n;
    double centre = (p + z2n / 2) / denominator;
    double half = z / denominator * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n));
    // The bounds are 0 and 1 exactly at 0 and n successes; rounding must not push them outside.
    double lower = successes == 0 ? 0.0 : Math.max(0.0, centre - half);
    double upper = successes == n ? 1.0 : Math.min(1.0, centre + half);
    return new Interval(lower, upper, Interval.Method.WILSON, 0);
  }
}
