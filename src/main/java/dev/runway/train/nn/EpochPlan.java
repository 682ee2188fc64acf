package dev.runway.train.nn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Which minibatches each worker trains in each round of one epoch. Every worker walks its own
 * blocks in a seeded order and, inside a block, the rows in a seeded shuffle, so an epoch visits
 * every row exactly once and the same job visits them in the same order every time. A round may
 * run on from one block into the next: its task then reads the worker's blocks one after the
 * other (see {@link RoundBlocks}), so a round's length is not bounded by the block size, which is
 * set by memory, not by how often the workers should average.
 */
final class EpochPlan {
  /**
   * One contiguous run of minibatches of one block, in one round.
   *
   * @param worker the worker
   * @param partition the block's Spark partition in the training blocks
   * @param orderSeed seed of the shuffle of the block's rows this epoch
   * @param firstBatch first minibatch of that shuffle
   * @param batches minibatches to train
   */
  record Step(int worker, int partition, long orderSeed, int firstBatch, int batches)
      implements Serializable {}

  private EpochPlan() {}

  /**
   * Round by round, each worker's steps (in order) in rounds of {@code frequency} minibatches: the
   * fixed plan, and the most rounds an epoch can take.
   */
  static List<List<List<Step>>> rounds(
      BlockLayout layout, long epochSeed, int batchSize, int frequency) {
    Walk walk = new Walk(layout, epochSeed, batchSize, frequency);
    List<List<List<Step>>> plan = new ArrayList<>();
    while (!walk.done()) {
      plan.add(walk.next(1));
    }
    return plan;
  }

  /**
   * The epoch's rounds one at a time, each as long as the caller asks: adaptive averaging decides
   * the next round's length from the last round's result. The rows each worker visits, and their
   * order, are the same whatever the lengths; only where the averagings fall moves.
   */
  static final class Walk {
    /** Each worker's blocks, in the order it trains them, with all their minibatches. */
    private final List<List<Step>> perWorker = new ArrayList<>();

    private final int frequency;
    /** Per worker: the block it is in, and the next minibatch of that block. */
    private final int[] block;

    private final int[] batch;

    Walk(BlockLayout layout, long epochSeed, int batchSize, int frequency) {
      this.frequency = frequency;
      for (int w = 0; w < layout.workers(); w++) {
        List<Step> blocks = new ArrayList<>();
        for (int b : Block.shuffle(layout.blocksPerWorker(), epochSeed * 31 + w)) {
          int batches = (layout.rowsOfBlock(w, b) + batchSize - 1) / batchSize;
          if (batches > 0) {
            int partition = layout.partition(w, b);
            long orderSeed = RowPermutation.mix(epochSeed * 1_000_003L + partition);
            blocks.add(new Step(w, partition, orderSeed, 0, batches));
          }
        }
        perWorker.add(blocks);
      }
      block = new int[layout.workers()];
      batch = new int[layout.workers()];
    }

    boolean done() {
      for (int w = 0; w < block.length; w++) {
        if (block[w] < perWorker.get(w).size()) {
          return false;
        }
      }
      return true;
    }

    /**
     * The next round: for each worker with minibatches left, its next {@code length x frequency}
     * minibatches (fewer where its epoch ends first), as one step per block they fall in.
     * Workers with nothing left sit the round out.
     */
    List<List<Step>> next(int length) {
      List<List<Step>> round = new ArrayList<>();
      long wanted = (long) length * frequency;
      for (int w = 0; w < block.length; w++) {
        List<Step> blocks = perWorker.get(w);
        List<Step> steps = new ArrayList<>();
        long left = wanted;
        while (left > 0 && block[w] < blocks.size()) {
          Step whole = blocks.get(block[w]);
          int take = (int) Math.min(left, whole.batches() - batch[w]);
          steps.add(new Step(w, whole.partition(), whole.orderSeed(), batch[w], take));
          left -= take;
          batch[w] += take;
          if (batch[w] == whole.batches()) {
            block[w]++;
            batch[w] = 0;
          }
        }
        if (!steps.isEmpty()) {
          round.add(List.copyOf(steps));
        }
      }
      return round;
    }
  }
}
