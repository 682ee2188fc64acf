package dev.runway.train.nn;

import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Target;
import dev.runway.train.TrainedModel;
import dev.runway.train.Trainer;
import dev.runway.train.TrainingData;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import dev.runway.train.nn.NetworkSpec.LrSchedule;
import dev.runway.train.nn.NetworkSpec.Updater;
import dev.runway.train.nn.TrainSettings.Engine;
import dev.runway.train.nn.TrainSettings.StopMetric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model.type = neural-network}: a Deeplearning4j multi-layer perceptron on the feature
 * vector, trained across Spark workers by parameter averaging ({@code train.engine}).
 */
public final class NeuralNetworkTrainer implements Trainer {
  public static final String TYPE = "neural-network";

  private final NetworkSpec spec;
  private final TrainSettings settings;
  private final Map<String, Object> params;

  NeuralNetworkTrainer(NetworkSpec spec, TrainSettings settings, Map<String, Object> params) {
    this.spec = spec;
    this.settings = settings;
    this.params = params;
  }

  /**
   * Reads train.augment, which changes images: it needs the image's shape, a shift smaller than
   * the image, and the engine that builds runway's own minibatches.
   */
  private static Augmentation augmentation(
      ConfigReader r, List<Integer> inputShape, Engine engine) {
    boolean flip = r.bool("train.augment.horizontal-flip");
    int shift = r.intIn("train.augment.max-shift", 0, 65_535);
    if (!flip && shift == 0) {
      return Augmentation.NONE;
    }
    String key = flip ? "train.augment.horizontal-flip" : "train.augment.max-shift";
    if (inputShape.isEmpty()) {
      r.problem(key, "augments images: set model." + TYPE + ".input-shape, e.g. [1, 28, 28]");
      return Augmentation.NONE;
    }
    if (shift >= Math.min(inputShape.get(1), inputShape.get(2))) {
      r.problem(
          "train.augment.max-shift",
          "must be smaller than the image (" + inputShape.get(1) + " x " + inputShape.get(2)
              + " from model." + TYPE + ".input-shape)");
      return Augmentation.NONE;
    }
    if (engine != Engine.PARAMETER_AVERAGING) {
      r.problem(key, "works with train.engine = parameter-averaging only");
      return Augmentation.NONE;
    }
    return new Augmentation(flip, shift, inputShape.get(0), inputShape.get(1), inputShape.get(2));
  }

  /** Reads model.neural-network and train; problems are collected in {@code r}. */
  public static Trainer read(ConfigReader r) {
    String m = "model." + TYPE + ".";
    List<Integer> hiddenLayers = r.intList(m + "hidden-layers", 1, 65_536);
    HiddenActivation activation = r.choice(m + "activation", HiddenActivation.class);
    List<Integer> inputShape = r.intListOrEmpty(m + "input-shape", 1, 65_536);
    if (!inputShape.isEmpty() && inputShape.size() != 3) {
      r.problem(m + "input-shape", "expected [channels, height, width], e.g. [1, 28, 28]");
      inputShape = List.of();
    }
    NetworkSpec spec = new NetworkSpec(
        hiddenLayers,
        activation,
        r.doubleIn(m + "dropout", 0.0, 0.95),
        r.doubleIn(m + "l2", 0.0, 1.0),
        r.choice(m + "updater", Updater.class),
        r.doubleIn(m + "learning-rate", Double.MIN_VALUE, 1000.0),
        r.doubleIn(m + "momentum", 0.0, 1.0),
        r.choice(m + "lr-schedule", LrSchedule.class),
        r.doubleIn(m + "lr-decay", Double.MIN_VALUE, 1.0),
        r.intIn(m + "lr-step-epochs", 1, 100_000),
        Layers.read(r, m + "layers", activation),
        inputShape);
    // The vector's size is known only once the features exist: until then, check the layers
    // against the image they are declared for (a stand-in vector without one).
    if (!spec.layers().isEmpty() && r.problems().isEmpty()) {
      try {
        LayerSpec.shapes(
            spec.layers(),
            inputShape.isEmpty() ? LayerSpec.Shape.flat(1) : LayerSpec.Shape.of(inputShape));
      } catch (LayerSpec.Mismatch e) {
        r.problem("Cannot use " + m + "layers (" + r.where(m + "layers") + "): " + e.getMessage());
      }
    }
    Engine engine = r.choice("train.engine", Engine.class);
    TrainSettings settings = new TrainSettings(
        engine,
        r.intIn("train.workers", 0, 100_000),
        r.intIn("train.batch-size", 1, 1_000_000),
        r.intIn("train.averaging-frequency", 1, 1_000_000),
        r.intIn("train.epochs", 1, 100_000),
        r.choice("train.early-stopping.metric", StopMetric.class),
        r.intIn("train.early-stopping.patience", 0, 100_000),
        r.bytesIn("train.block-size", 1L << 16, 1L << 30),
        r.intIn("train.min-batches", 0, 1_000_000),
        r.choice("train.aggregation", TrainSettings.Aggregation.class),
        r.doubleIn("train.adaptive-averaging.agreement", 0.0, 10.0),
        r.intIn("train.adaptive-averaging.max-frequency", 1, 1_000_000),
        augmentation(r, inputShape, engine));
    if (settings.maxAveragingFrequency() < settings.averagingFrequency()) {
      r.problem(
          "train.adaptive-averaging.max-frequency",
          "must be at least train.averaging-frequency (" + settings.averagingFrequency() + ")");
    }
    Map<String, Object> params = new LinkedHashMap<>();
    Map<String, Object> network = new LinkedHashMap<>();
    if (!spec.layers().isEmpty()) {
      network.put("layers", spec.layers().stream().map(LayerSpec::label).toList());
      network.put("input-shape", spec.inputShape());
    }
    network.putAll(Map.of(
        "hidden-layers",
        spec.hiddenLayers(),
        "activation",
        spec.activation().configName(),
        "dropout",
        spec.dropout(),
        "l2",
        spec.l2(),
        "updater",
        spec.updater().configName(),
        "learning-rate",
        spec.learningRate(),
        "momentum",
        spec.momentum(),
        "lr-schedule",
        spec.lrSchedule().configName(),
        "lr-decay",
        spec.lrDecay(),
        "lr-step-epochs",
        spec.lrStepEpochs()));
    params.put("network", network);
    params.put(
        "train",
        Map.of(
            "engine",
            settings.engine().configName(),
            "workers",
            settings.workers(),
            "batch-size",
            settings.batchSize(),
            "averaging-frequency",
            settings.averagingFrequency(),
            "adaptive-averaging",
            Map.of(
                "agreement",
                settings.agreement(),
                "max-frequency",
                settings.maxAveragingFrequency()),
            "epochs",
            settings.epochs(),
            "early-stopping-metric",
            settings.stopMetric().configName(),
            "early-stopping-patience",
            settings.patience(),
            "block-size",
            settings.blockBytes(),
            "augment",
            Map.of(
                "horizontal-flip",
                settings.augmentation().horizontalFlip(),
                "max-shift",
                settings.augmentation().maxShift())));
    return new NeuralNetworkTrainer(spec, settings, params);
  }

  /** The network this trainer builds. */
  public NetworkSpec spec() {
    return spec;
  }

  /** How this trainer trains. */
  public TrainSettings settings() {
    return settings;
  }

  @Override
  public int slotsPerFit(int slots) {
    return settings.workers() > 0 ? settings.workers() : slots;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void checkTarget(Target target) {
    if (!target.classification() && settings.stopMetric() == StopMetric.VALIDATION_ACCURACY) {
      throw new JobConfigException(
          "Cannot stop early on train.early-stopping.metric = validation-accuracy"
              + " for the regression target '" + target.column() + "': use validation-loss");
    }
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    var spark = data.train().sparkSession();
    ParameterAveraging.Result result = switch (settings.engine()) {
      case DL4J_SPARK -> new Dl4jSparkEngine(spark, spec, settings).fit(data);
      case PARAMETER_AVERAGING -> new ParameterAveraging(spark, spec, settings).fit(data);
    };
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("engine", settings.engine().configName());
    summary.put("workers", result.workers());
    if (result.aggregation() != null) {
      summary.put("aggregation", result.aggregation().configName());
    }
    summary.put("best_epoch", result.bestEpoch());
    if (!result.blocks().isEmpty()) {
      summary.put("training_data", result.blocks());
    }
    summary.put("epochs", result.history().stream().map(EpochStats::toMap).toList());
    return new NetworkModel(
        spark,
        result.configurationJson(),
        result.params(),
        data.target().classification(),
        summary,
        result.firstStepAtMillis());
  }

  @Override
  public Map<String, Object> params() {
    return params;
  }
}
