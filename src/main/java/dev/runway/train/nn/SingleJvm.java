package dev.runway.train.nn;

import dev.runway.features.Target;
import dev.runway.train.TrainedModel;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Plain Deeplearning4j in one JVM, no Spark in the loop: the baseline the benchmark holds the
 * distributed engines against. Same network, same minibatches, same per-epoch shuffles as one
 * runway worker would see if it had all the data.
 */
public final class SingleJvm {
  private SingleJvm() {}

  /**
   * The fitted model and the seconds spent in minibatch steps (collecting the data to this JVM
   * is not counted: a single-machine user would have it in memory already).
   *
   * @param model the network, as a TrainedModel
   * @param trainSeconds wall time of the epochs
   */
  public record Result(TrainedModel model, double trainSeconds) {}

  /** The training rows collected into this JVM, packed once for any number of trainings. */
  public record Data(SparkSession spark, Block block, Target target) {
    public static Data collect(Dataset<Row> train, Target target) {
      List<Row> rows = train.collectAsList();
      int nIn = rows.get(0).<Vector>getAs(0).size();
      return new Data(
          train.sparkSession(), Block.pack(rows, nIn, NetworkSpec.outputs(target)), target);
    }
  }

  public static Result train(
      NetworkSpec spec, TrainSettings settings, Data data, long seed, int threads) {
    Target target = data.target();
    String conf = spec.configuration(data.block().nIn, target, seed).toJson();
    Threads.set(threads);
    MultiLayerNetwork net = Networks.build(conf);
    Block block = data.block();
    Minibatches minibatches =
        new Minibatches(settings.batchSize(), block.nIn, block.nOut, settings.augmentation());
    long start = System.nanoTime();
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      net.setEpochCount(epoch);
      long orderSeed = seed * 1_000_003L + epoch;
      int[] order = block.permutation(orderSeed);
      for (int b = 0; b < block.batches(settings.batchSize()); b++) {
        net.fit(minibatches.batch(block, order, b, orderSeed));
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(
        new NetworkModel(
            data.spark(),
            conf,
            Networks.params(net),
            target.classification(),
            Map.of("engine", "single-jvm"),
            0),
        seconds);
  }
}
