package dev.runway.train.nn;

import dev.runway.features.Target;
import dev.runway.train.TrainingData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alternative engine: Deeplearning4j's own ParameterAveragingTrainingMaster, tuned as far
 * as it goes: minibatches prepared once and trained directly (no export of the data set to disk),
 * no repartitioning, the updater state averaged with the parameters. It still trains at most
 * {@code averaging-frequency} minibatches per worker per round and skips the rest.
 */
record Dl4jSparkEngine(SparkSession spark, NetworkSpec spec, TrainSettings settings) {
  private static final Logger LOG = LoggerFactory.getLogger(Dl4jSparkEngine.class);

  ParameterAveraging.Result fit(TrainingData data) {
    EngineSetup setup = EngineSetup.of(spark, spec, settings, data);
    JavaSparkContext jsc = setup.jsc();
    int workers = setup.workers();
    int nIn = setup.nIn();
    int nOut = setup.nOut();
    String conf = setup.configurationJson();
    Target target = data.target();
    int batchSize = setup.batchSize();
    // One block per worker: the TrainingMaster treats each partition as a worker, and keeps its
    // minibatches in memory (this engine does not train on data larger than memory).
    Blocks shards =
        Blocks.cut(data.train(), workers, nIn, nOut, data.seed(), batchSize, 0, setup.homes());
    // The TrainingMaster leaves ND4J on all of a host's cores in every worker; ND4J's thread
    // setting is per JVM, so setting it where the minibatches are built and cached (where the
    // workers then train) keeps workers x threads at the cores, as in runway's engine. Without
    // this the benchmark's figure depended on whether runway's engine had run first in the JVM.
    JavaRDD<DataSet> batches = shards
        .rdd()
        .mapPartitions(it -> {
          Threads.forCurrentTask();
          return minibatches(it.next(), batchSize);
        })
        .persist(StorageLevel.MEMORY_ONLY());
    Blocks validation = Blocks.cut(
        data.validation(),
        workers,
        nIn,
        nOut,
        data.seed() + 1,
        batchSize,
        settings.blockBytes(),
        setup.homes());
    ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(
            batchSize)
        .batchSizePerWorker(batchSize)
        .averagingFrequency(settings.averagingFrequency())
        .workerPrefetchNumBatches(0)
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .repartionData(Repartition.Never)
        .saveUpdater(true)
        .rngSeed(data.seed())
        // The same level as the cached minibatches: Spark refuses to change a level once set.
        .storageLevel(StorageLevel.MEMORY_ONLY())
        .build();
    SparkDl4jMultiLayer net =
        new SparkDl4jMultiLayer(jsc, MultiLayerConfiguration.fromJson(conf), master);
    try {
      batches.count();
      shards.unpersist();
      long validationRows = validation.layout().rows();
      long trainRows = setup.trainRows();
      List<EpochStats> history = new ArrayList<>();
      for (int epoch = 0; epoch < settings.epochs(); epoch++) {
        jsc.setJobDescription("runway: dl4j-spark epoch " + (epoch + 1) + "/" + settings.epochs());
        long start = System.nanoTime();
        net.fit(batches);
        double seconds = (System.nanoTime() - start) / 1e9;
        float[] params = net.getNetwork().params().dup().data().asFloat();
        double[] val = validationRows == 0
            ? new double[] {Double.NaN, Double.NaN, 0}
            : ParameterAveraging.evaluate(jsc, validation.rdd(), conf, params);
        EpochStats stats = new EpochStats(
            epoch + 1,
            net.getScore(),
            val[0],
            target.classification() ? val[1] : Double.NaN,
            trainRows,
            seconds,
            Double.NaN,
            0,
            Double.NaN);
        history.add(stats);
        LOG.info(String.format(
            Locale.ROOT,
            "dl4j-spark epoch %d/%d: validation loss %.4f accuracy %.4f, %,.0f examples/s",
            epoch + 1,
            settings.epochs(),
            stats.validationLoss(),
            stats.validationAccuracy(),
            stats.examplesPerSecond()));
      }
      return new ParameterAveraging.Result(
          conf,
          net.getNetwork().params().dup().data().asFloat(),
          history,
          settings.epochs(),
          workers,
          0,
          Map.of(),
          null, // the TrainingMaster aggregates its own way
          List.of());
    } finally {
      batches.unpersist();
      validation.unpersist();
      master.deleteTempFiles(jsc);
    }
  }

  private static Iterator<DataSet> minibatches(Block shard, int batchSize) {
    List<DataSet> out = new ArrayList<>();
    for (int from = 0; from < shard.rows; from += batchSize) {
      out.add(shard.rows(from, Math.min(shard.rows, from + batchSize)));
    }
    return out.iterator();
  }
}
