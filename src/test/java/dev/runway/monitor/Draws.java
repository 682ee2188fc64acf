package dev.runway.monitor;

import java.util.SplittableRandom;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.AhrensDieterMarsagliaTsangGammaSampler;

/**
 * Exact seeded draws of the bin counts the drift check compares, without drawing rows: a
 * simulation of 2,000 batches × 50 columns × 100,000 rows would otherwise spend minutes making
 * numbers only their bin counts are kept of.
 *
 * <p>A continuous column's bins do not change under a monotone transform of its values, so any
 * continuous distribution can be simulated as the uniform one. The reference profile's quantile
 * edges are then uniform order statistics, drawn exactly from Gamma spacings, and a batch's bin
 * counts are multinomial in the bins' widths, drawn as sequential binomials.
 */
final class Draws {
  /** Below this many trials, Bernoulli draws are cheaper than another split. */
  private static final long DIRECT = 64;

  private Draws() {}

  /** A commons-rng provider over a seeded SplittableRandom (commons-rng-simple is not on the path). */
  static UniformRandomProvider random(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return random::nextLong;
  }

  /** Gamma(shape, 1). */
  static double gamma(UniformRandomProvider random, double shape) {
    return AhrensDieterMarsagliaTsangGammaSampler.of(random, shape, 1).sample();
  }

  /**
   * The edges of the equal-count bins of a reference of {@code rows} uniform rows, its empirical
   * quantiles U_(r_j) at ranks r_j = j·rows/bins, j = 1 .. bins − 1, so that bin j holds ranks
   * r_(j−1) + 1 .. r_j and exactly rows/bins rows. Exact: U_(r) = S_r / S_(rows+1) with S the
   * cumulative sums of rows + 1 Exp(1) variates, and the sum over a gap of g ranks is Gamma(g).
   */
  static double[] uniformEdges(UniformRandomProvider random, int rows, int bins) {
    if (rows % bins != 0) {
      throw new IllegalArgumentException(rows + " rows do not split into " + bins + " equal bins");
    }
    double[] sums = new double[bins];
    double total = 0;
    int previous = 0;
    for (int j = 1; j <= bins; j++) {
      int rank = j < bins ? j * (rows / bins) : rows + 1;
      total += gamma(random, rank - previous);
      sums[j - 1] = total;
      previous = rank;
    }
    double[] edges = new double[bins - 1];
    for (int j = 0; j < edges.length; j++) {
      edges[j] = sums[j] / total;
    }
    return edges;
  }

  /** The widths of the bins that {@code edges} cut [0, 1] into: edges.length + 1 of them. */
  static double[] widths(double[] edges) {
    double[] widths = new double[edges.length + 1];
    double previous = 0;
    for (int j = 0; j < edges.length; j++) {
      widths[j] = edges[j] - previous;
      previous = edges[j];
    }
    widths[edges.length] = 1 - previous;
    return widths;
  }

  /**
   * Binomial(trials, p), exactly, in O(log trials) Beta variates (Knuth, TAOCP vol. 2, section
   * 3.4.1, the binomial distribution by order statistics): X, the a-th smallest of n uniforms,
   * is Beta(a, n + 1 − a); if X ≥ p only the a − 1 below it can fall under p, and they are
   * uniform on [0, X), so the count is Binomial(a − 1, p / X); otherwise all a fall under p and
   * the n − a above X are uniform on (X, 1], giving a + Binomial(n − a, (p − X) / (1 − X)).
   * The library's binomial sampler inverts the distribution function, too slow for the
   * millions of draws here.
   */
  static long binomial(UniformRandomProvider random, long trials, double p) {
    long successes = 0;
    long n = trials;
    double q = p;
    while (n > DIRECT) {
      if (q <= 0) {
        return successes;
      }
      if (q >= 1) {
        return successes + n;
      }
      long a = 1 + n / 2;
      double below = gamma(random, a);
      double x = below / (below + gamma(random, n + 1 - a));
      if (x >= q) {
        n = a - 1;
        q /= x;
      } else {
        successes += a;
        n -= a;
        q = (q - x) / (1 - x);
      }
    }
    for (long i = 0; i < n; i++) {
      successes += random.nextDouble() < q ? 1 : 0;
    }
    return successes;
  }

  /**
   * Multinomial(trials, probabilities) by sequential binomials: each bin takes its share of the
   * trials the earlier bins left, at its probability given that they were not chosen. The
   * probabilities need only sum to 1 up to rounding; a trailing 0 gives an always-empty bin.
   */
  static long[] multinomial(UniformRandomProvider random, long trials, double[] probabilities) {
    int k = probabilities.length;
    double[] rest = new double[k + 1]; // rest[j]: the probability of bins j .. k − 1
    for (int j = k - 1; j >= 0; j--) {
      rest[j] = rest[j + 1] + probabilities[j];
    }
    long[] counts = new long[k];
    long left = trials;
    for (int j = 0; j < k && left > 0; j++) {
      double conditional = rest[j + 1] <= 0 ? 1.0 : Math.min(1.0, probabilities[j] / rest[j]);
      counts[j] = binomial(random, left, conditional);
      left -= counts[j];
    }
    return counts;
  }
}
