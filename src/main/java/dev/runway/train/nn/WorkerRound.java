package dev.runway.train.nn;

import dev.runway.error.OutOfMemory;
import java.io.Serializable;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * One round of all workers, run as one Spark job over just the blocks the round trains on: each
 * task loads the broadcast state into its worker's network, trains its minibatches of its block,
 * and returns the new parameters. Everything it needs is copied into its fields, so the task
 * never drags the driver's objects along.
 */
final class WorkerRound extends AbstractFunction2<TaskContext, Iterator<Block>, RoundResult>
    implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Broadcast<WorkerState> state;
  private final String configurationJson;
  private final String trainingId;
  private final long roundSeed;
  private final int batchSize;
  private final Map<Integer, EpochPlan.Step> steps;

  /**
   * @param roundSeed seeds the generator dropout draws from (with the worker)
   * @param steps the step of each partition (block) in this round
   */
  WorkerRound(
      Broadcast<WorkerState> state,
      String configurationJson,
      String trainingId,
      long roundSeed,
      int batchSize,
      Map<Integer, EpochPlan.Step> steps) {
    this.state = state;
    this.configurationJson = configurationJson;
    this.trainingId = trainingId;
    this.roundSeed = roundSeed;
    this.batchSize = batchSize;
    this.steps = Map.copyOf(steps);
  }

  @Override
  public RoundResult apply(TaskContext task, Iterator<Block> blocks) {
    return onBlock(blocks.next(), task.partitionId());
  }

  /** This round's step on the block of partition {@code partition} of the training blocks. */
  RoundResult onBlock(Block block, int partition) {
    return OutOfMemory.inTask(() -> run(block, steps.get(partition)));
  }

  /** This round's step on one block. */
  RoundResult run(Block block, EpochPlan.Step step) {
    long started = System.currentTimeMillis();
    long taskStart = System.nanoTime();
    int last = Math.min(block.batches(batchSize), step.firstBatch() + step.batches());
    if (step.firstBatch() >= last) {
      return RoundResult.idle(step.worker());
    }
    Threads.forCurrentTask();
    MultiLayerNetwork net = Networks.worker(trainingId, step.worker(), configurationJson);
    Networks.load(net, state.value());
    int[] order = block.permutation(step.orderSeed());
    // Dropout draws from ND4J's random generator, whose state would otherwise depend on what this
    // JVM ran before. Seeding it from the round and the worker makes a round's result a function
    // of its inputs alone: a task rerun on another executor (one was lost), a resumed run and a
    // cluster run all train exactly what an undisturbed local run trains.
    Nd4j.getRandom().setSeed(roundSeed * 31 + step.worker());
    long start = System.nanoTime();
    int examples = 0;
    double lossSum = 0;
    for (int b = step.firstBatch(); b < last; b++) {
      var batch = block.batch(order, b, batchSize);
      net.fit(batch);
      int n = batch.numExamples();
      examples += n;
      lossSum += net.score() * n;
    }
    long compute = System.nanoTime() - start;
    return new RoundResult(
        step.worker(),
        examples,
        last - step.firstBatch(),
        Networks.params(net),
        Networks.updater(net),
        lossSum,
        compute,
        started,
        start - taskStart);
  }
}
