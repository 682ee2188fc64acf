package dev.runway.train;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;

import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.regression.GBTRegressor;

/** Spark MLlib gradient-boosted trees: binary classification or regression. */
record GradientBoostedTreesTrainer(
    int maxIter,
    int maxDepth,
    double stepSize,
    int maxBins,
    double subsampling,
    Map<String, Object> params)
    implements Trainer {
  static final String TYPE = "gradient-boosted-trees";

  static Trainer read(ConfigReader r) {
    HyperParams p = new HyperParams(r, TYPE);
    return new GradientBoostedTreesTrainer(
        p.intIn("max-iter", 1, 10_000),
        p.intIn("max-depth", 0, 30),
        p.doubleIn("step-size", Double.MIN_VALUE, 1.0),
        p.intIn("max-bins", 2, 65_536),
        p.doubleIn("subsampling-rate", Double.MIN_VALUE, 1.0),
        p.values());
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void checkTarget(Target target) {
    if (target.classification() && !target.binary()) {
      throw new JobConfigException(
          "Cannot train model.type = " + TYPE + " on "
              + target.classes().size() + " classes of '" + target.column()
              + "': Spark's gradient-boosted trees classify two classes only; use random-forest or logistic-regression");
    }
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    Model<?> model;
    if (data.target().classification()) {
      model = new GBTClassifier()
          .setFeaturesCol(FEATURES)
          .setLabelCol(LABEL)
          .setPredictionCol(Columns.PREDICTION)
          .setProbabilityCol(Columns.PROBABILITY)
          .setRawPredictionCol(Columns.RAW)
          .setMaxIter(maxIter)
          .setMaxDepth(maxDepth)
          .setStepSize(stepSize)
          .setMaxBins(maxBins)
          .setSubsamplingRate(subsampling)
          .setSeed(data.seed())
          .fit(data.train());
    } else {
      model = new GBTRegressor()
          .setFeaturesCol(FEATURES)
          .setLabelCol(LABEL)
          .setPredictionCol(Columns.PREDICTION)
          .setMaxIter(maxIter)
          .setMaxDepth(maxDepth)
          .setStepSize(stepSize)
          .setMaxBins(maxBins)
          .setSubsamplingRate(subsampling)
          .setSeed(data.seed())
          .fit(data.train());
    }
    return new SparkMlModel(model, Map.of("trees", maxIter));
  }
}
