package dev.runway.train.nn;

import dev.runway.config.ConfigChoice;
import dev.runway.error.JobConfigException;
import dev.runway.features.Target;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * The network architecture and optimizer of {@code model.neural-network}: dense hidden layers and
 * an output layer chosen by the target. A pure description; {@link #configuration} turns it into
 * Deeplearning4j's configuration for a given input size.
 *
 * @param hiddenLayers hidden layer sizes, input side first
 * @param activation hidden activation (relu, leakyrelu, elu, tanh, sigmoid)
 * @param dropout probability of dropping a hidden unit
 * @param l2 L2 weight decay
 * @param updater adam, nesterov or sgd
 * @param learningRate initial learning rate
 * @param momentum momentum of nesterov
 * @param lrSchedule none, exponential or step
 * @param lrDecay factor of the schedules
 * @param lrStepEpochs epochs per step of the step schedule
 * @param layers the layer list, input side first (empty: dense {@code hiddenLayers})
 * @param inputShape {@code [channels, height, width]} of the feature vector, for image layers
 *     (empty: a flat vector)
 */
public record NetworkSpec(
    List<Integer> hiddenLayers,
    HiddenActivation activation,
    double dropout,
    double l2,
    Updater updater,
    double learningRate,
    double momentum,
    LrSchedule lrSchedule,
    double lrDecay,
    int lrStepEpochs,
    List<LayerSpec> layers,
    List<Integer> inputShape)
    implements Serializable {

  public NetworkSpec {
    layers = List.copyOf(layers);
    inputShape = List.copyOf(inputShape);
  }

  /** The dense form: {@code hiddenLayers} of {@code activation}, no layer list. */
  public static NetworkSpec dense(
      List<Integer> hiddenLayers,
      HiddenActivation activation,
      double dropout,
      double l2,
      Updater updater,
      double learningRate,
      double momentum,
      LrSchedule lrSchedule,
      double lrDecay,
      int lrStepEpochs) {
    return new NetworkSpec(
        hiddenLayers,
        activation,
        dropout,
        l2,
        updater,
        learningRate,
        momentum,
        lrSchedule,
        lrDecay,
        lrStepEpochs,
        List.of(),
        List.of());
  }

  /** The shape the first layer receives from a feature vector of {@code nIn} values. */
  LayerSpec.Shape input(int nIn) {
    if (inputShape.isEmpty()) {
      return LayerSpec.Shape.flat(nIn);
    }
    LayerSpec.Shape shape = LayerSpec.Shape.of(inputShape);
    if (shape.size() != nIn) {
      throw new JobConfigException(String.format(
          Locale.ROOT,
          "Cannot train model.neural-network.input-shape = %s: %d x %d x %d = %d values, but the"
              + " feature vector has %d (set input-shape to the image the features hold, e.g. [1,"
              + " 28, 28] for 784 pixels, and no other feature columns)",
          inputShape,
          shape.channels(),
          shape.height(),
          shape.width(),
          shape.size(),
          nIn));
    }
    return shape;
  }

  /** What the network is, for tables and logs: "MLP 784-[256, 128]-10", "CNN 1x28x28-...". */
  public String describe(int nIn, int nOut) {
    if (layers.isEmpty()) {
      return "MLP " + nIn + "-" + hiddenLayers + "-" + nOut;
    }
    StringBuilder b = new StringBuilder(
        layers.stream().anyMatch(l -> l instanceof LayerSpec.Convolution) ? "CNN " : "network ");
    b.append(input(nIn));
    for (LayerSpec l : layers) {
      b.append('-').append(l.label());
    }
    return b.append('-').append(nOut).toString();
  }

  /** The Deeplearning4j configuration for {@code nIn} inputs and the target's outputs. */
  public MultiLayerConfiguration configuration(int nIn, Target target, long seed) {
    Activation hidden = activation.dl4j();
    NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .updater(buildUpdater())
        .l2(l2)
        .weightInit(
            hidden == Activation.RELU || hidden == Activation.LEAKYRELU
                ? WeightInit.RELU
                : WeightInit.XAVIER)
        .list();
    if (!this.layers.isEmpty()) {
      return fromLayers(layers, nIn, target);
    }
    int in = nIn;
    for (int size : hiddenLayers) {
      DenseLayer.Builder layer = new DenseLayer.Builder().nIn(in).nOut(size).activation(hidden);
      if (dropout > 0) {
        layer.dropOut(1.0 - dropout); // Deeplearning4j takes the probability of keeping a unit
      }
      layers.layer(layer.build());
      in = size;
    }
    layers.layer(outputLayer(in, target));
    return layers.build();
  }

  /**
   * The layer list's configuration. Deeplearning4j is told the input type (a flat image, or a
   * vector) and infers every layer's input size and the reshapes between image and vector layers
   * itself; the shapes were checked first, so a layer that does not fit fails here with the
   * arithmetic instead of deep inside Deeplearning4j.
   */
  private MultiLayerConfiguration fromLayers(
      NeuralNetConfiguration.ListBuilder list, int nIn, Target target) {
    LayerSpec.Shape input = input(nIn);
    List<LayerSpec.Shape> shapes;
    try {
      shapes = LayerSpec.shapes(layers, input);
    } catch (LayerSpec.Mismatch e) {
      throw new JobConfigException("Cannot train model.neural-network.layers: " + e.getMessage());
    }
    for (LayerSpec spec : layers) {
      // Deeplearning4j flattens an image itself before a dense or output layer.
      if (!(spec instanceof LayerSpec.Flatten)) {
        list.layer(dl4jLayer(spec));
      }
    }
    LayerSpec.Shape last = shapes.isEmpty() ? input : shapes.get(shapes.size() - 1);
    list.layer(outputLayer((int) last.size(), target));
    list.setInputType(
        input.image()
            ? InputType.convolutionalFlat(input.height(), input.width(), input.channels())
            : InputType.feedForward(nIn));
    return list.build();
  }

  private Layer dl4jLayer(LayerSpec spec) {
    if (spec instanceof LayerSpec.Dense d) {
      DenseLayer.Builder dense =
          new DenseLayer.Builder().nOut(d.units()).activation(d.activation().dl4j());
      if (dropout > 0) {
        dense.dropOut(1.0 - dropout);
      }
      return dense.build();
    }
    if (spec instanceof LayerSpec.Convolution c) {
      return new ConvolutionLayer.Builder(c.kernelH(), c.kernelW())
          .stride(c.strideH(), c.strideW())
          .padding(c.padH(), c.padW())
          .nOut(c.filters())
          .activation(c.activation().dl4j())
          .build();
    }
    if (spec instanceof LayerSpec.Pooling p) {
      return new SubsamplingLayer.Builder(
              p.max() ? SubsamplingLayer.PoolingType.MAX : SubsamplingLayer.PoolingType.AVG)
          .kernelSize(p.kernelH(), p.kernelW())
          .stride(p.strideH(), p.strideW())
          .build();
    }
    if (spec instanceof LayerSpec.BatchNormalization) {
      return new BatchNormalization.Builder().build();
    }
    if (spec instanceof LayerSpec.Dropout d) {
      return new DropoutLayer.Builder(1.0 - d.rate()).build();
    }
    throw new IllegalArgumentException("no Deeplearning4j layer for " + spec);
  }

  /** Outputs of the network: one per class, or one for two classes and for regression. */
  public static int outputs(Target target) {
    return target.classification() && !target.binary() ? target.classes().size() : 1;
  }

  private static OutputLayer outputLayer(int nIn, Target target) {
    if (!target.classification()) {
      return new OutputLayer.Builder(LossFunction.MSE)
          .nIn(nIn)
          .nOut(1)
          .activation(Activation.IDENTITY)
          .build();
    }
    if (target.binary()) {
      return new OutputLayer.Builder(LossFunction.XENT)
          .nIn(nIn)
          .nOut(1)
          .activation(Activation.SIGMOID)
          .build();
    }
    return new OutputLayer.Builder(LossFunction.MCXENT)
        .nIn(nIn)
        .nOut(target.classes().size())
        .activation(Activation.SOFTMAX)
        .build();
  }

  private IUpdater buildUpdater() {
    ISchedule schedule = switch (lrSchedule) {
      case EXPONENTIAL -> new ExponentialSchedule(ScheduleType.EPOCH, learningRate, lrDecay);
      case STEP -> new StepSchedule(ScheduleType.EPOCH, learningRate, lrDecay, lrStepEpochs);
      case NONE -> null;
    };
    return switch (updater) {
      case NESTEROV ->
        schedule == null
            ? new Nesterovs(learningRate, momentum)
            : new Nesterovs(schedule, momentum);
      case SGD -> schedule == null ? new Sgd(learningRate) : new Sgd(schedule);
      case ADAM -> schedule == null ? new Adam(learningRate) : new Adam(schedule);
    };
  }

  /** model.neural-network.activation: the hidden layers' activation function. */
  public enum HiddenActivation implements ConfigChoice {
    RELU(Activation.RELU),
    LEAKYRELU(Activation.LEAKYRELU),
    ELU(Activation.ELU),
    TANH(Activation.TANH),
    SIGMOID(Activation.SIGMOID);

    private final Activation dl4j;

    HiddenActivation(Activation dl4j) {
      this.dl4j = dl4j;
    }

    /** Deeplearning4j's activation. */
    public Activation dl4j() {
      return dl4j;
    }

    @Override
    public String toString() {
      return configName();
    }
  }

  /** model.neural-network.updater: the optimizer. */
  public enum Updater implements ConfigChoice {
    ADAM,
    NESTEROV,
    SGD;

    @Override
    public String toString() {
      return configName();
    }
  }

  /** model.neural-network.lr-schedule: how the learning rate changes by epoch. */
  public enum LrSchedule implements ConfigChoice {
    NONE,
    EXPONENTIAL,
    STEP;

    @Override
    public String toString() {
      return configName();
    }
  }
}
