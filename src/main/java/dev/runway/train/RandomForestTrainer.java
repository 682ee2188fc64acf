package dev.runway.train;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;

import dev.runway.config.ConfigChoice;
import dev.runway.config.ConfigReader;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import java.util.Map;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressor;

/** Spark MLlib random forest: a classifier or a regressor, following the target. */
record RandomForestTrainer(
    int numTrees,
    int maxDepth,
    int maxBins,
    int minInstances,
    double subsampling,
    FeatureSubset featureSubset,
    Map<String, Object> params)
    implements Trainer {
  static final String TYPE = "random-forest";

  static Trainer read(ConfigReader r) {
    HyperParams p = new HyperParams(r, TYPE);
    return new RandomForestTrainer(
        p.intIn("num-trees", 1, 10_000),
        p.intIn("max-depth", 0, 30),
        p.intIn("max-bins", 2, 65_536),
        p.intIn("min-instances-per-node", 1, Integer.MAX_VALUE),
        p.doubleIn("subsampling-rate", Double.MIN_VALUE, 1.0),
        p.choice("feature-subset-strategy", FeatureSubset.class),
        p.values());
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
    if (data.target().classification()) {
      RandomForestClassificationModel model = new RandomForestClassifier()
          .setFeaturesCol(FEATURES)
          .setLabelCol(LABEL)
          .setPredictionCol(Columns.PREDICTION)
          .setProbabilityCol(Columns.PROBABILITY)
          .setRawPredictionCol(Columns.RAW)
          .setNumTrees(numTrees)
          .setMaxDepth(maxDepth)
          .setMaxBins(maxBins)
          .setMinInstancesPerNode(minInstances)
          .setSubsamplingRate(subsampling)
          .setFeatureSubsetStrategy(featureSubset.configName())
          .setSeed(data.seed())
          .fit(data.train());
      return new SparkMlModel(
          model,
          Explained.trees(
              model.getNumTrees(),
              model.totalNumNodes(),
              model.featureImportances(),
              data.train()));
    }
    RandomForestRegressionModel model = new RandomForestRegressor()
        .setFeaturesCol(FEATURES)
        .setLabelCol(LABEL)
        .setPredictionCol(Columns.PREDICTION)
        .setNumTrees(numTrees)
        .setMaxDepth(maxDepth)
        .setMaxBins(maxBins)
        .setMinInstancesPerNode(minInstances)
        .setSubsamplingRate(subsampling)
        .setFeatureSubsetStrategy(featureSubset.configName())
        .setSeed(data.seed())
        .fit(data.train());
    return new SparkMlModel(
        model,
        Explained.trees(
            model.getNumTrees(), model.totalNumNodes(), model.featureImportances(), data.train()));
  }

  /** model.random-forest.feature-subset-strategy: features tried per split, by Spark's name. */
  enum FeatureSubset implements ConfigChoice {
    AUTO,
    ALL,
    ONETHIRD,
    SQRT,
    LOG2;

    @Override
    public String toString() {
      return configName();
    }
  }
}
