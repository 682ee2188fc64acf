package dev.runway.train.nn;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One worker's part of one averaging round, run as a Spark task on the worker's cached shard:
 * load the broadcast state, train on the round's minibatches of this epoch's shuffle, and return
 * the new parameters. Everything it needs is copied into its fields, so the task never drags the
 * driver's objects along.
 */
final class WorkerRound implements FlatMapFunction<Iterator<Shard>, RoundResult> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<WorkerState> state;
  private final String configurationJson;
  private final String trainingId;
  private final long epochSeed;
  private final int firstBatch;
  private final int batchesThisRound;
  private final int batchSize;

  WorkerRound(Broadcast<WorkerState> state, String configurationJson, String trainingId,
      long epochSeed, int firstBatch, int batchesThisRound, int batchSize) {
    this.state = state;
    this.configurationJson = configurationJson;
    this.trainingId = trainingId;
    this.epochSeed = epochSeed;
    this.firstBatch = firstBatch;
    this.batchesThisRound = batchesThisRound;
    this.batchSize = batchSize;
  }

  @Override
  public Iterator<RoundResult> call(Iterator<Shard> shards) {
    int partition = TaskContext.getPartitionId();
    Shard shard = shards.next();
    int last = Math.min(shard.batches(batchSize), firstBatch + batchesThisRound);
    if (firstBatch >= last) {
      return List.of(new RoundResult(partition, 0, 0, null, null, 0, 0)).iterator();
    }
    Threads.forCurrentTask();
    MultiLayerNetwork net = Networks.worker(trainingId, partition, configurationJson);
    Networks.load(net, state.value());
    // Each worker shuffles its own shard with a seed of the epoch and the worker, so an epoch
    // visits every example exactly once and the same job gives the same order every time.
    int[] order = shard.permutation(epochSeed * 31 + partition);
    // Dropout draws from ND4J's random generator, whose state would otherwise depend on what this
    // JVM ran before. Seeding it from the epoch, the round and the worker makes a round's result
    // a function of its inputs alone: a task rerun on another executor (one was lost), a resumed
    // run and a cluster run all train exactly what an undisturbed local run trains.
    Nd4j.getRandom().setSeed((epochSeed * 1_000_003L + firstBatch) * 31 + partition);
    long start = System.nanoTime();
    int examples = 0;
    double lossSum = 0;
    for (int b = firstBatch; b < last; b++) {
      var batch = shard.batch(order, b, batchSize);
      net.fit(batch);
      int n = batch.numExamples();
      examples += n;
      lossSum += net.score() * n;
    }
    long compute = System.nanoTime() - start;
    return List.of(new RoundResult(partition, examples, last - firstBatch, Networks.params(net),
        Networks.updater(net), lossSum, compute)).iterator();
  }
}
