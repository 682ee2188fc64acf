package dev.runway.train.nn;

import dev.runway.error.OutOfMemory;
import dev.runway.train.nn.ParameterAveraging.RoundTiming;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.BlockResult;
import org.apache.spark.storage.RDDBlockId;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import scala.Option;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * A whole epoch of averaging rounds in one task per worker, the workers averaging among
 * themselves ({@code train.aggregation = peers}). The tasks form one barrier stage, so they run
 * at the same time; after each round the workers average over a {@link PeerMesh}, each one slice
 * of the state ({@link SlicedAverage}): the driver's arithmetic, the same sums in the same order,
 * done by the workers, and every worker ends with the whole average. Each then
 * decides the next round's length as the driver would, loads the average into its network and
 * trains on. The driver sees one Spark job an epoch instead of one a round, and receives one
 * state at the epoch's end instead of every worker's each round.
 *
 * <p>What an epoch trains is the same to the float as one job a round: the same walk through the
 * blocks ({@link EpochPlan.Walk}), the same seeds, the same sums in the same order. A task that
 * fails fails the stage, the driver runs all of its tasks again, and the epoch starts over from its
 * broadcast state, as deterministic as any round.
 */
final class EpochOfRounds extends AbstractFunction1<Iterator<Integer>, Iterator<byte[]>>
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * What a worker reports at the epoch's end. Every worker ends with the same state; only worker 0
   * returns it (and the round timings), so the driver receives one state an epoch.
   *
   * @param state the average after the epoch's last round (worker 0; null from the others)
   * @param divergedRound the round whose average was not finite, -1 if none (the epoch stopped
   *     there)
   * @param divergedLoss that round's mean training loss
   */
  record EpochRun(
      int worker,
      WorkerState state,
      double lossSum,
      long examples,
      double computeSeconds,
      double divergenceSum,
      int rounds,
      List<RoundTiming> timings,
      long firstStartedMillis,
      int divergedRound,
      double divergedLoss)
      implements Serializable {

    /** Java-serialized, the state in bulk ({@link WorkerState}'s own form). */
    byte[] toBytes() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    static EpochRun fromBytes(byte[] bytes) {
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
        return (EpochRun) in.readObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The id of the cached training blocks' RDD: partition p is block rdd_ID_p. */
  private final int blocksRdd;

  private final Broadcast<WorkerState> start;
  private final String configurationJson;
  private final String trainingId;
  private final BlockLayout layout;
  private final long epochSeed;
  private final int batchSize;
  private final int frequency;
  private final int maxLength;
  private final double agreement;
  private final Augmentation augmentation;
  private final Rendezvous.Address rendezvous;

  /**
   * @param blocks the cached training blocks; a task reads its worker's straight from the cache
   *     (the barrier stage cannot depend on them: Spark refuses a barrier stage over a parent
   *     with a different number of partitions; see {@link CurrentBlock})
   * @param start the state the epoch starts from
   * @param maxLength the longest round, in rounds of {@code frequency} minibatches
   * @param rendezvous where the tasks learn each other's addresses (on the driver); its token
   *     also opens every connection between two of this epoch's tasks
   */
  EpochOfRounds(
      RDD<Block> blocks,
      Broadcast<WorkerState> start,
      String configurationJson,
      String trainingId,
      BlockLayout layout,
      long epochSeed,
      int batchSize,
      int frequency,
      int maxLength,
      double agreement,
      Augmentation augmentation,
      Rendezvous.Address rendezvous) {
    this.blocksRdd = blocks.id();
    this.start = start;
    this.configurationJson = configurationJson;
    this.trainingId = trainingId;
    this.layout = layout;
    this.epochSeed = epochSeed;
    this.batchSize = batchSize;
    this.frequency = frequency;
    this.maxLength = maxLength;
    this.agreement = agreement;
    this.augmentation = augmentation;
    this.rendezvous = rendezvous;
  }

  @Override
  public Iterator<byte[]> apply(Iterator<Integer> workerIndex) {
    int worker = workerIndex.next();
    BarrierTaskContext task = BarrierTaskContext.get();
    EpochRun run = OutOfMemory.inTask(() -> {
      try (PeerMesh mesh = PeerMesh.open(
          worker,
          layout.workers(),
          SparkEnv.get().blockManager().blockManagerId().host(),
          rendezvous.token(),
          mine -> gather(task, worker, mine),
          task::isInterrupted)) {
        return epoch(worker, mesh);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    return JavaConverters.asScalaIterator(List.of(run.toBytes()).iterator());
  }

  private String[] gather(BarrierTaskContext task, int worker, String mine) {
    try {
      return Rendezvous.gather(
          rendezvous,
          task.stageAttemptNumber(),
          worker,
          layout.workers(),
          mine,
          task::isInterrupted);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private EpochRun epoch(int worker, PeerMesh mesh) throws IOException {
    Threads.forCurrentTask();
    MultiLayerNetwork net = Networks.worker(trainingId, worker, configurationJson);
    WorkerState state = start.value();
    int epoch = state.epoch();
    EpochPlan.Walk walk = new EpochPlan.Walk(layout, epochSeed, batchSize, frequency);
    CurrentBlock current = new CurrentBlock();
    List<RoundTiming> timings = new ArrayList<>();
    double lossSum = 0;
    long examples = 0;
    double computeSeconds = 0;
    double divergenceSum = 0;
    int roundsRun = 0;
    long firstStarted = Long.MAX_VALUE;
    int length = 1;
    SlicedAverage sliced =
        new SlicedAverage(layout.workers(), state.params().length, state.updater().length);
    for (int round = 0; !walk.done(); round++) {
      List<List<EpochPlan.Step>> steps = walk.next(length);
      long t0 = System.nanoTime();
      List<EpochPlan.Step> mine = null;
      for (List<EpochPlan.Step> s : steps) {
        if (s.get(0).worker() == worker) {
          mine = s;
        }
      }
      WorkerState from = state;
      RoundResult result = mine == null
          ? RoundResult.idle(worker)
          : WorkerRound.train(
              mine,
              current::of,
              () -> {
                Networks.load(net, from);
                return net;
              },
              epochSeed * 1_000_003L + round,
              batchSize,
              augmentation);
      // The round's results in the order the one-job-a-round path collects them: the workers
      // that had steps, by worker.
      int[] order = steps.stream().mapToInt(s -> s.get(0).worker()).toArray();
      byte[][] parts = mesh.exchangeEach(sliced.parts(result));
      long t1 = System.nanoTime();
      byte[] slice = sliced.slice(parts, order, worker);
      SlicedAverage.Round sums =
          sliced.round(parts, order, slice == null ? null : mesh.exchange(slice));
      Averaged averaged = sums.averaged();
      long t2 = System.nanoTime();
      // This worker's round, from its start to the last part in; a worker that started earlier
      // can have trained longer than that, and the round lasted at least the slowest's steps.
      // The average's part (this worker's slice, the slices' exchange) counts as the driver's.
      long slowest = sums.maxSetupNanos() + averaged.maxComputeNanos();
      timings.add(new RoundTiming(
          0,
          Math.max(t1 - t0, slowest) / 1e9,
          sums.maxSetupNanos() / 1e9,
          averaged.maxComputeNanos() / 1e9,
          (t2 - t1) / 1e9));
      firstStarted = Math.min(firstStarted, sums.firstStartedMillis());
      if (averaged.examples() == 0) {
        continue;
      }
      if (!Double.isFinite(averaged.lossSum()) || !averaged.finite()) {
        return new EpochRun(
            worker,
            null,
            lossSum,
            examples,
            computeSeconds,
            divergenceSum,
            roundsRun,
            timings,
            firstStarted,
            round,
            averaged.lossSum() / averaged.examples());
      }
      if (maxLength > 1) {
        length = ParameterAveraging.nextLength(
            length,
            averaged.divergence(),
            ParameterAveraging.relativeMove(state.params(), averaged.params()),
            agreement,
            maxLength);
      }
      state = new WorkerState(
          averaged.params(), averaged.updater(), state.iteration() + averaged.maxBatches(), epoch);
      lossSum += averaged.lossSum();
      examples += averaged.examples();
      computeSeconds += averaged.maxComputeNanos() / 1e9;
      divergenceSum += averaged.divergence();
      roundsRun++;
    }
    return new EpochRun(
        worker,
        worker == 0 ? state : null,
        lossSum,
        examples,
        computeSeconds,
        divergenceSum,
        roundsRun,
        worker == 0 ? timings : List.of(),
        firstStarted,
        -1,
        0);
  }

  /**
   * The block this worker trains on now, read from the cache when a step moves to another: a
   * round may end inside a block and the next go on in it. Only from the cache (this executor's
   * or another's): a barrier stage does not depend on the blocks, so a block lost with an
   * executor cannot be rebuilt here, and the driver rebuilds it before running the epoch again.
   */
  private final class CurrentBlock {
    private int partition = -1;
    private Block block;

    Block of(int wanted) {
      if (wanted != partition) {
        block = null;
        RDDBlockId id = new RDDBlockId(blocksRdd, wanted);
        Option<BlockResult> cached =
            SparkEnv.get().blockManager().get(id, ClassTag$.MODULE$.apply(Block.class));
        if (cached.isEmpty()) {
          throw new IllegalStateException("Training block " + id
              + " is cached on no executor (lost with one?): the epoch runs again once the"
              + " driver has rebuilt it");
        }
        Iterator<Object> values = cached.get().data();
        block = (Block) values.next();
        // Running the block's iterator to its end releases Spark's read lock on it now.
        while (values.hasNext()) {
          values.next();
        }
        partition = wanted;
      }
      return block;
    }
  }
}
