package dev.runway.train.nn;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.rand;

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
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * What one averaging round costs, by part, for a network size, a number of workers and an
 * aggregation path: the parameter-averaging engine trained for a few rounds of one minibatch per
 * worker on random 784-feature rows, so that the rounds' time is mostly the loop around the
 * steps (scripts/bench-scale). Not a test of learning.
 */
public final class ScaleProbe {
  private static final int FEATURES = 784;
  private static final List<String> CLASSES =
      IntStream.range(0, 10).mapToObj(Integer::toString).toList();

  private ScaleProbe() {}

  /**
   * Medians over the timed rounds (the first is a warm-up and left out), in seconds.
   *
   * @param parameters the network's parameter count
   * @param stateFloats parameters plus updater state: what a worker sends per round
   * @param driverHeapPeakBytes the driver's heap peak over the probe (sum of the pools' peaks)
   * @param epochS the probe's one epoch, all its rounds (the untimed first included) and what an
   *     epoch costs around them (peers: the epoch's job, the rendezvous, the connections)
   * @param epochRounds the rounds in that epoch
   */
  public record Figures(
      int workers,
      String aggregation,
      long parameters,
      long stateFloats,
      int rounds,
      double roundS,
      double broadcastS,
      double setupS,
      double computeS,
      double aggregateS,
      double driverS,
      long driverHeapPeakBytes,
      double epochS,
      int epochRounds) {}

  /** Probes {@code hidden} (e.g. [256, 128]) with {@code workers} workers for {@code rounds} rounds. */
  public static Figures run(
      SparkSession spark,
      List<Integer> hidden,
      int workers,
      String aggregation,
      int batch,
      int rounds) {
    long rows = (long) workers * batch * (rounds + 1);
    Column[] pixels = new Column[FEATURES];
    for (int i = 0; i < FEATURES; i++) {
      pixels[i] = rand(i);
    }
    Dataset<Row> train = spark
        .range(rows)
        .repartition(workers)
        .select(
            array_to_vector(array(pixels)).as(Columns.FEATURES),
            floor(rand(-1).multiply(10)).cast("double").as(Columns.LABEL))
        .persist(StorageLevel.MEMORY_AND_DISK());
    train.count();
    NetworkSpec spec = NetworkSpec.dense(
        hidden, HiddenActivation.RELU, 0.0, 0.0, Updater.ADAM, 1e-3, 0.9, LrSchedule.NONE, 0.5, 1);
    TrainSettings settings = new TrainSettings(
        Engine.PARAMETER_AVERAGING,
        workers,
        batch,
        1,
        1,
        StopMetric.VALIDATION_LOSS,
        0,
        1L << 30,
        0,
        Aggregation.valueOf(aggregation.toUpperCase(Locale.ROOT)),
        0,
        1,
        Augmentation.NONE);
    Target target = new Target("label", true, CLASSES, false);
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .toList();
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    ParameterAveraging.Result result;
    try {
      result = new ParameterAveraging(spark, spec, settings)
          .fit(new TrainingData(train, train.limit(0), target, 11, Checkpoints.NONE));
    } finally {
      train.unpersist();
    }
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    List<ParameterAveraging.RoundTiming> timed =
        result.rounds().subList(1, result.rounds().size());
    long parameters = result.params().length;
    long state = 3 * parameters; // the probe's Adam: parameters and two moments
    return new Figures(
        workers,
        result.aggregation().configName(),
        parameters,
        state,
        timed.size(),
        median(timed, ParameterAveraging.RoundTiming::roundS),
        median(timed, ParameterAveraging.RoundTiming::broadcastS),
        median(timed, ParameterAveraging.RoundTiming::setupS),
        median(timed, ParameterAveraging.RoundTiming::computeS),
        median(timed, ParameterAveraging.RoundTiming::aggregateS),
        median(timed, ParameterAveraging.RoundTiming::driverS),
        peak,
        result.history().get(0).seconds(),
        result.rounds().size());
  }

  private static double median(
      List<ParameterAveraging.RoundTiming> rounds,
      ToDoubleFunction<ParameterAveraging.RoundTiming> f) {
    List<Double> v = new ArrayList<>();
    rounds.forEach(r -> v.add(f.applyAsDouble(r)));
    Collections.sort(v);
    return v.isEmpty() ? Double.NaN : v.get(v.size() / 2);
  }
}
