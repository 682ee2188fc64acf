package dev.runway.train.nn;

import dev.runway.error.TrainingException;
import dev.runway.features.Target;
import dev.runway.train.TrainingData;
import dev.runway.train.nn.TrainSettings.Aggregation;
import dev.runway.train.nn.TrainSettings.StopMetric;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * runway's parameter-averaging engine, on plain Spark primitives.
 *
 * <p>The training split is cut once into cached blocks, each a random sample of the rows owned by
 * one worker (see {@link Blocks}); Spark keeps them in memory and spills the rest to local disk,
 * so the data may be larger than the executors' memory. Every round, the driver broadcasts one
 * state (parameters and updater state) and runs one Spark job over just the block each worker
 * trains on next: each worker, in its own task, loads the state into a network it keeps between
 * rounds, trains {@code averaging-frequency} minibatches of that block, and returns its
 * parameters; the driver averages them, weighted by examples, and the next round starts from the
 * average. Each epoch every worker walks its blocks and their rows in a fresh seeded order (see
 * {@link EpochPlan}), so every example is used exactly once per epoch (dl4j-spark's
 * TrainingMaster skips some). After each epoch: validation, early stopping, a checkpoint.
 *
 * <p>With {@code train.aggregation = peers} the driver runs one job an epoch instead, and the
 * workers average among themselves after each round, to the same floats ({@link EpochOfRounds}).
 */
record ParameterAveraging(SparkSession spark, NetworkSpec spec, TrainSettings settings) {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveraging.class);

  /**
   * The fitted network and its history.
   *
   * @param firstStepAtMillis when the first minibatch step started (epoch milliseconds; 0 if none ran)
   * @param blocks how the training data was cut and stored
   * @param aggregation the path the rounds' results took to the average: direct or tree
   * @param rounds where each round's time went, for the benchmarks
   */
  record Result(
      String configurationJson,
      float[] params,
      List<EpochStats> history,
      int bestEpoch,
      int workers,
      long firstStepAtMillis,
      Map<String, Object> blocks,
      Aggregation aggregation,
      List<RoundTiming> rounds) {}

  /**
   * Where one round's wall time went.
   *
   * @param broadcastS the driver creating the broadcast of the state
   * @param roundS the round's Spark job, from submission to its result on the driver
   * @param setupS the slowest worker's time to fetch the state and load it
   * @param computeS the slowest worker's minibatch steps
   * @param driverS the driver turning the result into the average (direct: summing every worker's)
   */
  record RoundTiming(
      double broadcastS, double roundS, double setupS, double computeS, double driverS)
      implements Serializable {
    /** What the loop around the steps cost: task launch, results' transfer, the tree's stages. */
    double aggregateS() {
      return Math.max(0, roundS - setupS - computeS);
    }
  }

  /**
   * The aggregation path for {@code workers} workers whose state (parameters and updater) is
   * {@code stateFloats} floats, on a driver with {@code driverHeapBytes} of heap; {@code
   * peersPossible}: the workers' tasks can all run at once as one barrier stage (no more workers
   * than task slots, no dynamic allocation, no other training fitted beside this one).
   *
   * <p>Auto: peers wherever they can run with two or more workers. Each worker sends and receives
   * about two states a round whatever the number of workers ({@link SlicedAverage}), the driver
   * none, and an epoch is one Spark job; scripts/bench-scale measured its rounds 5.8 to 16 times
   * faster than the faster other path at every point of its sweep (2 to 8 executors, 0.25M to
   * 25M parameters), and its cost model, run at 10 Gbit/s, keeps it the fastest up to 100
   * executors. Where peers cannot run: tree when the driver would receive more than 2 GiB a round,
   * or more than a quarter of its heap. The same model has direct faster up to 4.8 GB a round into
   * the driver (16 executors of a 25M-parameter network) and the tree from 9.6 GB (32), but the
   * driver holds a round's results all at once, so its memory sets the bound. Else direct.
   */
  static Aggregation aggregation(
      Aggregation configured,
      int workers,
      long stateFloats,
      long driverHeapBytes,
      boolean peersPossible) {
    if (configured == Aggregation.PEERS) {
      // One worker has nothing to exchange: its epochs are single rounds on the direct path.
      return workers > 1 ? Aggregation.PEERS : Aggregation.DIRECT;
    }
    if (configured != Aggregation.AUTO) {
      return configured;
    }
    if (workers > 1 && peersPossible) {
      return Aggregation.PEERS;
    }
    long directBytes = 4L * stateFloats * workers;
    return directBytes > (2L << 30) || directBytes > driverHeapBytes / 4
        ? Aggregation.TREE
        : Aggregation.DIRECT;
  }

  Result fit(TrainingData data) {
    EngineSetup setup = EngineSetup.of(spark, spec, settings, data);
    JavaSparkContext jsc = setup.jsc();
    int workers = setup.workers();
    int nIn = setup.nIn();
    int nOut = setup.nOut();
    String conf = setup.configurationJson();
    Target target = data.target();
    int batchSize = setup.batchSize();
    int frequency = settings.averagingFrequency();

    // A tune's trials on the same rows and layout share one cut (data.derived() keeps it).
    jsc.setJobDescription("runway: cut the training data into blocks for " + workers + " workers");
    Blocks train =
        cut(data, data.train(), workers, nIn, nOut, data.seed(), batchSize * frequency, setup);
    Blocks validation = null;
    try {
      jsc.setJobDescription("runway: cut the validation data into blocks");
      validation =
          cut(data, data.validation(), workers, nIn, nOut, data.seed() + 1, batchSize, setup);
      BlockLayout layout = train.layout();
      long validationRows = validation.layout().rows();
      int rounds = EpochPlan.rounds(layout, 0, batchSize, frequency).size();
      // One worker has nothing to average with (the average of one replica is the replica), so
      // with adaptive averaging on, each of its epochs is one round: one Spark job and two state
      // transfers an epoch instead of one per round, and the same training to the float.
      boolean alone = workers == 1 && settings.adaptive();
      // The longest round, in rounds of averaging-frequency minibatches (1: fixed rounds).
      int maxLength = alone
          ? rounds
          : settings.adaptive() ? Math.max(1, settings.maxAveragingFrequency() / frequency) : 1;
      LOG.info(String.format(
          Locale.ROOT,
          "Parameter averaging: %d workers, %,d training rows in %d blocks of up to"
              + " %,d rows (%s, %.1f MB: %.1f MB cached in memory, %.1f MB on local disk), minibatches of %d,"
              + " averaging every %s%s",
          workers,
          layout.rows(),
          layout.partitions(),
          layout.rowsPerBlock(),
          train.sparse() ? "sparse" : "dense",
          train.bytes() / 1e6,
          train.memoryBytes() / 1e6,
          train.diskBytes() / 1e6,
          batchSize,
          cadence(alone, frequency, maxLength, rounds),
          settings.augmentation().describe()));

      Optional<Checkpoint> resumed = Checkpoint.latest(data.checkpoints(), conf);
      WorkerState state;
      List<EpochStats> history = new ArrayList<>();
      float[] best;
      int bestEpoch;
      double bestScore;
      if (resumed.isPresent()) {
        Checkpoint c = resumed.get();
        state = c.state();
        history.addAll(c.history());
        best = c.bestParams();
        bestEpoch = c.bestEpoch();
        bestScore = c.bestScore();
        LOG.info("Resuming from the checkpoint of epoch {}", state.epoch());
      } else {
        MultiLayerNetwork init = Networks.build(conf);
        state = new WorkerState(Networks.params(init), Networks.updater(init), 0, 0);
        best = state.params();
        bestEpoch = 0;
        bestScore = Double.NaN;
      }

      int slots = jsc.defaultParallelism();
      if (settings.aggregation() == Aggregation.PEERS && workers > slots) {
        // Not an error here: executors still registering (a cluster application's first
        // seconds) count no slots yet, and Spark holds a barrier stage until there are enough.
        // Where the settings say the slots will never come, pre-flight has stopped the job.
        LOG.warn(
            "warning: train.aggregation = peers runs all {} workers' tasks at once, and Spark has"
                + " {} task slots so far: each epoch waits for enough executors",
            workers,
            slots);
      }
      boolean peersPossible = workers <= slots
          && !jsc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)
          && !Placement.sideBySide(jsc.sc());
      Aggregation path = aggregation(
          settings.aggregation(),
          workers,
          (long) state.params().length + state.updater().length,
          Runtime.getRuntime().maxMemory(),
          peersPossible);
      LOG.info(
          "Averaging path: {} ({} workers x {} floats of state)",
          path,
          workers,
          state.params().length + state.updater().length);
      List<RoundTiming> timings = new ArrayList<>();
      String trainingId = UUID.randomUUID().toString();
      boolean accuracyWatched = settings.stopMetric() == StopMetric.VALIDATION_ACCURACY;
      long started = System.nanoTime();
      Long firstStep = null;
      int firstEpoch = state.epoch();
      for (int epoch = firstEpoch; epoch < settings.epochs(); epoch++) {
        long epochSeed = data.seed() * 1_000_003L + epoch;
        double trainLoss = 0;
        long examples = 0;
        double computeSeconds = 0;
        double divergence = 0;
        int roundsRun = 0;
        long epochStart = System.nanoTime();
        EpochPlan.Walk walk = new EpochPlan.Walk(layout, epochSeed, batchSize, frequency);
        // Round length in steps of averaging-frequency minibatches: each epoch starts at one
        // (one worker: at the whole epoch).
        int length = alone ? maxLength : 1;
        if (path == Aggregation.PEERS) {
          jsc.setJobDescription("runway: train epoch " + (epoch + 1) + "/" + settings.epochs()
              + ", all its rounds (the " + workers + " workers average among themselves)");
          EpochOfRounds.EpochRun run = runOnPeers(
              jsc,
              train,
              new WorkerState(state.params(), state.updater(), state.iteration(), epoch),
              workers,
              setup.homes(),
              (start, rendezvous) -> new EpochOfRounds(
                  train.rdd().rdd(),
                  start,
                  conf,
                  trainingId,
                  layout,
                  epochSeed,
                  batchSize,
                  frequency,
                  maxLength,
                  settings.agreement(),
                  settings.augmentation(),
                  rendezvous));
          timings.addAll(run.timings());
          if (firstStep == null && run.firstStartedMillis() != Long.MAX_VALUE) {
            firstStep = run.firstStartedMillis();
          }
          if (run.divergedRound() >= 0) {
            throw diverged(run.divergedLoss(), epoch, run.divergedRound());
          }
          if (run.examples() > 0) {
            state = run.state();
          }
          trainLoss = run.lossSum();
          examples = run.examples();
          computeSeconds = run.computeSeconds();
          divergence = run.divergenceSum();
          roundsRun = run.rounds();
        } else {
          for (int round = 0; !walk.done(); round++) {
            List<List<EpochPlan.Step>> steps = walk.next(length);
            jsc.setJobDescription("runway: train epoch " + (epoch + 1) + "/" + settings.epochs()
                + ", round " + (round + 1) + " (" + longest(steps) + " minibatches)");
            long t0 = System.nanoTime();
            Broadcast<WorkerState> broadcast = jsc.broadcast(
                new WorkerState(state.params(), state.updater(), state.iteration(), epoch));
            long t1 = System.nanoTime();
            WorkerRound work = new WorkerRound(
                broadcast,
                conf,
                trainingId,
                epochSeed * 1_000_003L + round,
                batchSize,
                settings.augmentation(),
                steps);
            // Tree: the executors summed; direct: the driver sums the collected results, and that
            // summing counts as the driver's work below.
            RoundSums sums;
            long t2;
            if (path == Aggregation.TREE) {
              sums = runTree(train, work, steps);
              t2 = System.nanoTime();
            } else {
              List<RoundResult> results = runRound(train, work, steps);
              t2 = System.nanoTime();
              sums = RoundSums.of(results);
            }
            Averaged averaged = Averaged.of(sums);
            long t3 = System.nanoTime();
            broadcast.destroy();
            timings.add(new RoundTiming(
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9,
                sums.maxSetupNanos / 1e9,
                sums.maxComputeNanos / 1e9,
                (t3 - t2) / 1e9));
            if (firstStep == null) {
              firstStep = sums.firstStartedMillis;
            }
            if (averaged.examples() == 0) {
              continue;
            }
            if (!Double.isFinite(averaged.lossSum()) || !averaged.finite()) {
              throw diverged(averaged.lossSum() / averaged.examples(), epoch, round);
            }
            // (One worker's single round ends the epoch, so what this decides is never used.)
            if (maxLength > 1) {
              length = nextLength(
                  length,
                  averaged.divergence(),
                  relativeMove(state.params(), averaged.params()),
                  settings.agreement(),
                  maxLength);
            }
            state = new WorkerState(
                averaged.params(),
                averaged.updater(),
                state.iteration() + averaged.maxBatches(),
                epoch);
            trainLoss += averaged.lossSum();
            examples += averaged.examples();
            computeSeconds += averaged.maxComputeNanos() / 1e9;
            divergence += averaged.divergence();
            roundsRun++;
          }
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        state = new WorkerState(state.params(), state.updater(), state.iteration(), epoch + 1);

        double[] val = validationRows == 0
            ? new double[] {Double.NaN, Double.NaN, 0}
            : evaluate(jsc, validation.rdd(), conf, state.params());
        double valLoss = val[0];
        double valAccuracy = target.classification() ? val[1] : Double.NaN;
        EpochStats stats = new EpochStats(
            epoch + 1,
            trainLoss / examples,
            valLoss,
            valAccuracy,
            examples,
            seconds,
            computeSeconds,
            roundsRun,
            divergence / Math.max(1, roundsRun));
        history.add(stats);

        double score = accuracyWatched ? -valAccuracy : valLoss;
        if (Double.isNaN(score) || Double.isNaN(bestScore) || score < bestScore) {
          best = state.params();
          bestEpoch = epoch + 1;
          bestScore = Double.isNaN(score) ? bestScore : score;
        }
        new Checkpoint(conf, state, best, bestEpoch, bestScore, history).save(data.checkpoints());
        logProgress(stats, started, epoch + 1 - firstEpoch);
        boolean patienceRanOut =
            settings.patience() > 0 && epoch + 1 - bestEpoch >= settings.patience();
        if (patienceRanOut || epoch + 1 == settings.epochs()) {
          LOG.info(endMessage(
              epoch + 1,
              settings.epochs(),
              bestEpoch,
              settings.stopMetric(),
              accuracyWatched ? -bestScore : bestScore,
              settings.patience()));
          break;
        }
      }
      logRoundSplit(timings, (System.nanoTime() - started) / 1e9);
      return new Result(
          conf,
          best,
          history,
          bestEpoch,
          workers,
          firstStep == null ? 0 : firstStep,
          train.summary(),
          path,
          timings);
    } finally {
      if (!data.derived().keeps()) {
        train.unpersist();
        if (validation != null) {
          validation.unpersist();
        }
      }
    }
  }

  /**
   * {@code rows} cut into blocks, through {@code data.derived()}: a store that keeps cuts hands the
   * same blocks to every training of the same rows cut the same way, so the key is the rows and
   * every argument of the cut.
   */
  private Blocks cut(
      TrainingData data,
      Dataset<Row> rows,
      int workers,
      int nIn,
      int nOut,
      long seed,
      int rowsPerRound,
      EngineSetup setup) {
    String key = String.join(
        "/",
        "blocks",
        String.valueOf(System.identityHashCode(rows)),
        String.valueOf(workers),
        String.valueOf(nIn),
        String.valueOf(nOut),
        String.valueOf(seed),
        String.valueOf(rowsPerRound),
        String.valueOf(settings.blockBytes()),
        Arrays.toString(setup.homes()));
    return data.derived()
        .get(
            key,
            () -> Blocks.cut(
                rows, workers, nIn, nOut, seed, rowsPerRound, settings.blockBytes(), setup.homes()),
            Blocks::unpersist);
  }

  /** How often the workers average, for the training's first log line. */
  private static String cadence(boolean alone, int frequency, int maxLength, int rounds) {
    if (alone) {
      return "never: one worker, one round per epoch";
    }
    if (maxLength > 1) {
      return String.format(
          Locale.ROOT,
          "%d to %d minibatches as the workers agree (at most %d rounds per epoch)",
          frequency,
          maxLength * frequency,
          rounds);
    }
    return String.format(Locale.ROOT, "%d (%d rounds per epoch)", frequency, rounds);
  }

  /** The most minibatches any worker trains in a round of {@code steps}. */
  private static int longest(List<List<EpochPlan.Step>> steps) {
    return steps.stream()
        .mapToInt(mine -> mine.stream().mapToInt(EpochPlan.Step::batches).sum())
        .max()
        .orElse(0);
  }

  /**
   * The next round's length (in rounds of averaging-frequency minibatches) after one of {@code
   * length}: twice as long when the replicas' spread around their average ({@code divergence}) was
   * under {@code agreement} times the distance the average moved ({@code moved}, both relative to
   * the average's norm), else half as long; between 1 and {@code maxLength}.
   *
   * <p>Why this ratio: averaging pulls the replicas back together, and what it corrects is their
   * spread. When they moved mostly the same way (spread small against the common step), averaging
   * less often loses little, and each round saved is a Spark job and two state transfers; when
   * they pulled apart (spread near or above the step, as for two workers on Fashion-MNIST),
   * rounds stay short. One worker has no spread at all, and its rounds grow to the longest.
   */
  static int nextLength(
      int length, double divergence, double moved, double agreement, int maxLength) {
    boolean agreed = divergence < agreement * moved;
    return agreed ? Math.min(maxLength, length * 2) : Math.max(1, length / 2);
  }

  /** How far {@code to} is from {@code from}, relative to {@code to}'s norm (as the divergence). */
  static double relativeMove(float[] from, float[] to) {
    double moved = 0;
    double norm = 0;
    for (int i = 0; i < to.length; i++) {
      double d = (double) to[i] - from[i];
      moved += d * d;
      norm += (double) to[i] * to[i];
    }
    return Math.sqrt(moved) / Math.max(Math.sqrt(norm), 1e-12);
  }

  /**
   * What training says when it ends after epoch {@code epochsRun} of {@code epochs}: early
   * stopping only when epochs were left to run; either way which epoch's model is kept and why.
   *
   * @param best the kept epoch's value of {@code metric}; NaN without a validation split
   */
  static String endMessage(
      int epochsRun, int epochs, int bestEpoch, StopMetric metric, double best, int patience) {
    String words = metric.configName().replace('-', ' ');
    String kept = Double.isNaN(best)
        ? "keeping epoch " + bestEpoch + " (the last: no validation split to choose by)"
        : String.format(Locale.ROOT, "keeping epoch %d (best %s %.4f)", bestEpoch, words, best);
    if (epochsRun < epochs) {
      return "Early stopping after epoch " + epochsRun + " of " + epochs + ": no better " + words
          + " for " + patience + (patience == 1 ? " epoch; " : " epochs; ") + kept;
    }
    return "Finished " + epochs + (epochs == 1 ? " epoch; " : " epochs; ") + kept;
  }

  private void logProgress(EpochStats s, long started, int epochsRunHere) {
    double elapsed = (System.nanoTime() - started) / 1e9;
    double eta = elapsed / epochsRunHere * (settings.epochs() - s.epoch());
    LOG.info(String.format(
        Locale.ROOT,
        "epoch %d/%d: train loss %.4f, validation loss %.4f accuracy %.4f, %,.0f examples/s"
            + " (compute %.0f%%), %d rounds, divergence %.4f, ETA %.0f s",
        s.epoch(),
        settings.epochs(),
        s.trainLoss(),
        s.validationLoss(),
        s.validationAccuracy(),
        s.examplesPerSecond(),
        100 * s.computeSeconds() / s.seconds(),
        s.rounds(),
        s.divergence(),
        eta));
  }

  /** The error of a training whose average stopped being finite in {@code round} of {@code epoch}. */
  private static TrainingException diverged(double loss, int epoch, int round) {
    return new TrainingException("Training diverged: the loss became " + loss + " in epoch "
        + (epoch + 1) + ", round " + (round + 1) + " (lower model.neural-network.learning-rate); "
        + (epoch == 0
            ? "no epoch had completed"
            : "the checkpoint of epoch " + epoch + " is kept"));
  }

  /**
   * Runs one epoch as one barrier job, a task per worker (placed on its home executor) that trains
   * all the epoch's rounds and averages with the other workers directly ({@link EpochOfRounds});
   * returns worker 0's report, with the earliest first step of any worker.
   *
   * <p>Spark does not run a failed barrier result stage again, and its tasks read the blocks from
   * the cache only (a block recomputed inside a barrier stage from a lost shuffle is a fetch
   * failure Spark's scheduler cannot handle there). So a failed epoch (an executor lost, say) is
   * run again here, as Spark would rerun a task, up to spark.task.maxFailures times: first a job
   * that reads every block through its lineage, which rebuilds the lost ones wherever Spark
   * finds room, then the epoch from its start, from the same state and seeds.
   */
  private static EpochOfRounds.EpochRun runOnPeers(
      JavaSparkContext jsc,
      Blocks blocks,
      WorkerState start,
      int workers,
      String[] homes,
      BiFunction<Broadcast<WorkerState>, Rendezvous.Address, EpochOfRounds> epoch) {
    int attempts = maxTaskFailures(jsc.master(), jsc.getConf().getInt("spark.task.maxFailures", 4));
    Broadcast<WorkerState> broadcast = jsc.broadcast(start);
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          return runEpochOnPeers(jsc, broadcast, workers, homes, epoch);
        } catch (Exception e) {
          // SparkException is checked, but Scala's collect throws it undeclared, so it is caught
          // as Exception; the rethrow needs no throws clause (Java's precise rethrow: the try
          // declares nothing checked), and a SparkException leaves as the direct path's does.
          if (!(e instanceof SparkException) || attempt >= attempts) {
            throw e;
          }
          LOG.warn(
              "An epoch on the workers' own averaging failed ({}); rebuilding any lost training"
                  + " blocks and running the epoch again (attempt {} of {})",
              e.getMessage().lines().findFirst().orElse(""),
              attempt + 1,
              attempts);
          jsc.setJobDescription("runway: rebuild lost training blocks");
          blocks.rdd().foreachPartition(mine -> mine.forEachRemaining(block -> {}));
        }
      }
    } finally {
      broadcast.destroy();
    }
  }

  private static EpochOfRounds.EpochRun runEpochOnPeers(
      JavaSparkContext jsc,
      Broadcast<WorkerState> broadcast,
      int workers,
      String[] homes,
      BiFunction<Broadcast<WorkerState>, Rendezvous.Address, EpochOfRounds> epoch) {
    String host = jsc.getConf().get("spark.driver.host");
    try (Rendezvous rendezvous = new Rendezvous(
        jsc.getConf().get("spark.driver.bindAddress", host),
        host,
        workers,
        new SecureRandom().nextLong())) {
      List<Integer> indices = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        indices.add(w);
      }
      ClassTag<Integer> tag = ClassTag$.MODULE$.apply(Integer.class);
      RDD<Integer> tasks = jsc.parallelize(indices, workers).rdd();
      if (homes != null) {
        tasks = Placement.at(tasks, homes, tag);
      }
      byte[][] reports = (byte[][]) tasks
          .barrier()
          .mapPartitions(
              epoch.apply(broadcast, rendezvous.address()),
              false,
              ClassTag$.MODULE$.apply(byte[].class))
          .collect();
      List<EpochOfRounds.EpochRun> runs =
          Arrays.stream(reports).map(EpochOfRounds.EpochRun::fromBytes).toList();
      EpochOfRounds.EpochRun first =
          runs.stream().filter(r -> r.worker() == 0).findFirst().orElseThrow();
      long firstStarted = first.firstStartedMillis();
      for (EpochOfRounds.EpochRun r : runs) {
        firstStarted = Math.min(firstStarted, r.firstStartedMillis());
      }
      return new EpochOfRounds.EpochRun(
          first.worker(),
          first.state(),
          first.lossSum(),
          first.examples(),
          first.computeSeconds(),
          first.divergenceSum(),
          first.rounds(),
          first.timings(),
          firstStarted,
          first.divergedRound(),
          first.divergedLoss());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Pattern LOCAL_WITH_FAILURES =
      Pattern.compile("local\\[[^,\\]]+,\\s*(\\d+)\\]");

  /**
   * How many times Spark tries a task before failing its job: local[N, F] says F (plain local
   * mode tries once), elsewhere spark.task.maxFailures (default 4), local-cluster[...] included:
   * its executors are separate JVMs, scheduled as a cluster's.
   */
  static int maxTaskFailures(String master, int configured) {
    if (master.equals("local") || master.startsWith("local[")) {
      Matcher m = LOCAL_WITH_FAILURES.matcher(master);
      return m.matches() ? Integer.parseInt(m.group(1)) : 1;
    }
    return configured;
  }

  /**
   * Runs one round as one Spark job, one task per worker over only the blocks it trains on; the
   * cached blocks pull each task to the executor that holds them.
   */
  private static List<RoundResult> runRound(
      Blocks blocks, WorkerRound round, List<List<EpochPlan.Step>> steps) {
    RoundBlocks mine = RoundBlocks.of(blocks.rdd().rdd(), steps);
    RoundResult[] results = (RoundResult[])
        mine.context().runJob(mine, round, ClassTag$.MODULE$.apply(RoundResult.class));
    return List.of(results);
  }

  /**
   * Runs one round over only the blocks it trains on and merges the workers' results on the
   * executors: a tree of Spark's treeAggregate whose last merge runs on an executor too, so the
   * driver receives one set of sums whatever the number of workers.
   */
  private static RoundSums runTree(
      Blocks blocks, WorkerRound round, List<List<EpochPlan.Step>> steps) {
    return new JavaRDD<>(
            RoundBlocks.of(blocks.rdd().rdd(), steps), ClassTag$.MODULE$.apply(Block.class))
        .mapPartitionsWithIndex(
            (partition, mine) ->
                List.of(round.onPartition(partition, mine::next)).iterator(),
            true)
        .treeAggregate(new RoundSums(), RoundSums::add, RoundSums::merge, 2, true);
  }

  /**
   * Where the training's wall time went, summed over its rounds: the steps against the loop around
   * them, the figure the benchmark's ratio to plain Deeplearning4j comes down to.
   */
  private static void logRoundSplit(List<RoundTiming> rounds, double seconds) {
    double broadcast = 0;
    double setup = 0;
    double compute = 0;
    double aggregate = 0;
    double driver = 0;
    for (RoundTiming r : rounds) {
      broadcast += r.broadcastS();
      setup += r.setupS();
      compute += r.computeS();
      aggregate += r.aggregateS();
      driver += r.driverS();
    }
    LOG.info(String.format(
        Locale.ROOT,
        "%d rounds in %.1f s: steps %.1f s (the slowest worker's), loading the state %.1f s, task"
            + " launch and results %.1f s, broadcast %.1f s, averaging %.1f s, the rest %.1f s"
            + " (validation, checkpoints)",
        rounds.size(),
        seconds,
        compute,
        setup,
        aggregate,
        broadcast,
        driver,
        seconds - compute - setup - aggregate - broadcast - driver));
  }

  /** {loss, accuracy, rows} of {@code params} on the cached validation blocks. */
  static double[] evaluate(
      JavaSparkContext jsc, JavaRDD<Block> shards, String conf, float[] params) {
    jsc.setJobDescription("runway: validate");
    Broadcast<float[]> broadcast = jsc.broadcast(params);
    double[] sum = shards.mapPartitions(new Evaluate(broadcast, conf)).reduce((a, b) ->
        new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    broadcast.destroy();
    return new double[] {sum[0] / sum[2], sum[1] / sum[2], sum[2]};
  }
}
