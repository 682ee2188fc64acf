package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.features.Target;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import dev.runway.train.nn.NetworkSpec.LrSchedule;
import dev.runway.train.nn.NetworkSpec.Updater;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** One forward pass gives what score and output gave from two; passes sized by memory. */
class ForwardTest {
  private static final HiddenActivation RELU = HiddenActivation.RELU;
  private static final Target THREE = new Target("y", true, List.of("a", "b", "c"), false);
  private static final Target TWO = new Target("y", true, List.of("no", "yes"), false);
  private static final Target NUMBER = new Target("y", false, List.of(), false);

  private static NetworkSpec net(
      List<Integer> hidden, double l2, List<LayerSpec> layers, List<Integer> shape) {
    return new NetworkSpec(
        hidden, RELU, 0.3, l2, Updater.ADAM, 0.01, 0.9, LrSchedule.NONE, 0.5, 5, layers, shape);
  }

  /** Trains a few steps (so batch norm's statistics and the weights are not the initial ones). */
  private static MultiLayerNetwork trained(MultiLayerConfiguration conf, DataSet data) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    for (int i = 0; i < 5; i++) {
      net.fit(data);
    }
    return net;
  }

  private static DataSet data(int rows, int nIn, Target target, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.randn(rows, nIn);
    int nOut = NetworkSpec.outputs(target);
    INDArray y = Nd4j.zeros(rows, nOut);
    for (int i = 0; i < rows; i++) {
      if (!target.classification()) {
        y.putScalar(i, 0, x.getDouble(i, 0) * 2 - x.getDouble(i, 1));
      } else if (nOut == 1) {
        y.putScalar(i, 0, x.getDouble(i, 0) > 0 ? 1 : 0);
      } else {
        y.putScalar(i, i % nOut, 1);
      }
    }
    return new DataSet(x, y);
  }

  private static void assertSameAsScoreAndOutput(
      MultiLayerConfiguration conf, int nIn, Target target) {
    DataSet data = data(40, nIn, target, 3);
    MultiLayerNetwork net = trained(conf, data);
    DataSet batch = data(17, nIn, target, 4);
    double expectedLoss = net.score(batch, false) * 17;
    INDArray expectedOutput = net.output(batch.getFeatures(), false);
    Forward.Result pass = Forward.lossAndOutput(net, batch, net.calcRegularizationScore(true));
    assertEquals(expectedLoss, pass.lossSum(), Math.abs(expectedLoss) * 1e-5);
    assertEquals(expectedOutput, pass.output());
  }

  @Test
  void oneForwardPassGivesScoresLossAndOutputsForEveryKindOfOutputLayer() {
    // With L2, so the regularization term the validation loss has always included is still in.
    assertSameAsScoreAndOutput(
        net(List.of(8, 4), 0.01, List.of(), List.of()).configuration(6, THREE, 1), 6, THREE);
    assertSameAsScoreAndOutput(
        net(List.of(5), 0, List.of(), List.of()).configuration(6, TWO, 1), 6, TWO);
    assertSameAsScoreAndOutput(
        net(List.of(), 0, List.of(), List.of()).configuration(6, NUMBER, 1), 6, NUMBER);
  }

  @Test
  void oneForwardPassMatchesForConvolutionsAndBatchNormalization() {
    List<LayerSpec> toOutput = List.of(
        new LayerSpec.Convolution(3, 3, 3, 1, 1, 0, 0, RELU),
        new LayerSpec.BatchNormalization(),
        new LayerSpec.Pooling(true, 2, 2, 2, 2));
    assertSameAsScoreAndOutput(
        net(List.of(), 0, toOutput, List.of(1, 6, 6)).configuration(36, THREE, 1), 36, THREE);
    List<LayerSpec> withDense = List.of(
        new LayerSpec.Convolution(3, 3, 3, 1, 1, 0, 0, RELU),
        new LayerSpec.Pooling(true, 2, 2, 2, 2),
        new LayerSpec.Dense(5, RELU),
        new LayerSpec.Dropout(0.2));
    assertSameAsScoreAndOutput(
        net(List.of(), 0.001, withDense, List.of(1, 6, 6)).configuration(36, TWO, 1), 36, TWO);
  }

  private static MultiLayerConfiguration fashionCnn(int first, int kernel, int second) {
    return net(
            List.of(),
            0,
            List.of(
                new LayerSpec.Convolution(first, kernel, kernel, 1, 1, 0, 0, RELU),
                new LayerSpec.BatchNormalization(),
                new LayerSpec.Pooling(true, 2, 2, 2, 2),
                new LayerSpec.Convolution(second, kernel, kernel, 1, 1, 0, 0, RELU),
                new LayerSpec.BatchNormalization(),
                new LayerSpec.Pooling(true, 2, 2, 2, 2),
                new LayerSpec.Dense(64, RELU),
                new LayerSpec.Dropout(0.3)),
            List.of(1, 28, 28))
        .configuration(784, THREE, 1);
  }

  @Test
  void passesOfAConvolutionalNetworkTakeFewerRowsThanADenseOnesAndAlwaysAtLeastOne() {
    MultiLayerConfiguration mlp =
        net(List.of(256, 128), 0, List.of(), List.of()).configuration(784, THREE, 1);
    assertEquals(1024, Forward.rows(mlp, 784, 1024));
    assertEquals(7, Forward.rows(mlp, 784, 7));
    // The Fashion-MNIST networks: the example's convolutions (32 and 64 x 3x3; its dense layer
    // adds little to a row's working memory) and the smaller one before it (16 and 32 x 5x5,
    // about 100 KB of working memory a row).
    int example = Forward.rows(fashionCnn(32, 3, 64), 784, 1024);
    int small = Forward.rows(fashionCnn(16, 5, 32), 784, 1024);
    assertTrue(small >= 128 && small <= 200, "rows per pass " + small);
    assertTrue(example >= 32 && example < small, "rows per pass " + example + " and " + small);
    // Activations too big for the budget at two rows: one row at a time, never none.
    MultiLayerConfiguration wide =
        net(List.of(5_000_000), 0, List.of(), List.of()).configuration(4, THREE, 1);
    assertEquals(1, Forward.rows(wide, 4, 1024));
  }
}
