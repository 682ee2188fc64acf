package dev.runway.stats;

/** The standard normal distribution: its distribution function and quantiles. */
public final class Normal {
  private static final double ONE_OVER_ROOT_TWO_PI = 1.0 / Math.sqrt(2 * Math.PI);

  private Normal() {}

  /** Density at {@code x}. */
  public static double density(double x) {
    return ONE_OVER_ROOT_TWO_PI * Math.exp(-0.5 * x * x);
  }

  /**
   * P(Z ≤ x), to about 1e-16 absolute. Uses Φ(x) = 1/2 + φ(x)·(x + x³/3 + x⁵/(3·5) + ...), whose
   * terms are all positive for x > 0, so no precision is lost to cancellation; negative x by
   * symmetry. Beyond |x| = 10 the result is 0 or 1 to double precision.
   */
  public static double cdf(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x < 0) {
      return 1.0 - cdf(-x);
    }
    if (x > 10) {
      return 1.0;
    }
    double term = x;
    double sum = x;
    double x2 = x * x;
    for (int k = 3; term > 1e-17 * sum; k += 2) {
      term *= x2 / k;
      sum += term;
    }
    return 0.5 + density(x) * sum;
  }

  /**
   * The x with P(Z ≤ x) = p, for p in (0, 1). Newton's method from 0: Φ is concave above 0, so
   * the steps approach the root from below without overshooting.
   */
  public static double quantile(double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException(
          "Cannot take the normal quantile of " + p + ": p must be in (0, 1)");
    }
    if (p < 0.5) {
      return -quantile(1 - p);
    }
    double x = 0;
    for (int i = 0; i < 200; i++) {
      double step = (cdf(x) - p) / density(x);
      x -= step;
      if (Math.abs(step) <= 1e-15 * Math.max(1.0, Math.abs(x))) {
        break;
      }
    }
    return x;
  }

  /** The z of a two-sided interval at {@code confidence}: the (1 + confidence) / 2 quantile. */
  public static double twoSidedZ(double confidence) {
    checkConfidence(confidence);
    return quantile((1 + confidence) / 2);
  }

  static void checkConfidence(double confidence) {
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException(
          "Cannot make an interval at confidence " + confidence + ": it must be in (0, 1)");
    }
  }
}
