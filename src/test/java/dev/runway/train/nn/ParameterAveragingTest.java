package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.error.TrainingException;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import dev.runway.train.Checkpoints;
import dev.runway.train.TrainingData;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import dev.runway.train.nn.NetworkSpec.LrSchedule;
import dev.runway.train.nn.NetworkSpec.Updater;
import dev.runway.train.nn.TrainSettings.Aggregation;
import dev.runway.train.nn.TrainSettings.Engine;
import dev.runway.train.nn.TrainSettings.StopMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import scala.collection.JavaConverters;

/** The averaging engine on small, fully known data in local[2]. */
class ParameterAveragingTest {
  private final SparkSession spark = TestSpark.session();
  private static final Target THREE_CLASSES = new Target("y", true, List.of("0", "1", "2"), false);
  private static final StructType SCHEMA = new StructType()
      .add(Columns.FEATURES, SQLDataTypes.VectorType())
      .add(Columns.LABEL, DataTypes.DoubleType);

  /** Rows whose class is the index of their largest feature, optionally with shuffled labels. */
  private static List<Row> rows(int n, long seed, boolean randomLabels) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = {
        random.nextGaussian(), random.nextGaussian(), random.nextGaussian(), random.nextGaussian()
      };
      int y = x[0] > x[1] ? (x[0] > x[2] ? 0 : 2) : (x[1] > x[2] ? 1 : 2);
      rows.add(
          RowFactory.create(Vectors.dense(x), (double) (randomLabels ? random.nextInt(3) : y)));
    }
    return rows;
  }

  private Dataset<Row> frame(List<Row> rows, int partitions) {
    return spark
        .createDataFrame(rows, SCHEMA)
        .repartition(partitions)
        .sortWithinPartitions(Columns.LABEL);
  }

  private static NetworkSpec spec() {
    return NetworkSpec.dense(
        List.of(8),
        HiddenActivation.TANH,
        0.0,
        0.0,
        Updater.ADAM,
        0.01,
        0.9,
        LrSchedule.NONE,
        0.5,
        5);
  }

  private static TrainSettings settings(
      int workers, int batch, int frequency, int epochs, int patience) {
    return settings(workers, batch, frequency, epochs, patience, 32L << 20);
  }

  private static TrainSettings settings(
      int workers, int batch, int frequency, int epochs, int patience, long blockBytes) {
    return settings(workers, batch, frequency, epochs, patience, blockBytes, Aggregation.DIRECT);
  }

  private static TrainSettings settings(
      int workers,
      int batch,
      int frequency,
      int epochs,
      int patience,
      long blockBytes,
      Aggregation aggregation) {
    return settings(
        workers, batch, frequency, epochs, patience, blockBytes, aggregation, 0, frequency);
  }

  /** Rounds that grow from {@code frequency} up to {@code maxFrequency} while workers agree. */
  private static TrainSettings adaptive(
      int workers, int batch, int frequency, int epochs, double agreement, int maxFrequency) {
    return settings(
        workers,
        batch,
        frequency,
        epochs,
        0,
        32L << 20,
        Aggregation.DIRECT,
        agreement,
        maxFrequency);
  }

  private static TrainSettings settings(
      int workers,
      int batch,
      int frequency,
      int epochs,
      int patience,
      long blockBytes,
      Aggregation aggregation,
      double agreement,
      int maxFrequency) {
    return new TrainSettings(
        Engine.PARAMETER_AVERAGING,
        workers,
        batch,
        frequency,
        epochs,
        StopMetric.VALIDATION_LOSS,
        patience,
        blockBytes,
        0,
        aggregation,
        agreement,
        maxFrequency,
        Augmentation.NONE);
  }

  /** An in-memory checkpoint store. */
  static final class MemoryCheckpoints implements Checkpoints {
    final Map<String, byte[]> blobs = new HashMap<>();

    @Override
    public void save(String name, byte[] data) {
      blobs.put(name, data.clone());
    }

    @Override
    public Optional<byte[]> load(String name) {
      return Optional.ofNullable(blobs.get(name));
    }
  }

  private ParameterAveraging.Result fit(
      TrainSettings settings,
      Dataset<Row> train,
      Dataset<Row> validation,
      Checkpoints checkpoints) {
    return new ParameterAveraging(spark, spec(), settings)
        .fit(new TrainingData(train, validation, THREE_CLASSES, 7, checkpoints));
  }

  @Test
  void oneRoundOfEqualShardsIsTheAverageOfTwoIndependentSteps() {
    List<Row> rows = rows(16, 1, false);
    Dataset<Row> train = spark.createDataFrame(rows, SCHEMA).coalesce(1);
    ParameterAveraging.Result result =
        fit(settings(2, 8, 1, 1, 0), train, train.limit(0), Checkpoints.NONE);

    // By hand: both workers start from the same initial network; worker w trains one step on
    // the rows whose permuted position (seeded by the job's seed, 7) is w mod 2; the result is
    // their plain average.
    RowPermutation permutation = new RowPermutation(rows.size(), 7);
    float[][] trained = new float[2][];
    for (int w = 0; w < 2; w++) {
      MultiLayerNetwork net = Networks.build(result.configurationJson());
      List<Row> mine = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        if (permutation.apply(i) % 2 == w) {
          mine.add(rows.get(i));
        }
      }
      assertEquals(8, mine.size());
      Block block = Block.pack(mine, 4, 3);
      net.fit(block.rows(0, block.rows));
      trained[w] = Networks.params(net);
    }
    float[] expected = new float[trained[0].length];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = (trained[0][i] + trained[1][i]) / 2;
    }
    assertArrayEquals(expected, result.params(), 1e-6f);
    MultiLayerNetwork initial = Networks.build(result.configurationJson());
    assertFalse(
        Arrays.equals(Networks.params(initial), result.params()), "training moved the parameters");
  }

  @Test
  void everyExampleIsUsedExactlyOncePerEpoch() {
    // Feature 0 carries the row id: walking a shard's batches for one epoch must meet each once.
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 103; i++) {
      rows.add(RowFactory.create(Vectors.dense(i, 0, 0, 0), (double) (i % 3)));
    }
    Block block = Block.pack(rows, 4, 3);
    int[] order = block.permutation(99);
    List<Integer> seen = new ArrayList<>();
    for (int b = 0; b < block.batches(10); b++) {
      var batch = block.batch(order, b, 10);
      for (int r = 0; r < batch.numExamples(); r++) {
        seen.add((int) batch.getFeatures().getFloat(r, 0));
      }
    }
    assertEquals(103, seen.size());
    assertEquals(103, seen.stream().distinct().count());
    assertFalse(seen.equals(seen.stream().sorted().toList()), "shuffled");

    // And the engine: 3 workers over 1000 rows, uneven batches, every epoch counts every row,
    // with one block per worker and with several (the smallest block size: 2 rounds of 128 rows).
    Dataset<Row> train = frame(rows(1000, 2, false), 3);
    for (long blockBytes : new long[] {32L << 20, 1}) {
      ParameterAveraging.Result result =
          fit(settings(3, 32, 4, 2, 0, blockBytes), train, train.limit(0), Checkpoints.NONE);
      assertEquals(
          List.of(1000L, 1000L),
          result.history().stream().map(EpochStats::examples).toList());
      assertEquals(3, result.workers());
    }
  }

  @Test
  void learnsAndIsReproducible() {
    Dataset<Row> train = frame(rows(3000, 3, false), 2);
    Dataset<Row> validation = frame(rows(600, 4, false), 2);
    ParameterAveraging.Result a =
        fit(settings(2, 32, 5, 3, 0), train, validation, Checkpoints.NONE);
    ParameterAveraging.Result b =
        fit(settings(2, 32, 5, 3, 0), train, validation, Checkpoints.NONE);
    assertTrue(a.history().get(2).validationAccuracy() > 0.9, a.history().toString());
    assertArrayEquals(a.params(), b.params(), "same data and seed, same network");
    for (EpochStats s : a.history()) {
      assertTrue(s.divergence() > 0 && s.divergence() < 1, "replicas drift apart a little: " + s);
      assertTrue(s.computeSeconds() <= s.seconds(), s.toString());
    }
  }

  /**
   * The tree path merges example-weighted sums on the executors, the direct path on the driver:
   * the same arithmetic in another order, so the same training to float rounding, and the same
   * divergence telemetry.
   */
  @Test
  void treeAggregationTrainsWhatDirectAggregationTrains() throws Exception {
    Dataset<Row> train = frame(rows(3000, 3, false), 4);
    Dataset<Row> validation = frame(rows(600, 4, false), 2);
    RoundResultsToDriver counted = new RoundResultsToDriver();
    // Events of earlier tests still queued would reach a listener added now: drain them first.
    spark.sparkContext().listenerBus().waitUntilEmpty();
    spark.sparkContext().addSparkListener(counted);
    ParameterAveraging.Result direct;
    ParameterAveraging.Result tree;
    int directResults;
    try {
      direct = fit(
          settings(3, 32, 5, 2, 0, 32L << 20, Aggregation.DIRECT),
          train,
          validation,
          Checkpoints.NONE);
      spark.sparkContext().listenerBus().waitUntilEmpty();
      directResults = counted.results.getAndSet(0);
      tree = fit(
          settings(3, 32, 5, 2, 0, 32L << 20, Aggregation.TREE),
          train,
          validation,
          Checkpoints.NONE);
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(counted);
    }
    // What reaches the driver each round: every worker's state (direct), one set of sums (tree).
    int rounds = direct.rounds().size();
    assertTrue(
        directResults >= 3 * rounds, "direct: a result per worker and round: " + directResults);
    assertEquals(rounds, counted.results.get(), "tree: one result per round, whatever the workers");
    assertEquals(Aggregation.DIRECT, direct.aggregation());
    assertEquals(Aggregation.TREE, tree.aggregation());
    assertEquals(direct.rounds().size(), tree.rounds().size());
    assertArrayEquals(direct.params(), tree.params(), 1e-5f);
    for (int e = 0; e < 2; e++) {
      EpochStats d = direct.history().get(e);
      EpochStats t = tree.history().get(e);
      assertEquals(d.trainLoss(), t.trainLoss(), 1e-6);
      assertEquals(d.validationAccuracy(), t.validationAccuracy(), 1e-3);
      assertEquals(d.divergence(), t.divergence(), 1e-6 + 1e-4 * d.divergence());
      assertEquals(d.examples(), t.examples());
    }
    for (ParameterAveraging.RoundTiming r : tree.rounds()) {
      assertTrue(r.computeS() > 0 && r.roundS() >= r.computeS(), r.toString());
    }
  }

  /**
   * With peers, the workers average among themselves and the driver runs one job an epoch, yet
   * each worker adds the same results in the same order as the driver: the same training to the
   * float, adaptive round lengths included (the workers must agree on every one of them).
   */
  @Test
  void peersTrainToTheFloatWhatTheDriverTrainsInOneJobAnEpoch() throws Exception {
    Dataset<Row> train = frame(rows(3000, 3, false), 4);
    Dataset<Row> validation = frame(rows(600, 4, false), 2);
    TrainSettings direct = settings(2, 32, 5, 2, 0, 32L << 20, Aggregation.DIRECT, 0.5, 40);
    TrainSettings peers = settings(2, 32, 5, 2, 0, 32L << 20, Aggregation.PEERS, 0.5, 40);
    ParameterAveraging.Result byDriver = fit(direct, train, validation, Checkpoints.NONE);
    RoundResultsToDriver counted = new RoundResultsToDriver();
    spark.sparkContext().listenerBus().waitUntilEmpty();
    spark.sparkContext().addSparkListener(counted);
    ParameterAveraging.Result byPeers;
    try {
      byPeers = fit(peers, train, validation, Checkpoints.NONE);
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(counted);
    }
    assertEquals(Aggregation.PEERS, byPeers.aggregation());
    assertEquals(2 * 2, counted.results.get(), "one task result per worker and epoch");
    assertEquals(byDriver.rounds().size(), byPeers.rounds().size());
    assertTrue(byDriver.rounds().size() < 2 * (1500 / 32 / 5 + 1), "rounds grew: adaptive");
    assertArrayEquals(byDriver.params(), byPeers.params(), 0f);
    for (int e = 0; e < 2; e++) {
      EpochStats d = byDriver.history().get(e);
      EpochStats p = byPeers.history().get(e);
      assertEquals(d.trainLoss(), p.trainLoss(), 0);
      assertEquals(d.validationLoss(), p.validationLoss(), 0);
      assertEquals(d.divergence(), p.divergence(), 0);
      assertEquals(d.examples(), p.examples());
      assertEquals(d.rounds(), p.rounds());
    }
    for (ParameterAveraging.RoundTiming r : byPeers.rounds()) {
      assertTrue(r.computeS() > 0 && r.roundS() >= r.computeS(), r.toString());
    }
  }

  /** A failed epoch on peers is tried as often as Spark would try a task. */
  @Test
  void anEpochOnPeersIsTriedAsOftenAsSparkTriesATask() {
    assertEquals(1, ParameterAveraging.maxTaskFailures("local[2]", 4));
    assertEquals(1, ParameterAveraging.maxTaskFailures("local", 4));
    assertEquals(3, ParameterAveraging.maxTaskFailures("local[*, 3]", 4));
    assertEquals(4, ParameterAveraging.maxTaskFailures("spark://127.0.0.1:7077", 4));
    assertEquals(8, ParameterAveraging.maxTaskFailures("yarn", 8));
    assertEquals(4, ParameterAveraging.maxTaskFailures("local-cluster[2,1,1024]", 4));
  }

  @Test
  void aDivergingLossOnPeersFailsAsOnTheDriver() {
    Dataset<Row> train = frame(rows(2000, 9, false), 2);
    TrainingException e = assertThrows(
        TrainingException.class,
        () -> new ParameterAveraging(
                spark, wild(), settings(2, 32, 5, 3, 0, 32L << 20, Aggregation.PEERS))
            .fit(new TrainingData(train, train.limit(0), THREE_CLASSES, 7, Checkpoints.NONE)));
    assertTrue(e.getMessage().startsWith("Training diverged: the loss became "), e.getMessage());
    assertTrue(e.getMessage().contains("in epoch 1, round "), e.getMessage());
  }

  /** Counts the task results the training rounds' jobs send to the driver. */
  static final class RoundResultsToDriver extends SparkListener {
    final AtomicInteger results = new AtomicInteger();
    private final Set<Integer> roundStages = ConcurrentHashMap.newKeySet();

    @Override
    public void onJobStart(SparkListenerJobStart job) {
      String description = job.properties().getProperty("spark.job.description", "");
      if (description.startsWith("runway: train epoch")) {
        for (Object stage : JavaConverters.seqAsJavaList(job.stageIds())) {
          roundStages.add((Integer) stage);
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
      if (roundStages.contains(task.stageId()) && task.taskType().equals("ResultTask")) {
        results.incrementAndGet();
      }
    }
  }

  @Test
  void autoChoosesPeersWhereTheyCanRunAndElseTheTreeOnlyWhereTheDriverWouldReceiveTooMuch() {
    long heap = 8L << 30;
    assertEquals(Aggregation.DIRECT, aggregation(Aggregation.AUTO, 2, 1_000, heap, false));
    assertEquals(Aggregation.PEERS, aggregation(Aggregation.AUTO, 2, 1_000, heap, true));
    assertEquals(Aggregation.DIRECT, aggregation(Aggregation.AUTO, 1, 1_000, heap, true));
    assertEquals(Aggregation.DIRECT, aggregation(Aggregation.AUTO, 100, 1_000, heap, false));
    // Peers at any size and number of workers: each receives about two states a round.
    assertEquals(Aggregation.PEERS, aggregation(Aggregation.AUTO, 100, 75_000_000, heap, true));
    // Where peers cannot run: a 25M-parameter network with Adam (75M floats, 300 MB a worker):
    // 7 workers send 2.1e9 bytes, under 2 GiB (2.147e9); 8 send 2.4e9.
    assertEquals(Aggregation.DIRECT, aggregation(Aggregation.AUTO, 7, 75_000_000, heap, false));
    assertEquals(Aggregation.TREE, aggregation(Aggregation.AUTO, 8, 75_000_000, heap, false));
    // A small driver: a quarter of a 1 GiB heap is reached at one such worker.
    assertEquals(Aggregation.TREE, aggregation(Aggregation.AUTO, 1, 75_000_000, 1L << 30, true));
    assertEquals(Aggregation.DIRECT, aggregation(Aggregation.DIRECT, 64, 75_000_000, 1, true));
    // Asked for: peers for any size, and one worker (nothing to exchange) trains direct.
    assertEquals(Aggregation.PEERS, aggregation(Aggregation.PEERS, 8, 75_000_000, heap, false));
    assertEquals(Aggregation.DIRECT, aggregation(Aggregation.PEERS, 1, 1_000, heap, true));
  }

  private static Aggregation aggregation(
      Aggregation configured, int workers, long floats, long heap, boolean peersPossible) {
    return ParameterAveraging.aggregation(configured, workers, floats, heap, peersPossible);
  }

  /** The divergence from the sums alone equals the root mean square distance computed directly. */
  @Test
  void theDivergenceFromSumsIsTheWeightedRmsDistanceFromTheAverage() {
    float[][] p = {{1f, 2f, 3f}, {2f, 2f, 1f}, {0f, 4f, 2f}};
    int[] w = {10, 30, 20};
    List<RoundResult> results = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      results.add(new RoundResult(i, w[i], 1, p[i], new float[] {i}, w[i] * 0.5, 1, 0, 0));
    }
    Averaged a = Averaged.of(RoundSums.of(results));
    double[] avg = new double[3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        avg[j] += p[i][j] * w[i] / 60.0;
      }
    }
    double spread = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        spread += w[i] / 60.0 * Math.pow(p[i][j] - avg[j], 2);
      }
    }
    double norm = Math.sqrt(avg[0] * avg[0] + avg[1] * avg[1] + avg[2] * avg[2]);
    assertEquals(Math.sqrt(spread) / norm, a.divergence(), 1e-12);
    assertEquals((float) avg[1], a.params()[1]);
    assertEquals((10 * 0 + 30 * 1 + 20 * 2) / 60f, a.updater()[0]);
    // Merging partial sums in another grouping gives the same average.
    RoundSums left = new RoundSums().add(results.get(0));
    RoundSums right = new RoundSums().add(results.get(1)).add(results.get(2));
    Averaged merged = Averaged.of(new RoundSums().merge(right).merge(left));
    assertArrayEquals(a.params(), merged.params());
    assertEquals(a.divergence(), merged.divergence(), 1e-12);
  }

  @Test
  void roundsDoubleWhileTheWorkersAgreeAndHalveWhenTheyDoNot() {
    // Spread under half the step: twice as long, up to the longest.
    assertEquals(2, ParameterAveraging.nextLength(1, 0.01, 0.05, 0.5, 16));
    assertEquals(16, ParameterAveraging.nextLength(16, 0.0, 0.05, 0.5, 16));
    assertEquals(16, ParameterAveraging.nextLength(8, 0.0, 0.05, 0.5, 17));
    // Spread at or over it: half as long, never below one.
    assertEquals(4, ParameterAveraging.nextLength(8, 0.025, 0.05, 0.5, 16));
    assertEquals(1, ParameterAveraging.nextLength(1, 0.04, 0.05, 0.5, 16));
    // A round in which nothing moved teaches nothing: no growth.
    assertEquals(1, ParameterAveraging.nextLength(2, 0.0, 0.0, 0.5, 16));
    assertEquals(
        0.5, ParameterAveraging.relativeMove(new float[] {0, 2}, new float[] {0, 4}), 1e-12);
  }

  @Test
  void oneWorkerHasNothingToAverageSoItTrainsEachEpochInOneRoundOnTheSameRows() {
    Dataset<Row> train = frame(rows(3000, 3, false), 2);
    Dataset<Row> validation = frame(rows(600, 4, false), 2);
    // Small blocks (1 KiB: whole rounds of 64 rows each), so the worker's epoch spans many.
    ParameterAveraging.Result fixed =
        fit(settings(1, 32, 2, 2, 0, 1024), train, validation, Checkpoints.NONE);
    ParameterAveraging.Result grown = fit(
        settings(1, 32, 2, 2, 0, 1024, Aggregation.DIRECT, 0.5, 32),
        train,
        validation,
        Checkpoints.NONE);
    assertTrue((int) grown.blocks().get("blocks") > 10, grown.blocks().toString());
    // 3000 rows in batches of 32: 94 minibatches, 47 rounds of 2 an epoch; adaptive, one worker
    // trains the epoch in one round, past max-frequency and across the worker's blocks.
    assertEquals(47, fixed.history().get(0).rounds());
    assertEquals(1, grown.history().get(0).rounds(), grown.history().toString());
    assertEquals(1, grown.history().get(1).rounds(), grown.history().toString());
    for (int e = 0; e < 2; e++) {
      assertEquals(3000, grown.history().get(e).examples(), "every row once an epoch");
      assertEquals(0.0, grown.history().get(e).divergence(), 1e-3, "one replica, no spread");
    }
    // One worker: the average is the worker, so where the averagings fall changes nothing but
    // float rounding through the float round trip, and the networks end up the same.
    assertEquals(
        fixed.history().get(1).validationLoss(), grown.history().get(1).validationLoss(), 1e-5);
  }

  @Test
  void resumingFromACheckpointEndsWhereAnUninterruptedRunEnds() {
    Dataset<Row> train = frame(rows(2000, 5, false), 2);
    Dataset<Row> validation = frame(rows(400, 6, false), 2);
    // With dropout, whose masks are part of what a resumed run must reproduce (that they do not
    // depend on the JVM's earlier use of its generator is aRoundsResultDependsOnlyOnItsInputs...).
    NetworkSpec dropout = NetworkSpec.dense(
        List.of(8),
        HiddenActivation.TANH,
        0.3,
        0.0,
        Updater.ADAM,
        0.01,
        0.9,
        LrSchedule.NONE,
        0.5,
        5);
    // Fixed rounds, and adaptive ones that grow (an agreement of 5 lets them): each epoch starts
    // again at the shortest round, so a resumed run's rounds fall where the whole run's did.
    List<Integer> roundsOfTheLastEpoch = new ArrayList<>();
    for (IntFunction<TrainSettings> epochs : List.<IntFunction<TrainSettings>>of(
        n -> settings(2, 32, 5, n, 0), n -> adaptive(2, 32, 5, n, 5.0, 40))) {
      ParameterAveraging.Result whole = new ParameterAveraging(spark, dropout, epochs.apply(3))
          .fit(new TrainingData(train, validation, THREE_CLASSES, 7, new MemoryCheckpoints()));

      MemoryCheckpoints store = new MemoryCheckpoints();
      // The driver "dies" after epoch 2.
      new ParameterAveraging(spark, dropout, epochs.apply(2))
          .fit(new TrainingData(train, validation, THREE_CLASSES, 7, store));
      ParameterAveraging.Result resumed = new ParameterAveraging(spark, dropout, epochs.apply(3))
          .fit(new TrainingData(train, validation, THREE_CLASSES, 7, store));
      assertEquals(3, resumed.history().size(), "history carried over from the checkpoint");
      assertArrayEquals(whole.params(), resumed.params());
      assertEquals(
          whole.history().get(2).validationLoss(), resumed.history().get(2).validationLoss());
      assertEquals(whole.history().get(2).rounds(), resumed.history().get(2).rounds());
      roundsOfTheLastEpoch.add(resumed.history().get(2).rounds());
    }
    assertTrue(
        roundsOfTheLastEpoch.get(1) < roundsOfTheLastEpoch.get(0),
        "the adaptive run's rounds did grow: " + roundsOfTheLastEpoch);
  }

  @Test
  void earlyStoppingKeepsTheBestEpoch() {
    // Validation labels are noise: the better the network fits training, the worse validation
    // loss gets after the first epoch or so.
    Dataset<Row> train = frame(rows(2000, 7, false), 2);
    Dataset<Row> noise = frame(rows(400, 8, true), 2);
    ParameterAveraging.Result stopped =
        fit(settings(2, 16, 5, 30, 2), train, noise, Checkpoints.NONE);
    int best = stopped.bestEpoch();
    assertTrue(
        stopped.history().size() < 30, "stopped early: " + stopped.history().size());
    assertEquals(best + 2, stopped.history().size(), "patience 2 after the best epoch");
    double bestLoss = stopped.history().get(best - 1).validationLoss();
    assertTrue(stopped.history().stream().allMatch(s -> s.validationLoss() >= bestLoss));
    ParameterAveraging.Result onlyBest =
        fit(settings(2, 16, 5, best, 0), train, noise, Checkpoints.NONE);
    assertArrayEquals(onlyBest.params(), stopped.params(), "the saved model is the best epoch's");
  }

  @Test
  void theEndOfTrainingSaysEarlyStoppingOnlyWhenEpochsWereLeft() {
    assertEquals(
        "Early stopping after epoch 53 of 60: no better validation loss for 3 epochs;"
            + " keeping epoch 50 (best validation loss 0.2933)",
        ParameterAveraging.endMessage(53, 60, 50, StopMetric.VALIDATION_LOSS, 0.29334, 3));
    // Patience running out on the last epoch is not stopping early: every epoch ran.
    assertEquals(
        "Finished 60 epochs; keeping epoch 50 (best validation accuracy 0.8947)",
        ParameterAveraging.endMessage(60, 60, 50, StopMetric.VALIDATION_ACCURACY, 0.89471, 10));
    assertEquals(
        "Finished 1 epoch; keeping epoch 1 (the last: no validation split to choose by)",
        ParameterAveraging.endMessage(1, 1, 1, StopMetric.VALIDATION_LOSS, Double.NaN, 3));
  }

  /** A network whose learning rate makes the loss diverge at once. */
  private static NetworkSpec wild() {
    return NetworkSpec.dense(
        List.of(64),
        HiddenActivation.RELU,
        0.0,
        0.0,
        Updater.SGD,
        1e6,
        0.9,
        LrSchedule.NONE,
        0.5,
        5);
  }

  @Test
  void aDivergingLossFailsWithinOneRound() {
    Dataset<Row> train = frame(rows(2000, 9, false), 2);
    TrainingException e = assertThrows(
        TrainingException.class,
        () -> new ParameterAveraging(spark, wild(), settings(2, 32, 5, 3, 0))
            .fit(new TrainingData(train, train.limit(0), THREE_CLASSES, 7, Checkpoints.NONE)));
    assertTrue(e.getMessage().startsWith("Training diverged: the loss became "), e.getMessage());
    assertTrue(e.getMessage().contains("in epoch 1, round "), e.getMessage());
  }

  @Test
  void aLossDivergingAfterAGoodEpochKeepsThatEpochsCheckpoint() {
    Dataset<Row> train = frame(rows(2000, 10, false), 2);
    Dataset<Row> validation = frame(rows(400, 11, false), 2);
    // One good epoch at a sane learning rate, then the same state continued at a learning rate
    // of 100: the state a run is in when its schedule or data push it over the edge mid-way.
    NetworkSpec sane = NetworkSpec.dense(
        List.of(16),
        HiddenActivation.RELU,
        0.0,
        0.0,
        Updater.SGD,
        0.05,
        0.9,
        LrSchedule.NONE,
        0.5,
        5);
    NetworkSpec wild = NetworkSpec.dense(
        List.of(16),
        HiddenActivation.RELU,
        0.0,
        0.0,
        Updater.SGD,
        100,
        0.9,
        LrSchedule.NONE,
        0.5,
        5);
    MemoryCheckpoints first = new MemoryCheckpoints();
    ParameterAveraging.Result good = new ParameterAveraging(spark, sane, settings(2, 32, 5, 1, 0))
        .fit(new TrainingData(train, validation, THREE_CLASSES, 7, first));
    Checkpoint epoch1 = Checkpoint.latest(first, good.configurationJson()).orElseThrow();
    String wildConf = wild.configuration(4, THREE_CLASSES, 7).toJson();
    MemoryCheckpoints store = new MemoryCheckpoints();
    new Checkpoint(
            wildConf,
            epoch1.state(),
            epoch1.bestParams(),
            epoch1.bestEpoch(),
            epoch1.bestScore(),
            epoch1.history())
        .save(store);
    Map<String, byte[]> before = new HashMap<>(store.blobs);

    TrainingException e = assertThrows(
        TrainingException.class,
        () -> new ParameterAveraging(spark, wild, settings(2, 32, 5, 3, 0))
            .fit(new TrainingData(train, validation, THREE_CLASSES, 7, store)));
    assertTrue(
        e.getMessage()
            .matches("Training diverged: the loss became \\S+ in epoch 2, round \\d+ \\(lower"
                + " model.neural-network.learning-rate\\); the checkpoint of epoch 1 is kept"),
        e.getMessage());
    assertEquals(before.keySet(), store.blobs.keySet(), "no checkpoint of the diverged epoch");
    before.forEach(
        (slot, bytes) -> assertArrayEquals(bytes, store.blobs.get(slot), slot + " unchanged"));
    Checkpoint kept = Checkpoint.latest(store, wildConf).orElseThrow();
    assertEquals(1, kept.state().epoch());
    for (float p : kept.state().params()) {
      assertTrue(Float.isFinite(p), "the kept parameters are the good epoch's");
    }
  }

  @Test
  void aRoundsResultDependsOnlyOnItsInputsNotOnTheJvmsRandomState() {
    // A task rerun on a fresh executor (the first one was lost) must train what the lost one
    // would have: with dropout, that means the same masks whatever the JVM's generator did before.
    NetworkSpec dropout = NetworkSpec.dense(
        List.of(32),
        HiddenActivation.RELU,
        0.5,
        0.0,
        Updater.ADAM,
        0.01,
        0.9,
        LrSchedule.NONE,
        0.5,
        5);
    String conf = dropout.configuration(4, THREE_CLASSES, 7).toJson();
    Block block = Block.pack(rows(256, 12, false), 4, 3);
    var jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    var initial = Networks.build(conf);
    var state =
        jsc.broadcast(new WorkerState(Networks.params(initial), Networks.updater(initial), 0, 0));
    List<EpochPlan.Step> steps = List.of(new EpochPlan.Step(0, 0, 5, 0, 4));
    Function<String, float[]> round =
        id -> new WorkerRound(state, conf, id, 99, 32, Augmentation.NONE, List.of(steps))
            .run(steps, () -> block)
            .params();

    float[] fresh = round.apply("fresh-jvm");
    float[] first = round.apply("busy-jvm");
    for (int i = 0; i < 1000; i++) {
      Nd4j.getRandom().nextDouble(); // whatever else ran in this JVM
    }
    float[] again = round.apply("busy-jvm"); // the cached network, the same inputs
    assertArrayEquals(fresh, first);
    assertArrayEquals(fresh, again);
    state.destroy();
  }
}
