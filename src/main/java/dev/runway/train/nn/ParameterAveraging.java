package dev.runway.train.nn;

import dev.runway.error.TrainingException;
import dev.runway.features.Target;
import dev.runway.train.TrainingData;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * runway's parameter-averaging engine, on plain Spark primitives.
 *
 * <p>The training split is cut once into one cached shard per worker. Every round, the driver
 * broadcasts one state (parameters and updater state); each worker, in its own Spark task, loads
 * it into a network it keeps between rounds, trains {@code averaging-frequency} minibatches of its
 * shard, and returns its parameters; the driver averages them, weighted by examples, and the next
 * round starts from the average. Each epoch every worker walks a fresh seeded shuffle of its
 * shard, so every example is used exactly once per epoch (dl4j-spark's TrainingMaster skips some).
 * After each epoch: validation, early stopping, a checkpoint.
 */
record ParameterAveraging(SparkSession spark, NetworkSpec spec, TrainSettings settings) {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveraging.class);

  /** The fitted network and its history. */
  record Result(String configurationJson, float[] params, List<EpochStats> history, int bestEpoch,
      int workers) {}

  Result fit(TrainingData data) {
    EngineSetup setup = EngineSetup.of(spark, spec, settings, data);
    JavaSparkContext jsc = setup.jsc();
    int workers = setup.workers();
    int nIn = setup.nIn();
    int nOut = setup.nOut();
    String conf = setup.configurationJson();
    Target target = data.target();
    int batchSize = settings.batchSize();
    int frequency = settings.averagingFrequency();

    JavaRDD<Shard> train = Sharding.shards(data.train(), workers, nIn, nOut).persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<Shard> validation = Sharding.shards(data.validation(), workers, nIn, nOut).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      jsc.setJobDescription("runway: shard the training data for " + workers + " workers");
      int maxBatches = train.map(s -> s.batches(batchSize)).reduce(Math::max);
      long validationRows = validation.map(s -> (long) s.rows).reduce(Long::sum);
      int rounds = (maxBatches + frequency - 1) / frequency;
      LOG.info("Parameter averaging: {} workers, {} minibatches of {} per worker and epoch, averaging every {}"
          + " ({} rounds per epoch)", workers, maxBatches, batchSize, frequency, rounds);

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

      String trainingId = UUID.randomUUID().toString();
      boolean accuracyWatched = settings.stopMetric().equals("validation-accuracy");
      long started = System.nanoTime();
      int firstEpoch = state.epoch();
      for (int epoch = firstEpoch; epoch < settings.epochs(); epoch++) {
        long epochSeed = data.seed() * 1_000_003L + epoch;
        double trainLoss = 0;
        long examples = 0;
        double computeSeconds = 0;
        double divergence = 0;
        long epochStart = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
          jsc.setJobDescription("runway: train epoch " + (epoch + 1) + "/" + settings.epochs()
              + ", round " + (round + 1) + "/" + rounds);
          Broadcast<WorkerState> broadcast = jsc.broadcast(
              new WorkerState(state.params(), state.updater(), state.iteration(), epoch));
          List<RoundResult> results = train.mapPartitions(new WorkerRound(broadcast, conf, trainingId,
              epochSeed, round * frequency, frequency, batchSize)).collect();
          broadcast.destroy();
          Averaged averaged = Averaged.of(results);
          if (averaged.examples() == 0) {
            continue;
          }
          if (!Double.isFinite(averaged.lossSum()) || !averaged.finite()) {
            throw new TrainingException("Training diverged: the loss became " + (averaged.lossSum() / averaged.examples())
                + " in epoch " + (epoch + 1) + ", round " + (round + 1)
                + " (lower model.neural-network.learning-rate); "
                + (epoch == 0 ? "no epoch had completed" : "the checkpoint of epoch " + epoch + " is kept"));
          }
          state = new WorkerState(averaged.params(), averaged.updater(), state.iteration() + averaged.maxBatches(), epoch);
          trainLoss += averaged.lossSum();
          examples += averaged.examples();
          computeSeconds += averaged.maxComputeNanos() / 1e9;
          divergence += averaged.divergence();
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        state = new WorkerState(state.params(), state.updater(), state.iteration(), epoch + 1);

        double[] val = validationRows == 0 ? new double[] {Double.NaN, Double.NaN, 0} : evaluate(jsc, validation, conf, state.params());
        double valLoss = val[0];
        double valAccuracy = target.classification() ? val[1] : Double.NaN;
        EpochStats stats = new EpochStats(epoch + 1, trainLoss / examples, valLoss, valAccuracy, examples, seconds,
            computeSeconds, rounds, divergence / rounds);
        history.add(stats);

        double score = accuracyWatched ? -valAccuracy : valLoss;
        if (Double.isNaN(score) || Double.isNaN(bestScore) || score < bestScore) {
          best = state.params();
          bestEpoch = epoch + 1;
          bestScore = Double.isNaN(score) ? bestScore : score;
        }
        new Checkpoint(conf, state, best, bestEpoch, bestScore, history).save(data.checkpoints());
        logProgress(stats, started, epoch + 1 - firstEpoch);
        if (settings.patience() > 0 && epoch + 1 - bestEpoch >= settings.patience()) {
          LOG.info("Early stopping after epoch {}: no better {} for {} epochs; keeping epoch {}",
              epoch + 1, settings.stopMetric(), settings.patience(), bestEpoch);
          break;
        }
      }
      return new Result(conf, best, history, bestEpoch, workers);
    } finally {
      train.unpersist();
      validation.unpersist();
    }
  }

  private void logProgress(EpochStats s, long started, int epochsRunHere) {
    double elapsed = (System.nanoTime() - started) / 1e9;
    double eta = elapsed / epochsRunHere * (settings.epochs() - s.epoch());
    LOG.info(String.format(java.util.Locale.ROOT,
        "epoch %d/%d: train loss %.4f, validation loss %.4f accuracy %.4f, %,.0f examples/s"
            + " (compute %.0f%%), divergence %.4f, ETA %.0f s",
        s.epoch(), settings.epochs(), s.trainLoss(), s.validationLoss(), s.validationAccuracy(),
        s.examplesPerSecond(), 100 * s.computeSeconds() / s.seconds(), s.divergence(), eta));
  }

  /** {loss, accuracy, rows} of {@code params} on the cached validation shards. */
  static double[] evaluate(JavaSparkContext jsc, JavaRDD<Shard> shards, String conf, float[] params) {
    jsc.setJobDescription("runway: validate");
    Broadcast<float[]> broadcast = jsc.broadcast(params);
    double[] sum = shards.mapPartitions(new Evaluate(broadcast, conf))
        .reduce((a, b) -> new double[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    broadcast.destroy();
    return new double[] {sum[0] / sum[2], sum[1] / sum[2], sum[2]};
  }
}
