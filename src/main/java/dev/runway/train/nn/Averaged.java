package dev.runway.train.nn;

import java.util.List;

/**
 * The average of one round's worker results, weighted by the examples each trained on, with what
 * the round tells about the workers: total loss, the slowest worker's compute time, and how far
 * the replicas had drifted apart (mean relative L2 distance from the average).
 */
record Averaged(
    float[] params,
    float[] updater,
    long examples,
    double lossSum,
    int maxBatches,
    long maxComputeNanos,
    double divergence) {

  static Averaged of(List<RoundResult> results) {
    long examples = 0;
    double lossSum = 0;
    int maxBatches = 0;
    long maxCompute = 0;
    double[] params = null;
    double[] updater = null;
    for (RoundResult r : results) {
      if (r.examples() == 0) {
        continue;
      }
      if (params == null) {
        params = new double[r.params().length];
        updater = new double[r.updater().length];
      }
      accumulate(params, r.params(), r.examples());
      accumulate(updater, r.updater(), r.examples());
      examples += r.examples();
      lossSum += r.lossSum();
      maxBatches = Math.max(maxBatches, r.batches());
      maxCompute = Math.max(maxCompute, r.computeNanos());
    }
    if (examples == 0) {
      return new Averaged(null, null, 0, 0, 0, 0, 0);
    }
    float[] avgParams = scale(params, examples);
    float[] avgUpdater = scale(updater, examples);
    double divergence = 0;
    int workers = 0;
    double norm = Math.sqrt(dot(avgParams, avgParams));
    for (RoundResult r : results) {
      if (r.examples() > 0) {
        divergence += distance(r.params(), avgParams) / Math.max(norm, 1e-12);
        workers++;
      }
    }
    return new Averaged(
        avgParams, avgUpdater, examples, lossSum, maxBatches, maxCompute, divergence / workers);
  }

  boolean finite() {
    for (float p : params) {
      if (!Float.isFinite(p)) {
        return false;
      }
    }
    return true;
  }

  private static void accumulate(double[] sum, float[] values, int weight) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += (double) values[i] * weight;
    }
  }

  private static float[] scale(double[] sum, long total) {
    float[] out = new float[sum.length];
    for (int i = 0; i < sum.length; i++) {
      out[i] = (float) (sum[i] / total);
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static double distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }
}
