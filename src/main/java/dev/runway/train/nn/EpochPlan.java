package dev.runway.train.nn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which minibatches each worker trains in each round of one epoch. Every worker walks its own
 * blocks in a seeded order and, inside a block, the rows in a seeded shuffle, so an epoch visits
 * every row exactly once and the same job visits them in the same order every time. A round
 * never spans two blocks: each round's task reads one cached block.
 */
final class EpochPlan {
  /**
   * One worker's work in one round.
   *
   * @param worker the worker
   * @param orderSeed seed of the shuffle of its block's rows this epoch
   * @param firstBatch first minibatch of that shuffle
   * @param batches minibatches to train
   */
  record Step(int worker, long orderSeed, int firstBatch, int batches) implements Serializable {}

  private EpochPlan() {}

  /** Round by round, the step of each Spark partition (block) that trains in it. */
  static List<Map<Integer, Step>> rounds(
      BlockLayout layout, long epochSeed, int batchSize, int frequency) {
    Walk walk = new Walk(layout, epochSeed, batchSize, frequency);
    List<Map<Integer, Step>> plan = new ArrayList<>();
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
    /** Each worker's steps of {@code frequency} minibatches, in the order it trains them. */
    private final List<List<Map.Entry<Integer, Step>>> perWorker = new ArrayList<>();

    private final int[] next;

    Walk(BlockLayout layout, long epochSeed, int batchSize, int frequency) {
      for (int w = 0; w < layout.workers(); w++) {
        List<Map.Entry<Integer, Step>> steps = new ArrayList<>();
        for (int b : Block.shuffle(layout.blocksPerWorker(), epochSeed * 31 + w)) {
          int rows = layout.rowsOfBlock(w, b);
          int batches = (rows + batchSize - 1) / batchSize;
          long orderSeed = RowPermutation.mix(epochSeed * 1_000_003L + layout.partition(w, b));
          for (int first = 0; first < batches; first += frequency) {
            steps.add(Map.entry(
                layout.partition(w, b),
                new Step(w, orderSeed, first, Math.min(frequency, batches - first))));
          }
        }
        perWorker.add(steps);
      }
      next = new int[layout.workers()];
    }

    boolean done() {
      for (int w = 0; w < next.length; w++) {
        if (next[w] < perWorker.get(w).size()) {
          return false;
        }
      }
      return true;
    }

    /**
     * The next round: each worker's next {@code length} steps, fewer where its block ends first
     * (a round's task reads one cached block). Workers with nothing left sit the round out.
     */
    Map<Integer, Step> next(int length) {
      Map<Integer, Step> round = new LinkedHashMap<>();
      for (int w = 0; w < next.length; w++) {
        List<Map.Entry<Integer, Step>> steps = perWorker.get(w);
        if (next[w] >= steps.size()) {
          continue;
        }
        Map.Entry<Integer, Step> first = steps.get(next[w]++);
        Step step = first.getValue();
        int batches = step.batches();
        for (int taken = 1;
            taken < length
                && next[w] < steps.size()
                && steps.get(next[w]).getKey().equals(first.getKey());
            taken++) {
          batches += steps.get(next[w]++).getValue().batches();
        }
        round.put(first.getKey(), new Step(w, step.orderSeed(), step.firstBatch(), batches));
      }
      return round;
    }
  }
}
