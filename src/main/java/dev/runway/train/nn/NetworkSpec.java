package dev.runway.train.nn;

import dev.runway.config.ConfigChoice;
import dev.runway.features.Target;
import java.io.Serializable;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
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
    int lrStepEpochs)
    implements Serializable {

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
