package dev.runway.train.nn;

import dev.runway.error.OutOfMemory;
import java.io.Serializable;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

/**
 * One round of all workers, run as one Spark job over just the blocks the round trains on (see
 * {@link RoundBlocks}): each task loads the broadcast state into its worker's network, trains its
 * minibatches, block after block when the round runs on past one, and returns the new parameters.
 * Everything it needs is copied into its fields, so the task never drags the driver's objects
 * along.
 */
final class WorkerRound extends AbstractFunction2<TaskContext, Iterator<Block>, RoundResult>
    implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Broadcast<WorkerState> state;
  private final String configurationJson;
  private final String trainingId;
  private final long roundSeed;
  private final int batchSize;
  private final Augmentation augmentation;
  private final List<List<EpochPlan.Step>> steps;

  /**
   * @param roundSeed seeds the generator dropout draws from (with the worker)
   * @param steps each worker's steps in this round, in the order of the round's partitions
   */
  WorkerRound(
      Broadcast<WorkerState> state,
      String configurationJson,
      String trainingId,
      long roundSeed,
      int batchSize,
      Augmentation augmentation,
      List<List<EpochPlan.Step>> steps) {
    this.state = state;
    this.configurationJson = configurationJson;
    this.trainingId = trainingId;
    this.roundSeed = roundSeed;
    this.batchSize = batchSize;
    this.augmentation = augmentation;
    this.steps = List.copyOf(steps);
  }

  @Override
  public RoundResult apply(TaskContext task, Iterator<Block> blocks) {
    return onPartition(task.partitionId(), blocks::next);
  }

  /**
   * This round's work for partition {@code partition} of the round; {@code blocks} hands out its
   * blocks in order.
   */
  RoundResult onPartition(int partition, Supplier<Block> blocks) {
    return OutOfMemory.inTask(() -> run(steps.get(partition), blocks));
  }

  /** One worker's steps, the i-th on the i-th block {@code blocks} hands out. */
  RoundResult run(List<EpochPlan.Step> mine, Supplier<Block> blocks) {
    int worker = mine.get(0).worker();
    return train(
        mine,
        partition -> blocks.get(),
        () -> {
          Threads.forCurrentTask();
          MultiLayerNetwork net = Networks.worker(trainingId, worker, configurationJson);
          Networks.load(net, state.value());
          return net;
        },
        roundSeed,
        batchSize,
        augmentation);
  }

  /**
   * One worker's steps of one round, the same for both ways a round runs (one Spark job a round,
   * or an epoch's rounds in one task): {@code blockOf} gives each step's block by its partition,
   * and {@code network} the worker's network loaded with the round's starting state, asked for
   * only when there is a minibatch to train.
   */
  static RoundResult train(
      List<EpochPlan.Step> mine,
      IntFunction<Block> blockOf,
      Supplier<MultiLayerNetwork> network,
      long roundSeed,
      int batchSize,
      Augmentation augmentation) {
    long started = System.currentTimeMillis();
    long taskStart = System.nanoTime();
    int worker = mine.get(0).worker();
    MultiLayerNetwork net = null;
    Minibatches minibatches = null;
    long start = 0;
    int examples = 0;
    int batches = 0;
    double lossSum = 0;
    for (EpochPlan.Step step : mine) {
      Block block = blockOf.apply(step.partition());
      int last = Math.min(block.batches(batchSize), step.firstBatch() + step.batches());
      if (step.firstBatch() >= last) {
        continue;
      }
      if (net == null) {
        net = network.get();
        // Dropout draws from ND4J's random generator, whose state would otherwise depend on what
        // this JVM ran before. Seeding it from the round and the worker makes a round's result a
        // function of its inputs alone: a task rerun on another executor (one was lost), a resumed
        // run and a cluster run all train exactly what an undisturbed local run trains.
        Nd4j.getRandom().setSeed(roundSeed * 31 + worker);
        minibatches = new Minibatches(batchSize, block.nIn, block.nOut, augmentation);
        start = System.nanoTime();
      }
      int[] order = block.permutation(step.orderSeed());
      for (int b = step.firstBatch(); b < last; b++) {
        var batch = minibatches.batch(block, order, b, step.orderSeed());
        net.fit(batch);
        int n = batch.numExamples();
        examples += n;
        lossSum += net.score() * n;
      }
      batches += last - step.firstBatch();
    }
    if (net == null) {
      return RoundResult.idle(worker);
    }
    long compute = System.nanoTime() - start;
    return new RoundResult(
        worker,
        examples,
        batches,
        Networks.params(net),
        Networks.updater(net),
        lossSum,
        compute,
        started,
        start - taskStart);
  }
}
