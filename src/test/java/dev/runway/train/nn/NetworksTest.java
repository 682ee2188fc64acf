package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.features.Target;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import dev.runway.train.nn.NetworkSpec.LrSchedule;
import dev.runway.train.nn.NetworkSpec.Updater;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** A worker state goes into a network and comes back out by bulk copies of off-heap memory. */
class NetworksTest {
  private static final Target THREE_CLASSES =
      new Target("label", true, List.of("a", "b", "c"), false);

  private static MultiLayerNetwork network() {
    NetworkSpec spec = NetworkSpec.dense(
        List.of(16, 8),
        HiddenActivation.RELU,
        0.0,
        0.0,
        Updater.ADAM,
        0.01,
        0.9,
        LrSchedule.NONE,
        0.5,
        5);
    return Networks.build(spec.configuration(5, THREE_CLASSES, 3).toJson());
  }

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }

  @Test
  void aLoadedStateIsWhatTheNetworkHoldsElementByElement() {
    MultiLayerNetwork net = network();
    int n = (int) net.numParams();
    float[] params = random(n, 1);
    int u = (int) net.getUpdater(true).getStateViewArray().length();
    float[] updater = random(u, 2);
    // A network's arrays take the bulk path, not the element-wise fallback.
    assertTrue(Networks.flat(net.params()));
    assertTrue(Networks.flat(net.getUpdater(true).getStateViewArray()));
    Networks.load(net, new WorkerState(params, updater, 7, 2));
    // Element by element through ND4J's own indexing: the bulk copy put every float where
    // Deeplearning4j reads it (byte order, offsets).
    INDArray held = net.params();
    for (int i = 0; i < n; i++) {
      assertEquals(params[i], held.getFloat(i), 0f, "parameter " + i);
    }
    INDArray state = net.getUpdater(true).getStateViewArray();
    for (int i = 0; i < u; i++) {
      assertEquals(updater[i], state.getFloat(i), 0f, "updater " + i);
    }
    assertArrayEquals(params, Networks.params(net));
    assertArrayEquals(updater, Networks.updater(net));
    assertEquals(7, net.getIterationCount());
    assertEquals(2, net.getEpochCount());
  }

  @Test
  void theLayersSeeTheLoadedParameters() {
    MultiLayerNetwork loaded = network();
    MultiLayerNetwork reference = network();
    float[] params = random((int) loaded.numParams(), 3);
    Networks.load(loaded, new WorkerState(params, new float[0], 0, 0));
    reference.setParams(Nd4j.create(params, new long[] {1, params.length}, 'c'));
    INDArray x = Nd4j.create(random(4 * 5, 4), new long[] {4, 5}, 'c');
    assertEquals(reference.output(x), loaded.output(x));
    // And training goes on from them the same way.
    INDArray y = Nd4j.eye(3).getRows(0, 1, 2, 0);
    loaded.fit(new DataSet(x, y));
    reference.fit(new DataSet(x, y));
    assertArrayEquals(Networks.params(reference), Networks.params(loaded));
  }

  @Test
  void aViewThatIsNotOneRunOfFloatsIsCopiedElementWise() {
    INDArray matrix = Nd4j.create(random(12, 5), new long[] {3, 4}, 'c');
    INDArray column = matrix.getColumn(1);
    assertFalse(Networks.flat(column));
    Networks.copyInto(column, new float[] {10, 20, 30});
    assertArrayEquals(new float[] {10, 20, 30}, Networks.copyOf(column));
    assertEquals(20f, matrix.getFloat(1, 1), 0f);
    assertEquals(matrix.getFloat(1, 0), Networks.copyOf(matrix.getRow(1))[0], 0f);
  }

  @Test
  void aStateOfTheWrongLengthIsRefused() {
    MultiLayerNetwork net = network();
    assertThrows(
        IllegalArgumentException.class,
        () -> Networks.copyInto(net.params(), new float[(int) net.numParams() - 1]));
  }

  @Test
  void theNetworksOfTheLastFourTrainingsAreKeptSoConcurrentTrainingsDoNotEvictEachOther() {
    String conf = network().getLayerWiseConfigurations().toJson();
    MultiLayerNetwork a0 = Networks.worker("lru-a", 0, conf);
    Networks.worker("lru-b", 0, conf);
    // Two trainings taking turns, as a tune's concurrent trials do: each keeps its network.
    assertSame(a0, Networks.worker("lru-a", 0, conf));
    Networks.worker("lru-c", 0, conf);
    Networks.worker("lru-d", 0, conf);
    assertSame(a0, Networks.worker("lru-a", 0, conf));
    Networks.worker("lru-e", 0, conf); // a fifth evicts the least recently used: b
    List<String> kept = Networks.keptTrainings();
    assertEquals(
        List.of("lru-c", "lru-d", "lru-a", "lru-e"), kept.subList(kept.size() - 4, kept.size()));
    assertEquals(Networks.KEPT_TRAININGS, kept.size());
    assertNotSame(a0, Networks.worker("lru-a", 1, conf), "one network per worker");
  }
}
