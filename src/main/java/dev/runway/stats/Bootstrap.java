package dev.runway.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Percentile bootstrap intervals for statistics of n rows (Efron and Tibshirani 1993, ch. 13).
 * Each replicate resamples n rows with replacement; instead of copying rows it records how many
 * times each row was drawn, and the statistics weight every row by that count, so a replicate
 * costs O(n) and no copy. The interval of a statistic is the central {@code confidence} share
 * of its replicate values.
 *
 * <p>Replicate r draws from its own generator, the r-th split of one seeded {@link
 * SplittableRandom}, so the intervals depend only on the seed and the rows, not on how many
 * threads computed the replicates.
 */
public final class Bootstrap {
  /**
   * Statistics of rows each counted a number of times (0: left out). Called from several threads
   * at once, so it must keep no state between calls.
   */
  @FunctionalInterface
  public interface Statistics {
    /**
     * The value of every statistic for rows where row i counts {@code counts[i]} times, in a
     * fixed order; NaN for a statistic undefined on these counts (e.g. AUC without a positive).
     */
    double[] of(int[] counts);
  }

  private final int replicates;
  private final double confidence;
  private final long seed;

  /**
   * @param replicates resamples drawn, at least 1
   * @param confidence share of the replicate values inside each interval, in (0, 1)
   * @param seed seed of the resampling
   */
  public Bootstrap(int replicates, double confidence, long seed) {
    if (replicates < 1) {
      throw new IllegalArgumentException(
          "Cannot bootstrap with " + replicates + " replicates: need at least 1");
    }
    Normal.checkConfidence(confidence);
    this.replicates = replicates;
    this.confidence = confidence;
    this.seed = seed;
  }

  public int replicates() {
    return replicates;
  }

  public double confidence() {
    return confidence;
  }

  public long seed() {
    return seed;
  }

  /**
   * The statistics of every replicate over {@code rows} rows: {@code [replicate][statistic]}.
   * Replicates are spread over the available processors.
   */
  public double[][] replicateValues(int rows, Statistics statistics) {
    if (rows < 1) {
      throw new IllegalArgumentException("Cannot bootstrap " + rows + " rows: need at least 1");
    }
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom[] generators = new SplittableRandom[replicates];
    for (int r = 0; r < replicates; r++) {
      generators[r] = root.split();
    }
    double[][] values = new double[replicates][];
    int chunks = Math.min(replicates, Runtime.getRuntime().availableProcessors());
    IntStream.range(0, chunks).parallel().forEach(chunk -> {
      int[] counts = new int[rows]; // one per thread, reused by each of its replicates
      for (int r = chunk; r < replicates; r += chunks) {
        resample(generators[r], counts);
        values[r] = statistics.of(counts);
      }
    });
    return values;
  }

  /**
   * One percentile interval per statistic, in the order {@link Statistics#of} returns them; empty
   * for a statistic that is undefined (NaN, or infinite) in more than half the replicates.
   * Replicates where a statistic is undefined are left out of its interval, and {@link
   * Interval#replicates()} says how many remained.
   */
  public List<Optional<Interval>> intervals(int rows, Statistics statistics) {
    double[][] values = replicateValues(rows, statistics);
    int k = values[0].length;
    List<Optional<Interval>> intervals = new ArrayList<>(k);
    for (int s = 0; s < k; s++) {
      double[] column = new double[replicates];
      int defined = 0;
      for (double[] replicate : values) {
        if (Double.isFinite(replicate[s])) {
          column[defined++] = replicate[s];
        }
      }
      intervals.add(
          defined * 2 < replicates ? Optional.empty() : Optional.of(interval(column, defined)));
    }
    return intervals;
  }

  /** The percentile interval of the first {@code count} values (sorted in place). */
  Interval interval(double[] values, int count) {
    Arrays.sort(values, 0, count);
    double tail = (1 - confidence) / 2;
    return new Interval(
        percentile(values, count, tail),
        percentile(values, count, 1 - tail),
        Interval.Method.BOOTSTRAP,
        count);
  }

  /**
   * The p-quantile of the first {@code count} sorted values, interpolating linearly between
   * order statistics: sample quantile definition 7 of Hyndman and Fan (1996), R's default.
   */
  static double percentile(double[] sorted, int count, double p) {
    double h = (count - 1) * p;
    int below = (int) Math.floor(h);
    if (below >= count - 1) {
      return sorted[count - 1];
    }
    return sorted[below] + (h - below) * (sorted[below + 1] - sorted[below]);
  }

  /** Fills {@code counts} with how often each of its rows is drawn in n draws with replacement. */
  static void resample(SplittableRandom random, int[] counts) {
    int n = counts.length;
    Arrays.fill(counts, 0);
    for (int i = 0; i < n; i++) {
      counts[random.nextInt(n)]++;
    }
  }
}
