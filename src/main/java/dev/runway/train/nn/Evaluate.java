package dev.runway.train.nn;

import dev.runway.error.OutOfMemory;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loss and correct predictions of a network on cached blocks, for the per-epoch validation
 * numbers: returns {loss sum, correct, examples} per block.
 */
final class Evaluate implements FlatMapFunction<Iterator<Block>, double[]> {
  private static final long serialVersionUID = 1L;
  /** Rows per forward pass, unless {@link Forward#rows} finds that too much for the network. */
  private static final int BATCH = 1024;

  private final Broadcast<float[]> params;
  private final String configurationJson;

  Evaluate(Broadcast<float[]> params, String configurationJson) {
    this.params = params;
    this.configurationJson = configurationJson;
  }

  @Override
  public Iterator<double[]> call(Iterator<Block> blocks) {
    return OutOfMemory.inTask(() -> evaluate(blocks.next()));
  }

  private Iterator<double[]> evaluate(Block block) {
    if (block.rows == 0) {
      return List.of(new double[3]).iterator();
    }
    Threads.forCurrentTask();
    MultiLayerNetwork net = Networks.build(configurationJson);
    net.setParams(Nd4j.create(params.value(), new long[] {1, params.value().length}, 'c'));
    double loss = 0;
    double correct = 0;
    int rows = Forward.rows(net.getLayerWiseConfigurations(), block.nIn, BATCH);
    double regularization = net.calcRegularizationScore(true);
    Minibatches minibatches = new Minibatches(rows, block.nIn, block.nOut);
    for (int b = 0; b < block.batches(rows); b++) {
      DataSet batch = minibatches.batch(block, null, b);
      Forward.Result pass = Forward.lossAndOutput(net, batch, regularization);
      loss += pass.lossSum();
      correct += correct(pass.output(), batch.getLabels());
    }
    return List.of(new double[] {loss, correct, block.rows}).iterator();
  }

  /** Correct classifications: argmax for several outputs, threshold 0.5 for one (binary). */
  static double correct(INDArray output, INDArray labels) {
    if (output.columns() == 1) {
      INDArray predicted = output.gt(0.5).castTo(labels.dataType());
      return predicted.eq(labels).castTo(DataType.DOUBLE).sumNumber().doubleValue();
    }
    INDArray predicted = output.argMax(1);
    INDArray actual = labels.argMax(1);
    return predicted.eq(actual).castTo(DataType.DOUBLE).sumNumber().doubleValue();
  }
}
