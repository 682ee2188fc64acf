package dev.runway.train;

import static dev.runway.features.FeatureStep.FEATURES;
import static dev.runway.features.FeatureStep.LABEL;

import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.regression.GBTRegressor;

/** Spark MLlib gradient-boosted trees: binary classification or regression. */
final class GradientBoostedTreesTrainer implements Trainer {
  static final String TYPE = "gradient-boosted-trees";

  private final int maxIter;
  private final int maxDepth;
  private final double stepSize;
  private final int maxBins;
  private final double subsampling;

  private GradientBoostedTreesTrainer(int maxIter, int maxDepth, double stepSize, int maxBins,
      double subsampling) {
    this.maxIter = maxIter;
    this.maxDepth = maxDepth;
    this.stepSize = stepSize;
    this.maxBins = maxBins;
    this.subsampling = subsampling;
  }

  static Trainer read(ConfigReader r) {
    String s = Trainers.section(TYPE);
    return new GradientBoostedTreesTrainer(
        r.intIn(s + "max-iter", 1, 10_000),
        r.intIn(s + "max-depth", 0, 30),
        r.doubleIn(s + "step-size", Double.MIN_VALUE, 1.0),
        r.intIn(s + "max-bins", 2, 65_536),
        r.doubleIn(s + "subsampling-rate", Double.MIN_VALUE, 1.0));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void checkTarget(Target target) {
    if (target.classification() && !target.binary()) {
      throw new JobConfigException("Cannot train model.type = " + TYPE + " on "
          + target.classes().size() + " classes of '" + target.column()
          + "': Spark's gradient-boosted trees classify two classes only; use random-forest or logistic-regression");
    }
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    Model<?> model;
    if (data.target().classification()) {
      model = new GBTClassifier()
          .setFeaturesCol(FEATURES).setLabelCol(LABEL).setPredictionCol(TrainedModel.PREDICTION)
          .setProbabilityCol(TrainedModel.PROBABILITY).setRawPredictionCol(TrainedModel.RAW)
          .setMaxIter(maxIter).setMaxDepth(maxDepth).setStepSize(stepSize).setMaxBins(maxBins)
          .setSubsamplingRate(subsampling).setSeed(data.seed())
          .fit(data.train());
    } else {
      model = new GBTRegressor()
          .setFeaturesCol(FEATURES).setLabelCol(LABEL).setPredictionCol(TrainedModel.PREDICTION)
          .setMaxIter(maxIter).setMaxDepth(maxDepth).setStepSize(stepSize).setMaxBins(maxBins)
          .setSubsamplingRate(subsampling).setSeed(data.seed())
          .fit(data.train());
    }
    return new SparkMlModel(model, Map.of("trees", maxIter));
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("max-iter", maxIter);
    p.put("max-depth", maxDepth);
    p.put("step-size", stepSize);
    p.put("max-bins", maxBins);
    p.put("subsampling-rate", subsampling);
    return p;
  }
}
