package dev.runway.train.nn;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Networks living in an executor JVM between rounds. Building a network and its updater costs
 * more than a round's averaging, so each worker keeps its own across rounds and only receives
 * new parameters. Only the current training's networks are kept.
 */
final class Networks {
  private static final Map<String, MultiLayerNetwork> CACHE = new ConcurrentHashMap<>();

  private Networks() {}

  /** The network of worker {@code partition} of training {@code trainingId}. */
  static MultiLayerNetwork worker(String trainingId, int partition, String configurationJson) {
    CACHE.keySet().removeIf(k -> !k.startsWith(trainingId + "/"));
    return CACHE.computeIfAbsent(trainingId + "/" + partition, k -> build(configurationJson));
  }

  static MultiLayerNetwork build(String configurationJson) {
    MultiLayerNetwork net =
        new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
    net.init();
    return net;
  }

  /** Loads a worker state into a network: parameters, updater state and counters. */
  static void load(MultiLayerNetwork net, WorkerState state) {
    net.setParams(Nd4j.create(state.params(), new long[] {1, state.params().length}, 'c'));
    INDArray updater = net.getUpdater(true).getStateViewArray();
    if (updater != null && state.updater().length > 0) {
      updater.assign(Nd4j.create(state.updater(), new long[] {1, state.updater().length}, 'c'));
    }
    net.setIterationCount(state.iteration());
    net.setEpochCount(state.epoch());
  }

  /** A network's current parameters as a flat float array. */
  static float[] params(MultiLayerNetwork net) {
    return net.params().dup().data().asFloat();
  }

  /** A network's updater state as a flat float array (empty when the updater keeps none). */
  static float[] updater(MultiLayerNetwork net) {
    INDArray state = net.getUpdater(true).getStateViewArray();
    return state == null ? new float[0] : state.dup().data().asFloat();
  }
}
