package dev.runway.stats;

import java.util.Locale;

/**
 * A two-sided confidence interval.
 *
 * @param lower lower bound
 * @param upper upper bound, at least {@code lower}
 * @param method how it was made
 * @param replicates bootstrap replicates the bounds come from (those where the statistic was
 *     defined); 0 for an interval that is not a bootstrap one
 */
public record Interval(double lower, double upper, Method method, int replicates) {
  /** How an interval was made. */
  public enum Method {
    /** Wilson score interval of a proportion. */
    WILSON,
    /** Percentile bootstrap over rows. */
    BOOTSTRAP,
    /**
     * Percentile bootstrap of a difference between two models on the same rows, each row weighted
     * alike for both ({@link PairedBootstrap}).
     */
    PAIRED_BOOTSTRAP;

    /** The name written to metrics.json and verdict.json: lower case, '-' between words. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public Interval {
    if (!(lower <= upper)) {
      throw new IllegalArgumentException("Cannot make an interval [" + lower + ", " + upper
          + "]: lower must" + " not exceed upper (and neither may be NaN)");
    }
  }

  public boolean contains(double value) {
    return lower <= value && value <= upper;
  }

  public double width() {
    return upper - lower;
  }

  /**
   * This interval's distances below and above {@code from}, each multiplied by {@code scale}, laid
   * around {@code to}. Turns an interval found on a sample of the rows into one for all of them:
   * the sample gives the shape, all rows the centre, and {@code scale} = sqrt(sample / rows) the
   * narrowing that more rows bring to a statistic whose spread falls as one over the square root
   * of the rows.
   */
  public Interval rescaled(double from, double to, double scale) {
    double below = Math.max(0.0, from - lower) * scale;
    double above = Math.max(0.0, upper - from) * scale;
    return new Interval(to - below, to + above, method, replicates);
  }
}
