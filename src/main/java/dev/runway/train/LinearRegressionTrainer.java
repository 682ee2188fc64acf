package dev.runway.train;

import static dev.runway.features.FeatureStep.FEATURES;
import static dev.runway.features.FeatureStep.LABEL;

import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;

/** Spark MLlib linear regression with optional elastic-net regularization. */
final class LinearRegressionTrainer implements Trainer {
  static final String TYPE = "linear-regression";

  private final int maxIter;
  private final double regParam;
  private final double elasticNet;
  private final double tol;
  private final boolean fitIntercept;

  private LinearRegressionTrainer(int maxIter, double regParam, double elasticNet, double tol,
      boolean fitIntercept) {
    this.maxIter = maxIter;
    this.regParam = regParam;
    this.elasticNet = elasticNet;
    this.tol = tol;
    this.fitIntercept = fitIntercept;
  }

  static Trainer read(ConfigReader r) {
    String s = Trainers.section(TYPE);
    return new LinearRegressionTrainer(
        r.intIn(s + "max-iter", 1, 1_000_000),
        r.doubleIn(s + "reg-param", 0.0, Double.MAX_VALUE),
        r.doubleIn(s + "elastic-net-param", 0.0, 1.0),
        r.doubleIn(s + "tol", 0.0, 1.0),
        r.bool(s + "fit-intercept"));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void checkTarget(Target target) {
    if (target.classification()) {
      throw new JobConfigException("Cannot train model.type = " + TYPE + " on a classification target '"
          + target.column() + "': use logistic-regression, or set features.task = regression");
    }
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    LinearRegressionModel model = new LinearRegression()
        .setFeaturesCol(FEATURES).setLabelCol(LABEL).setPredictionCol(TrainedModel.PREDICTION)
        .setMaxIter(maxIter).setRegParam(regParam).setElasticNetParam(elasticNet).setTol(tol)
        .setFitIntercept(fitIntercept)
        .fit(data.train());
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("iterations", model.summary().totalIterations());
    summary.put("train_rmse", model.summary().rootMeanSquaredError());
    return new SparkMlModel(model, summary);
  }

  @Override
  public Map<String, Object> params() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("max-iter", maxIter);
    p.put("reg-param", regParam);
    p.put("elastic-net-param", elasticNet);
    p.put("tol", tol);
    p.put("fit-intercept", fitIntercept);
    return p;
  }
}
