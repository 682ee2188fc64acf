package dev.runway.train.nn;

import java.nio.ByteBuffer;

/**
 * A round's average computed by the workers among themselves, each owning one slice of it (the
 * peers path, {@link EpochOfRounds}). The state, parameters then updater state, is cut into one
 * contiguous slice a worker. First every worker sends each other worker its counters and its
 * floats of that worker's slice ({@link #parts}); then each worker sums its own slice over every
 * worker's floats, divides, and sends that average slice to every other ({@link #slice}); each
 * puts the slices together ({@link #round}).
 *
 * <p>Why slices: sending every worker's whole result to every other costs each worker (n - 1)
 * states in and out a round, and n states to add up; this costs about 2 (n - 1) / n states in and
 * out (at most two, whatever the number of workers: two workers send what they did before) and
 * n / n = one state of additions, so the path can run at any number of workers.
 *
 * <p>The result is {@link Averaged#of(RoundSums)}'s to the float: each element is the same
 * products added in the same order (the workers in {@code order}, the order the driver adds
 * results), the replicas' squared norms are each worker's own, summed as {@link RoundSums} sums
 * them, and the average's squared norm comes in the blocks {@link Averaged#NORM_BLOCK} to which
 * the slices are aligned.
 */
final class SlicedAverage {
  /** A part's counters: worker, examples, batches; loss, compute, start, setup, squared norm. */
  private static final int HEADER = 3 * 4 + 5 * 8;

  /**
   * The round's average and what the round's timing reads from the workers' counters beyond it
   * (the slowest compute is the average's own {@link Averaged#maxComputeNanos}).
   */
  record Round(Averaged averaged, long maxSetupNanos, long firstStartedMillis) {}

  private final int paramCount;
  private final int updaterCount;
  /** Worker k owns the state's floats [bounds[k], bounds[k + 1]). */
  private final int[] bounds;

  /** For {@code workers} workers of a network with these parameter and updater counts. */
  SlicedAverage(int workers, int paramCount, int updaterCount) {
    this.paramCount = paramCount;
    this.updaterCount = updaterCount;
    this.bounds = bounds(paramCount + updaterCount, workers);
  }

  /**
   * Slice bounds over {@code floats} floats for {@code workers} workers: whole norm blocks, as
   * even as blocks allow (small networks leave some workers an empty slice).
   */
  static int[] bounds(int floats, int workers) {
    long blocks = (floats + (long) Averaged.NORM_BLOCK - 1) / Averaged.NORM_BLOCK;
    int[] bounds = new int[workers + 1];
    for (int k = 0; k <= workers; k++) {
      bounds[k] = (int) Math.min(floats, blocks * k / workers * Averaged.NORM_BLOCK);
    }
    return bounds;
  }

  /**
   * What this worker sends each worker in the first exchange: its counters and, if it trained,
   * its floats of that worker's slice ({@code [k]} for worker k, its own included).
   */
  byte[][] parts(RoundResult mine) {
    double norm = mine.examples() > 0 ? RoundSums.squaredNorm(mine.params()) : 0;
    byte[][] parts = new byte[bounds.length - 1][];
    for (int k = 0; k < parts.length; k++) {
      int from = bounds[k];
      int to = bounds[k + 1];
      int floats = mine.examples() > 0 ? to - from : 0;
      ByteBuffer out = ByteBuffer.allocate(HEADER + 4 * floats);
      out.putInt(mine.worker()).putInt(mine.examples()).putInt(mine.batches());
      out.putDouble(mine.lossSum()).putLong(mine.computeNanos()).putLong(mine.startedAtMillis());
      out.putLong(mine.setupNanos()).putDouble(norm);
      if (floats > 0) {
        eachArray(from, to, mine.params(), mine.updater(), out.asFloatBuffer()::put);
      }
      parts[k] = out.array();
    }
    return parts;
  }

  /**
   * The average of worker {@code owner}'s slice from every worker's part of it ({@code parts[w]}
   * from worker w), the workers added in {@code order}: the norm blocks' count, their squared
   * sums, then the slice's floats. Null when no worker trained this round (there is no average).
   */
  byte[] slice(byte[][] parts, int[] order, int owner) {
    int from = bounds[owner];
    int length = bounds[owner + 1] - from;
    double[] sums = new double[length];
    float[] floats = new float[length];
    long examples = 0;
    for (int w : order) {
      ByteBuffer in = ByteBuffer.wrap(parts[w]);
      int weight = in.getInt(4); // the examples, after the worker's index
      if (weight == 0) {
        continue;
      }
      in.position(HEADER).asFloatBuffer().get(floats);
      RoundSums.addWeighted(sums, floats, weight);
      examples += weight;
    }
    if (examples == 0) {
      return null;
    }
    // The parameters' norm blocks in this slice, then the updater's floats without norms.
    int paramEnd = Math.max(0, Math.min(length, paramCount - from));
    int blocks = (paramEnd + Averaged.NORM_BLOCK - 1) / Averaged.NORM_BLOCK;
    ByteBuffer out = ByteBuffer.allocate(4 + 8 * blocks + 4 * length);
    out.putInt(blocks);
    for (int b = 0; b < paramEnd; b += Averaged.NORM_BLOCK) {
      out.putDouble(
          Averaged.average(sums, examples, floats, b, Math.min(paramEnd, b + Averaged.NORM_BLOCK)));
    }
    Averaged.average(sums, examples, floats, paramEnd, length);
    out.asFloatBuffer().put(floats);
    return out.array();
  }

  /**
   * The round from every worker's part (for the counters) and every worker's average slice ({@code
   * slices[k]} from worker k; null when {@link #slice} returned null, as it then does on every
   * worker).
   */
  Round round(byte[][] parts, int[] order, byte[][] slices) {
    RoundSums counters = new RoundSums();
    for (int w : order) {
      ByteBuffer in = ByteBuffer.wrap(parts[w]);
      in.getInt(); // the worker's index
      // The header's fields as parts() wrote them, read in argument order: examples, batches,
      // loss, compute, start, setup, squared norm.
      counters.addCounters(
          in.getInt(),
          in.getInt(),
          in.getDouble(),
          in.getLong(),
          in.getLong(),
          in.getLong(),
          in.getDouble());
    }
    if (counters.examples == 0) {
      return new Round(Averaged.none(), counters.maxSetupNanos, counters.firstStartedMillis);
    }
    float[] params = new float[paramCount];
    float[] updater = new float[updaterCount];
    double averageNorm = 0;
    for (int k = 0; k < slices.length; k++) {
      ByteBuffer in = ByteBuffer.wrap(slices[k]);
      int blocks = in.getInt();
      for (int b = 0; b < blocks; b++) {
        averageNorm += in.getDouble();
      }
      eachArray(bounds[k], bounds[k + 1], params, updater, in.asFloatBuffer()::get);
    }
    return new Round(
        Averaged.of(counters, params, updater, averageNorm),
        counters.maxSetupNanos,
        counters.firstStartedMillis);
  }

  /** A copy between part of an array and a buffer: {@code FloatBuffer::put} or {@code ::get}. */
  private interface Copy {
    void apply(float[] array, int offset, int length);
  }

  /**
   * Applies {@code copy} to the state's floats [from, to), which lie in the parameters, the updater
   * state or both (the state is the parameters, then the updater state).
   */
  private void eachArray(int from, int to, float[] params, float[] updater, Copy copy) {
    int p = Math.min(to, paramCount);
    if (from < p) {
      copy.apply(params, from, p - from);
    }
    int u = Math.max(from, paramCount);
    if (u < to) {
      copy.apply(updater, u - paramCount, to - u);
    }
  }
}
