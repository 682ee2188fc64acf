package dev.runway.train;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;

import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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
    if (data.target().classification()) {
      GBTClassificationModel model = new GBTClassifier()
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
      return new SparkMlModel(
          model,
          summary(
              model.getNumTrees(),
              model.totalNumNodes(),
              model.featureImportances(),
              data,
              model::evaluateEachIteration));
    }
    GBTRegressionModel model = new GBTRegressor()
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
    return new SparkMlModel(
        model,
        summary(
            model.getNumTrees(),
            model.totalNumNodes(),
            model.featureImportances(),
            data,
            rows -> model.evaluateEachIteration(rows, model.getLossType())));
  }

  /**
   * The ensemble's summary, with its learning curve: the loss after each boosting iteration on
   * the training rows and, when there are any, on the validation rows (one pass over each).
   */
  private static Map<String, Object> summary(
      int trees,
      int nodes,
      Vector importances,
      TrainingData data,
      Function<Dataset<Row>, double[]> lossPerIteration) {
    Map<String, Object> m =
        new LinkedHashMap<>(Explained.trees(trees, nodes, importances, data.train()));
    m.put("train_loss_per_iteration", lossPerIteration.apply(data.train()));
    if (!data.validation().isEmpty()) {
      m.put("validation_loss_per_iteration", lossPerIteration.apply(data.validation()));
    }
    return m;
  }
}
