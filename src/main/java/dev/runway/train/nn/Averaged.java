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
   * The average of a round's sums. The divergence is the example-weighted root mean square
   * distance of the replicas from their average, relative to the average's norm: from the sums
   * alone, {@code E[|p|^2] - |E[p]|^2}, so the tree path, where the driver never sees a replica,
   * reports the same figure as the direct one.
   */
  static Averaged of(RoundSums sums) {
    if (sums.examples == 0) {
      return new Averaged(null, null, 0, 0, 0, 0, 0);
    }
    long n = sums.examples;
    float[] avgParams = new float[sums.params.length];
    double averageNorm = 0;
    for (int i = 0; i < avgParams.length; i++) {
      double v = sums.params[i] / n;
      avgParams[i] = (float) v;
      averageNorm += v * v;
    }
    float[] avgUpdater = new float[sums.updater.length];
    for (int i = 0; i < avgUpdater.length; i++) {
      avgUpdater[i] = (float) (sums.updater[i] / n);
    }
    double spread = Math.max(0, sums.squaredNorms / n - averageNorm);
    double divergence = Math.sqrt(spread) / Math.max(Math.sqrt(averageNorm), 1e-12);
    return new Averaged(
        avgParams, avgUpdater, n, sums.lossSum, sums.maxBatches, sums.maxComputeNanos, divergence);
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
