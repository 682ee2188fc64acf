package dev.runway.train.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Networks living in an executor JVM between rounds. Building a network and its updater costs
 * more than a round's averaging, so each worker keeps its own across rounds and only receives
 * new parameters.
 *
 * <p>The networks of the {@value #KEPT_TRAININGS} most recently used trainings are kept: a tune
 * runs several trainings in one application at once, and each must not evict the others' networks
 * every round. A training evicted anyway loses nothing but time: every round loads the whole
 * state from its broadcast.
 */
final class Networks {
  static final int KEPT_TRAININGS = 4;

  /** Each kept training's networks by worker, least recently used training first. */
  private static final LinkedHashMap<String, Map<Integer, MultiLayerNetwork>> TRAININGS =
      new LinkedHashMap<>(8, 0.75f, true);

  private Networks() {}

  /** The network of worker {@code partition} of training {@code trainingId}. */
  static MultiLayerNetwork worker(String trainingId, int partition, String configurationJson) {
    Map<Integer, MultiLayerNetwork> networks;
    synchronized (TRAININGS) {
      networks = TRAININGS.computeIfAbsent(trainingId, id -> new ConcurrentHashMap<>());
      Iterator<String> eldest = TRAININGS.keySet().iterator();
      while (TRAININGS.size() > KEPT_TRAININGS) {
        eldest.next();
        eldest.remove();
      }
    }
    return networks.computeIfAbsent(partition, p -> build(configurationJson));
  }

  /** The trainings whose networks this JVM keeps, least recently used first (for tests). */
  static List<String> keptTrainings() {
    synchronized (TRAININGS) {
      return new ArrayList<>(TRAININGS.keySet());
    }
  }

  static MultiLayerNetwork build(String configurationJson) {
    MultiLayerNetwork net =
        new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
    net.init();
    return net;
  }

  /** Loads a worker state into a network: parameters, updater state and counters. */
  static void load(MultiLayerNetwork net, WorkerState state) {
    copyInto(net.params(), state.params());
    INDArray updater = net.getUpdater(true).getStateViewArray();
    if (updater != null && state.updater().length > 0) {
      copyInto(updater, state.updater());
    }
    net.setIterationCount(state.iteration());
    net.setEpochCount(state.epoch());
  }

  /** A network's current parameters as a flat float array. */
  static float[] params(MultiLayerNetwork net) {
    return copyOf(net.params());
  }

  /** A network's updater state as a flat float array (empty when the updater keeps none). */
  static float[] updater(MultiLayerNetwork net) {
    INDArray state = net.getUpdater(true).getStateViewArray();
    return state == null ? new float[0] : copyOf(state);
  }

  /**
   * Whether {@code array} is one dense run of floats at the start of its own buffer, so that its
   * off-heap memory can be read and written as a FloatBuffer. A network's flat parameter and
   * updater arrays are; ND4J's element-wise paths (Nd4j.create from a float[], asFloat()) cost a
   * few milliseconds per million floats a round, in every task, which this avoids.
   */
  static boolean flat(INDArray array) {
    return array.dataType() == DataType.FLOAT
        && array.offset() == 0
        && array.elementWiseStride() == 1
        && array.data().length() == array.length();
  }

  /** {@code values} written over {@code target}, whose length they must have. */
  static void copyInto(INDArray target, float[] values) {
    if (target.length() != values.length) {
      throw new IllegalArgumentException(
          "a state of " + values.length + " floats for an array of " + target.length());
    }
    if (flat(target)) {
      target.data().asNioFloat().put(values);
    } else {
      target.assign(Nd4j.create(values, target.shape(), 'c'));
    }
  }

  /** {@code array}'s values as a new float array. */
  static float[] copyOf(INDArray array) {
    if (flat(array)) {
      float[] out = new float[(int) array.length()];
      array.data().asNioFloat().get(out);
      return out;
    }
    return array.dup('c').data().asFloat();
  }
}
