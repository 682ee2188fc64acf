package dev.runway.train.nn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Inference forward passes for validation and scoring: how many rows one pass takes, and the
 * loss and the outputs from a single pass.
 */
final class Forward {
  /**
   * Working memory one inference pass may take. Why a budget and not a row count: a convolution
   * holds far more per row than a dense layer. The 47,000-parameter Fashion-MNIST CNN needs about
   * 100 KB a row (its first layer's unrolled patches), so 1,024 rows at a time meant arrays of 60
   * to 100 MB, which the C allocator maps fresh from the kernel for every op and frees again; the pages
   * faulted in cost that pass 2 to 3 times the time of 128-row passes (1.7 million page faults
   * against 0.3 million in the same work, measured on the 2-core VM). A dense network's rows are
   * small enough to keep the full 1,024.
   */
  static final long BYTES = 16L << 20;

  private Forward() {}

  /**
   * Rows per inference pass: at most {@code maxRows}, and no more than keep the memory that grows
   * with the rows within {@link #BYTES}, by Deeplearning4j's own estimate for the configuration;
   * at least one.
   */
  static int rows(MultiLayerConfiguration conf, int nIn, int maxRows) {
    NetworkMemoryReport report;
    try {
      report = conf.getMemoryReport(InputType.feedForward(nIn));
    } catch (RuntimeException e) {
      return maxRows; // a layer without an estimate: nothing to bound by
    }
    // Only what grows with the rows counts: the parameters are there whatever the pass's size.
    long perRow = Math.max(1, inferenceBytes(report, 2) - inferenceBytes(report, 1));
    return (int) Math.min(maxRows, Math.max(1, BYTES / perRow));
  }

  private static long inferenceBytes(NetworkMemoryReport report, int rows) {
    return report.getTotalMemoryBytes(
        rows, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT);
  }

  /** Summed loss over a minibatch's examples, and the network's outputs for them. */
  record Result(double lossSum, INDArray output) {}

  /**
   * The minibatch's loss, as {@code net.score(batch, false) x examples} gives it, and its outputs,
   * from one forward pass: asking the network for both ran the pass twice, half of validation's
   * time. {@code regularization} is {@code net.calcRegularizationScore(true)}, the term
   * {@code score} adds to every minibatch's mean loss; it depends only on the parameters, so a
   * caller passing many minibatches through the same parameters computes it once.
   */
  static Result lossAndOutput(MultiLayerNetwork net, DataSet batch, double regularization) {
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    int n = batch.numExamples();
    int last = net.getnLayers() - 1;
    INDArray input = batch.getFeatures();
    if (last > 0) {
      // Inputs and activations of layers 0 .. last-1: the output layer's input is the final one.
      input = net.feedForwardToLayer(last - 1, input, false).get(last);
    }
    InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(last);
    if (pre != null) {
      input = pre.preProcess(input, n, mgr);
    }
    Layer layer = net.getLayer(last);
    IOutputLayer output = (IOutputLayer) layer;
    layer.setInputMiniBatchSize(n);
    layer.setInput(input, mgr);
    output.setLabels(batch.getLabels());
    double loss = output.computeScore(regularization, false, mgr) * n;
    INDArray activations = layer.activate(false, mgr);
    layer.clear();
    return new Result(loss, activations);
  }
}
