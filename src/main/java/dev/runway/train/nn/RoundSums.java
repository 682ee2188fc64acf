package dev.runway.train.nn;

import java.io.Serializable;
import java.util.List;

/**
 * Example-weighted sums of a round's worker results: all the average and its telemetry need.
 * Sums merge in any order, so the same arithmetic serves both aggregation paths: the driver folds
 * the workers' results into one (direct), or the executors merge them in a tree and the driver
 * receives a single one (tree). Mutable on purpose: Spark's aggregations let the accumulator be
 * updated in place, and copying {@code 3 x parameters} doubles per merge would cost more than the
 * merge.
 */
final class RoundSums implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Sum of examples x parameters; null until a worker with examples is added. */
  double[] params;
  /** Sum of examples x updater state. */
  double[] updater;

  long examples;
  double lossSum;
  /** Sum of examples x the squared norm of the worker's parameters: the divergence's term. */
  double squaredNorms;

  int workers;
  int maxBatches;
  long maxComputeNanos;
  /** The slowest worker's time from task start to its first step (broadcast fetch, load). */
  long maxSetupNanos;

  long firstStartedMillis = Long.MAX_VALUE;

  /** The sums of results collected on the driver (the direct path). */
  static RoundSums of(List<RoundResult> results) {
    RoundSums sums = new RoundSums();
    results.forEach(sums::add);
    return sums;
  }

  /** One worker's result, added into these sums. */
  RoundSums add(RoundResult r) {
    int w = r.examples();
    double norm = 0;
    if (w > 0) {
      if (params == null) {
        params = new double[r.params().length];
        updater = new double[r.updater().length];
      }
      // One pass over the parameters for the sums and the replica's squared norm.
      norm = addWeightedNorm(params, r.params(), w);
      addWeighted(updater, r.updater(), w);
    }
    addCounters(
        w, r.batches(), r.lossSum(), r.computeNanos(), r.startedAtMillis(), r.setupNanos(), norm);
    return this;
  }

  /**
   * One worker's counters, added into these sums: what {@link #add} adds besides the arrays, and
   * all that the peers' sliced average ({@link SlicedAverage}) sums in one place. A worker without
   * examples only counts towards the round's start and setup.
   *
   * @param squaredNorm the squared norm of the worker's parameters ({@link #squaredNorm})
   */
  void addCounters(
      int examples,
      int batches,
      double lossSum,
      long computeNanos,
      long startedAtMillis,
      long setupNanos,
      double squaredNorm) {
    firstStartedMillis = Math.min(firstStartedMillis, startedAtMillis);
    maxSetupNanos = Math.max(maxSetupNanos, setupNanos);
    if (examples == 0) {
      return;
    }
    squaredNorms += squaredNorm * examples;
    this.examples += examples;
    this.lossSum += lossSum;
    workers++;
    maxBatches = Math.max(maxBatches, batches);
    maxComputeNanos = Math.max(maxComputeNanos, computeNanos);
  }

  /** Adds {@code weight x values[i]} into {@code sums[i]}, for every i of {@code sums}. */
  static void addWeighted(double[] sums, float[] values, int weight) {
    for (int i = 0; i < sums.length; i++) {
      sums[i] += (double) values[i] * weight;
    }
  }

  /**
   * {@link #addWeighted}, returning the squared norm of {@code values} summed in index order: the
   * same double as {@link #squaredNorm}.
   */
  static double addWeightedNorm(double[] sums, float[] values, int weight) {
    double norm = 0;
    for (int i = 0; i < sums.length; i++) {
      double v = values[i];
      sums[i] += v * weight;
      norm += v * v;
    }
    return norm;
  }

  /** A replica's squared norm, summed in index order (every path takes the same double). */
  static double squaredNorm(float[] params) {
    double norm = 0;
    for (float p : params) {
      norm += (double) p * p;
    }
    return norm;
  }

  /** {@code other}'s sums, added into these. */
  RoundSums merge(RoundSums other) {
    firstStartedMillis = Math.min(firstStartedMillis, other.firstStartedMillis);
    maxSetupNanos = Math.max(maxSetupNanos, other.maxSetupNanos);
    if (other.params == null) {
      return this;
    }
    if (params == null) {
      params = other.params.clone();
      updater = other.updater.clone();
    } else {
      for (int i = 0; i < params.length; i++) {
        params[i] += other.params[i];
      }
      for (int i = 0; i < updater.length; i++) {
        updater[i] += other.updater[i];
      }
    }
    squaredNorms += other.squaredNorms;
    examples += other.examples;
    lossSum += other.lossSum;
    workers += other.workers;
    maxBatches = Math.max(maxBatches, other.maxBatches);
    maxComputeNanos = Math.max(maxComputeNanos, other.maxComputeNanos);
    return this;
  }
}
