package dev.runway.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.runway.data.Source;
import dev.runway.data.SourceReader;
import dev.runway.eval.Metrics;
import dev.runway.features.Columns;
import dev.runway.job.JobDefinition;
import dev.runway.job.Timings;
import dev.runway.job.TrainingInputs;
import dev.runway.train.Checkpoints;
import dev.runway.train.TrainedModel;
import dev.runway.train.TrainingData;
import dev.runway.train.nn.NeuralNetworkTrainer;
import dev.runway.train.nn.SingleJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one job's network with every system on the same inputs in one session, and measures
 * train time, throughput and test accuracy: plain Deeplearning4j in this JVM, runway's
 * parameter averaging, dl4j-spark's TrainingMaster, and Spark MLlib's
 * MultilayerPerceptronClassifier (L-BFGS, so its iterations are not epochs).
 */
public final class Benchmark {
  private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);

  /** Systems in the order they run. */
  public static final List<String> SYSTEMS =
      List.of("plain-dl4j", "ceiling", "runway-1-worker", "runway", "dl4j-spark", "mllib-mlp");

  /**
   * One system's figures.
   *
   * @param system name
   * @param prepareSeconds wall time putting the data in the system's training form before its
   *     first step (plain DL4J: collecting and packing the rows into this JVM; runway: cutting them
   *     into cached blocks); NaN where it cannot be told apart from the training
   * @param trainSeconds wall time of training, from the first step to the fitted network
   * @param examplesPerSecond training examples processed per second (epochs x rows / time)
   * @param testAccuracy accuracy on the test split
   * @param isDefault whether this is runway's default engine
   * @param workers networks training in parallel
   * @param threads BLAS threads per network
   * @param detail what exactly ran
   */
  public record Measurement(
      String system,
      double prepareSeconds,
      double trainSeconds,
      double examplesPerSecond,
      double testAccuracy,
      boolean isDefault,
      int workers,
      int threads,
      String detail) {}

  private Benchmark() {}

  /**
   * Runs the systems on the data of a neural-network job: {@code runwayJob} and
   * {@code dl4jSparkJob} are the same job with train.engine set to each engine ({@code dl4jSparkJob}
   * is null when the systems do not include dl4j-spark).
   */
  public static List<Measurement> run(
      SparkSession spark,
      JobDefinition runwayJob,
      JobDefinition oneWorkerJob,
      JobDefinition dl4jSparkJob,
      List<String> systems,
      int mlpIterations,
      int cores) {
    NeuralNetworkTrainer trainer = (NeuralNetworkTrainer) runwayJob.trainer();
    long seed = runwayJob.settings().split().seed();
    int epochs = trainer.settings().epochs();
    List<Measurement> out = new ArrayList<>();
    try (Source source = SourceReader.read(spark, runwayJob.settings().source());
        TrainingInputs inputs = TrainingInputs.prepare(
            spark,
            runwayJob,
            source.rows(),
            new Timings(),
            d -> spark.sparkContext().setJobDescription("runway bench: " + d))) {
      Dataset<Row> train = inputs.vectors().get("train");
      Dataset<Row> test = inputs.vectors().get("test");
      long rows = train.count();
      String shape =
          trainer.spec().describe(inputs.vectorSize(), inputs.target().classes().size())
              + ", batch " + trainer.settings().batchSize() + ", " + epochs + " epochs";
      TrainingData data = new TrainingData(
          train, inputs.vectors().get("validation"), inputs.target(), seed, Checkpoints.NONE);
      // The single-JVM systems train on the rows collected into this JVM once.
      long collectStart = System.nanoTime();
      SingleJvm.Data local = systems.contains("plain-dl4j") || systems.contains("ceiling")
          ? SingleJvm.Data.collect(train, inputs.target())
          : null;
      double collectSeconds = (System.nanoTime() - collectStart) / 1e9;
      if (local != null) {
        // One untimed epoch first, so that whichever system runs first does not pay alone for the
        // JIT compiling the minibatch code and ND4J starting up (it cost the first plain row up to
        // 40% in one session).
        LOG.info("Benchmark: warm-up (one untimed epoch of plain DL4J)");
        SingleJvm.train(trainer.spec(), trainer.settings().withEpochs(1), local, seed, 1);
      }
      for (String system : systems) {
        LOG.info("Benchmark: {}", system);
        // Each system starts on a collected heap: otherwise the one after the data's collection
        // into this JVM trains beside the collector's concurrent cycle (up to 30% slower).
        System.gc();
        switch (system) {
          case "plain-dl4j" -> {
            // One BLAS thread and all of them: the faster is the baseline everything is held
            // against.
            for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
              SingleJvm.Result r =
                  SingleJvm.train(trainer.spec(), trainer.settings(), local, seed, threads);
              out.add(measure(
                  system,
                  collectSeconds,
                  r.trainSeconds(),
                  rows * epochs,
                  r.model(),
                  test,
                  inputs,
                  false,
                  1,
                  threads,
                  shape + ", one JVM, " + threads + " BLAS thread" + (threads == 1 ? "" : "s")));
            }
          }
          case "ceiling" ->
            out.add(
                ceiling(local, collectSeconds, trainer, seed, rows * epochs, test, inputs, shape));
          case "runway-1-worker" ->
            out.add(timed(
                "runway",
                rows * epochs,
                () -> oneWorkerJob.trainer().fit(data),
                test,
                inputs,
                false,
                shape + ", one round per epoch (nothing to average)"));
          case "runway" ->
            out.add(timed(
                system,
                rows * epochs,
                () -> trainer.fit(data),
                test,
                inputs,
                true,
                shape + ", averaging every " + trainer.settings().averagingFrequency()));
          case "dl4j-spark" ->
            out.add(timed(
                system,
                rows * epochs,
                () -> dl4jSparkJob.trainer().fit(data),
                test,
                inputs,
                false,
                shape + ", ParameterAveragingTrainingMaster (Direct), averaging every "
                    + trainer.settings().averagingFrequency()));
          case "mllib-mlp" -> {
            // MLlib's perceptron has dense layers only.
            if (trainer.spec().layers().isEmpty()) {
              out.add(mllib(train, test, inputs, trainer, mlpIterations, seed, rows, shape));
            } else {
              LOG.info("Benchmark: mllib-mlp skipped: it trains dense layers only");
            }
          }
          default -> throw new IllegalArgumentException("unknown system " + system);
        }
      }
    }
    return out;
  }

  private static Measurement mllib(
      Dataset<Row> train,
      Dataset<Row> test,
      TrainingInputs inputs,
      NeuralNetworkTrainer trainer,
      int iterations,
      long seed,
      long rows,
      String shape) {
    int[] layers = new int[trainer.spec().hiddenLayers().size() + 2];
    layers[0] = inputs.vectorSize();
    for (int i = 0; i < trainer.spec().hiddenLayers().size(); i++) {
      layers[i + 1] = trainer.spec().hiddenLayers().get(i);
    }
    layers[layers.length - 1] = inputs.target().classes().size();
    long start = System.nanoTime();
    var model = new MultilayerPerceptronClassifier()
        .setLayers(layers)
        .setMaxIter(iterations)
        .setBlockSize(trainer.settings().batchSize())
        .setSeed(seed)
        .setFeaturesCol(Columns.FEATURES)
        .setLabelCol(Columns.LABEL)
        .setPredictionCol(Columns.PREDICTION)
        .setProbabilityCol(Columns.PROBABILITY)
        .setRawPredictionCol(Columns.RAW)
        .fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;
    double accuracy =
        (double) Metrics.of(model.transform(test), inputs.target()).get("accuracy");
    // One L-BFGS iteration is one pass over the data (plus line-search passes).
    return new Measurement(
        "mllib-mlp",
        Double.NaN,
        seconds,
        rows * iterations / seconds,
        accuracy,
        false,
        train.rdd().getNumPartitions(),
        1,
        "MultilayerPerceptronClassifier, " + iterations
            + " L-BFGS iterations (full-batch; not epochs), " + "BLAS " + mllibBlas());
  }

  private static Measurement timed(
      String system,
      long examples,
      Supplier<TrainedModel> fit,
      Dataset<Row> test,
      TrainingInputs inputs,
      boolean isDefault,
      String detail) {
    long startMillis = System.currentTimeMillis();
    long start = System.nanoTime();
    TrainedModel model = fit.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    // Split at the first minibatch step where the engine reports it (runway's does; the
    // TrainingMaster's does not, and its time stays whole).
    double prepare = model.firstStepAtMillis().isPresent()
        ? Math.max(0, model.firstStepAtMillis().getAsLong() - startMillis) / 1e3
        : Double.NaN;
    int workers = ((Number) model.summary().get("workers")).intValue();
    String what =
        detail + ", " + workers + " worker" + (workers == 1 ? "" : "s") + " x 1 BLAS thread";
    return measure(
        system,
        prepare,
        Double.isNaN(prepare) ? seconds : seconds - prepare,
        examples,
        model,
        test,
        inputs,
        isDefault,
        workers,
        1,
        what);
  }

  private static Measurement measure(
      String system,
      double prepareSeconds,
      double seconds,
      long examples,
      TrainedModel model,
      Dataset<Row> test,
      TrainingInputs inputs,
      boolean isDefault,
      int workers,
      int threads,
      String detail) {
    Map<String, Object> metrics = Metrics.of(model.predict(test), inputs.target());
    return new Measurement(
        system,
        prepareSeconds,
        seconds,
        examples / seconds,
        (double) metrics.get("accuracy"),
        isDefault,
        workers,
        threads,
        detail);
  }

  /**
   * What this machine can do for two workers at best: two plain single-thread trainings of the
   * same network at the same time, each on all the data, their throughputs summed. No averaging,
   * no Spark: what is left is the cores' and the memory bus's limit for two BLAS-bound workers.
   * Two threads of this JVM, each with its own network (ND4J's BLAS threads are set per JVM, to
   * one), as runway's two local workers are.
   */
  private static Measurement ceiling(
      SingleJvm.Data data,
      double collectSeconds,
      NeuralNetworkTrainer trainer,
      long seed,
      long examples,
      Dataset<Row> test,
      TrainingInputs inputs,
      String shape) {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<SingleJvm.Result>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        runs.add(
            pool.submit(() -> SingleJvm.train(trainer.spec(), trainer.settings(), data, seed, 1)));
      }
      double rate = 0;
      double seconds = 0;
      SingleJvm.Result first = null;
      for (Future<SingleJvm.Result> run : runs) {
        SingleJvm.Result r = run.get();
        rate += examples / r.trainSeconds();
        seconds = Math.max(seconds, r.trainSeconds());
        first = first == null ? r : first;
      }
      Map<String, Object> metrics = Metrics.of(first.model().predict(test), inputs.target());
      return new Measurement(
          "ceiling",
          collectSeconds,
          seconds,
          rate,
          (double) metrics.get("accuracy"),
          false,
          2,
          1,
          shape + ", two single-thread trainings at once, summed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("ceiling run failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Which BLAS MLlib picked: native if the host has one, pure Java otherwise (3x apart). */
  static String mllibBlas() {
    try {
      return BLAS.getInstance().getClass().getSimpleName();
    } catch (RuntimeException | LinkageError e) {
      return "unknown";
    }
  }
}
