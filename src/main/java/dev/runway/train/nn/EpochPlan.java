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
    List<List<Map.Entry<Integer, Step>>> perWorker = new ArrayList<>();
    int rounds = 0;
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
      rounds = Math.max(rounds, steps.size());
      perWorker.add(steps);
    }
    List<Map<Integer, Step>> plan = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      Map<Integer, Step> round = new LinkedHashMap<>();
      for (List<Map.Entry<Integer, Step>> steps : perWorker) {
        if (r < steps.size()) {
          round.put(steps.get(r).getKey(), steps.get(r).getValue());
        }
      }
      plan.add(round);
    }
    return plan;
  }
}
