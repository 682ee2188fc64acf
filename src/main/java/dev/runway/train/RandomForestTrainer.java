package dev.runway.train;

import static dev.runway.features.FeatureStep.FEATURES;
import static dev.runway.features.FeatureStep.LABEL;

import dev.runway.config.ConfigReader;
import dev.runway.features.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.regression.RandomForestRegressor;

/** Spark MLlib random forest: a classifier or a regressor, following the target. */
final class RandomForestTrainer implements Trainer {
  static final String TYPE = "random-forest";

  private final int numTrees;
  private final int maxDepth;
  private final int maxBins;
  private final int minInstances;
  private final double subsampling;
  private final String featureSubset;

  private RandomForestTrainer(int numTrees, int maxDepth, int maxBins, int minInstances,
      double subsampling, String featureSubset) {
    this.numTrees = numTrees;
    this.maxDepth = maxDepth;
    this.maxBins = maxBins;
    this.minInstances = minInstances;
    this.subsampling = subsampling;
    this.featureSubset = featureSubset;
  }

  static Trainer read(ConfigReader r) {
    String s = Trainers.section(TYPE);
    return new RandomForestTrainer(
        r.intIn(s + "num-trees", 1, 10_000),
        r.intIn(s + "max-depth", 0, 30),
        r.intIn(s + "max-bins", 2, 65_536),
        r.intIn(s + "min-instances-per-node", 1, Integer.MAX_VALUE),
        r.doubleIn(s + "subsampling-rate", Double.MIN_VALUE, 1.0),
        r.oneOf(s + "feature-subset-strategy", List.of("auto", "all", "onethird", "sqrt", "log2")));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void checkTarget(Target target) {
    // Both classification and regression are supported.
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    Model<?> model;
    if (data.target().classification()) {
      model = new RandomForestClassifier()
          .setFeaturesCol(FEATURES).setLabelCol(LABEL).setPredictionCol(TrainedModel.PREDICTION)
          .setProbabilityCol(TrainedModel.PROBABILITY).setRawPredictionCol(TrainedModel.RAW)
          .setNumTrees(numTrees).setMaxDepth(maxDepth).setMaxBins(maxBins)
          .setMinInstancesPerNode(minInstances).setSubsamplingRate(subsampling)
          .setFeatureSubsetStrategy(featureSubset).setSeed(data.seed())
          .fit(data.train());
    } else {
      model = new RandomForestRegressor()
          .setFeaturesCol(FEATURES).setLabelCol(LABEL).setPredictionCol(TrainedModel.PREDICTION)
          .setNumTrees(numTrees).setMaxDepth(maxDepth).setMaxBins(maxBins)
          .setMinInstancesPerNode(minInstances).setSubsamplingRate(subsampling)
          .setFeatureSubsetStrategy(featureSubset).setSeed(data.seed())
          .fit(data.train());
    }
    return new SparkMlModel(model, Map.of("trees", numTrees));
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("num-trees", numTrees);
    p.put("max-depth", maxDepth);
    p.put("max-bins", maxBins);
    p.put("min-instances-per-node", minInstances);
    p.put("subsampling-rate", subsampling);
    p.put("feature-subset-strategy", featureSubset);
    return p;
  }
}
