package dev.runway.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The spread of a few estimates of one quantity, such as a metric measured on each of k folds:
 * mean, sample standard deviation, and Student's t interval for the mean.
 *
 * <p>The t interval treats the estimates as independent. Fold estimates are not quite (their
 * training sets overlap), so it is somewhat too narrow, most of all with repeated folds; it
 * still says how far one fold's figure may stray, which one number alone cannot.
 *
 * @param n number of estimates
 * @param mean their mean
 * @param sd their sample standard deviation (0 for one estimate)
 * @param lower lower end of the interval for the mean (the mean itself for one estimate)
 * @param upper upper end
 * @param confidence the interval's confidence, e.g. 0.95
 */
public record Spread(int n, double mean, double sd, double lower, double upper, double confidence) {

  /** The spread of {@code values} (at least one) with a {@code confidence} t interval. */
  public static Spread of(double[] values, double confidence) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be in (0, 1): " + confidence);
    }
    int n = values.length;
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= n;
    if (n == 1) {
      return new Spread(1, mean, 0.0, mean, mean, confidence);
    }
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(squares / (n - 1));
    double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - confidence) / 2);
    double half = t * sd / Math.sqrt(n);
    return new Spread(n, mean, sd, mean - half, mean + half, confidence);
  }

  /** As recorded in metrics.json. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", mean);
    m.put("sd", sd);
    m.put("lower", lower);
    m.put("upper", upper);
    m.put("n", n);
    m.put("confidence", confidence);
    m.put("method", "t");
    return m;
  }
}
