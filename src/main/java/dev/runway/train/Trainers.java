package dev.runway.train;

import dev.runway.config.ConfigReader;
import dev.runway.train.nn.NeuralNetworkTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry behind {@code model.type}: each trainer is created from the job's configuration,
 * reading its own section {@code model.<type>}, so its problems are reported with the rest.
 */
public final class Trainers {
  private static final Map<String, Function<ConfigReader, Trainer>> REGISTRY =
      new LinkedHashMap<>();

  static {
    REGISTRY.put(LogisticRegressionTrainer.TYPE, LogisticRegressionTrainer::read);
    REGISTRY.put(RandomForestTrainer.TYPE, RandomForestTrainer::read);
    REGISTRY.put(GradientBoostedTreesTrainer.TYPE, GradientBoostedTreesTrainer::read);
    REGISTRY.put(LinearRegressionTrainer.TYPE, LinearRegressionTrainer::read);
    REGISTRY.put(NeuralNetworkTrainer.TYPE, NeuralNetworkTrainer::read);
  }

  private Trainers() {}

  public static List<String> types() {
    return List.copyOf(REGISTRY.keySet());
  }

  /** The trainer named by model.type, or null after recording a problem in {@code r}. */
  public static Trainer read(ConfigReader r) {
    String type = r.oneOf("model.type", types());
    Function<ConfigReader, Trainer> factory = REGISTRY.get(type);
    return factory == null ? null : factory.apply(r);
  }
}
