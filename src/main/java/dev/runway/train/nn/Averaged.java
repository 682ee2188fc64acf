package dev.runway.train.nn;

/**
 * The average of one round's worker results, weighted by the examples each trained on, with what
 * the round tells about the workers: total loss, the slowest worker's compute time, and how far
 * the replicas had drifted apart (see {@link #of(RoundSums)}).
 */
record Averaged(
    float[] params,
    float[] updater,
    long examples,
    double lossSum,
    int maxBatches,
    long maxComputeNanos,
    double divergence) {

  /**
   * How many parameters each partial sum of the average's squared norm covers. The norm is summed
   * in blocks of this many, then the blocks in order, so that workers that each average a slice of
   * the state ({@link SlicedAverage}, slices aligned to these blocks) add up the same double as the
   * driver does over the whole.
   */
  static final int NORM_BLOCK = 1 << 14;

  /**
   * The average of a round's sums. The divergence is the example-weighted root mean square
   * distance of the replicas from their average, relative to the average's norm: from the sums
   * alone, {@code E[|p|^2] - |E[p]|^2}, so the tree path, where the driver never sees a replica,
   * reports the same figure as the direct one.
   */
  static Averaged of(RoundSums sums) {
    if (sums.examples == 0) {
      return none();
    }
    long n = sums.examples;
    float[] avgParams = new float[sums.params.length];
    double averageNorm = 0;
    for (int from = 0; from < avgParams.length; from += NORM_BLOCK) {
      averageNorm +=
          average(sums.params, n, avgParams, from, Math.min(avgParams.length, from + NORM_BLOCK));
    }
    float[] avgUpdater = new float[sums.updater.length];
    average(sums.updater, n, avgUpdater, 0, avgUpdater.length);
    return of(sums, avgParams, avgUpdater, averageNorm);
  }

  /**
   * The average whose arrays are already divided out ({@code params}, {@code updater}; the
   * average's squared norm {@code averageNorm}, summed by {@link #NORM_BLOCK} blocks), with the
   * round's counters from {@code counters} (whose arrays, if any, are not read): what the workers'
   * sliced average ({@link SlicedAverage}) puts together.
   */
  static Averaged of(RoundSums counters, float[] params, float[] updater, double averageNorm) {
    return new Averaged(
        params,
        updater,
        counters.examples,
        counters.lossSum,
        counters.maxBatches,
        counters.maxComputeNanos,
        divergence(counters.squaredNorms, counters.examples, averageNorm));
  }

  /** A round in which no worker trained: nothing to average. */
  static Averaged none() {
    return new Averaged(null, null, 0, 0, 0, 0, 0);
  }

  /**
   * Writes {@code sums[i] / examples} into {@code into[i]} for i in [from, to), and returns the
   * sum of their squares (in doubles, before rounding to floats).
   */
  static double average(double[] sums, long examples, float[] into, int from, int to) {
    double squares = 0;
    for (int i = from; i < to; i++) {
      double v = sums[i] / examples;
      into[i] = (float) v;
      squares += v * v;
    }
    return squares;
  }

  /**
   * The divergence from {@code squaredNorms}, the example-weighted sum of the replicas' squared
   * norms, and {@code averageNorm}, the average's own squared norm (summed by {@link #NORM_BLOCK}
   * blocks).
   */
  private static double divergence(double squaredNorms, long examples, double averageNorm) {
    double spread = Math.max(0, squaredNorms / examples - averageNorm);
    return Math.sqrt(spread) / Math.max(Math.sqrt(averageNorm), 1e-12);
  }

  boolean finite() {
    for (float p : params) {
      if (!Float.isFinite(p)) {
        return false;
      }
    }
    return true;
  }
}
