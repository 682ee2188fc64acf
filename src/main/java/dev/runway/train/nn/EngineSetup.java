package dev.runway.train.nn;

import dev.runway.error.JobConfigException;
import dev.runway.train.TrainingData;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every engine derives from the job and the data before training: the training rows, the
 * worker count, the network's input and output sizes, the network configuration as JSON (what
 * workers build their networks from), and each worker's home executor ({@link Placement#homes},
 * null in local mode), found once for all the data an engine cuts into blocks.
 */
record EngineSetup(
    JavaSparkContext jsc,
    long trainRows,
    int workers,
    int batchSize,
    int nIn,
    int nOut,
    String configurationJson,
    String[] homes) {
  private static final Logger LOG = LoggerFactory.getLogger(EngineSetup.class);

  static EngineSetup of(
      SparkSession spark, NetworkSpec spec, TrainSettings settings, TrainingData data) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slots = jsc.defaultParallelism();
    long rows = data.trainRows() >= 0 ? data.trainRows() : data.train().count();
    int workers = workers(settings, slots, rows);
    int nIn = data.vectorSize() >= 0
        ? data.vectorSize()
        : data.train().first().<Vector>getAs(0).size();
    return new EngineSetup(
        jsc,
        rows,
        workers,
        batchSize(settings, workers, rows),
        nIn,
        NetworkSpec.outputs(data.target()),
        spec.configuration(nIn, data.target(), data.seed()).toJson(),
        Placement.homes(jsc, workers));
  }

  /**
   * The minibatch size: train.batch-size, lowered when the data is too small for every worker to
   * train train.min-batches minibatches an epoch. Two or three large minibatches an epoch barely
   * move a network (a 1,000-row table at 128 x 2 workers), and nothing said so.
   */
  static int batchSize(TrainSettings settings, int workers, long rows) {
    if (settings.minBatches() == 0) {
      if (rows / workers < settings.batchSize()) {
        LOG.warn(
            "warning: each of the {} workers has about {} training rows, less than one minibatch of"
                + " train.batch-size = {}: fewer workers or a smaller batch would train the same data faster",
            workers,
            rows / workers,
            settings.batchSize());
      }
      return settings.batchSize();
    }
    long cap = Math.max(1, rows / ((long) workers * settings.minBatches()));
    if (cap >= settings.batchSize()) {
      return settings.batchSize();
    }
    LOG.warn(
        "warning: train.batch-size = {} gives each of the {} workers about {} minibatches an epoch of {} rows;"
            + " training with minibatches of {} instead, {} per worker (train.min-batches = {})",
        settings.batchSize(),
        workers,
        Math.max(1, rows / workers / settings.batchSize()),
        rows,
        cap,
        rows / workers / cap,
        settings.minBatches());
    return (int) cap;
  }

  /**
   * The worker count, checked against the data (the pre-flight checks that need it): each worker
   * trains on its own shard, so a worker without rows would average an untrained network into
   * every round. (A worker's share smaller than a minibatch is {@link #batchSize}'s concern.)
   */
  static int workers(TrainSettings settings, int slots, long rows) {
    if (settings.workers() > 0 && rows < settings.workers()) {
      throw new JobConfigException("Cannot train with train.workers = " + settings.workers()
          + " on " + rows
          + " training rows: some workers would have none; set train.workers to at most " + rows);
    }
    int workers =
        settings.workers() > 0 ? settings.workers() : (int) Math.max(1, Math.min(slots, rows));
    if (workers > slots) {
      LOG.warn(
          "warning: train.workers = {} but Spark has {} task slots: each averaging round runs in {} waves",
          workers,
          slots,
          (workers + slots - 1) / slots);
    }
    return workers;
  }
}
