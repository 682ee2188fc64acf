package dev.runway.train;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;

import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;

/** Spark MLlib linear regression with optional elastic-net regularization. */
record LinearRegressionTrainer(
    int maxIter,
    double regParam,
    List<Double> regGrid,
    double elasticNet,
    double tol,
    boolean fitIntercept,
    Map<String, Object> params)
    implements Trainer {
  static final String TYPE = "linear-regression";

  static Trainer read(ConfigReader r) {
    HyperParams p = new HyperParams(r, TYPE);
    return new LinearRegressionTrainer(
        p.intIn("max-iter", 1, 1_000_000),
        p.doubleOrAuto("reg-param", 0.0, Double.MAX_VALUE),
        p.doubleList("reg-param-grid", 0.0, Double.MAX_VALUE),
        p.doubleIn("elastic-net-param", 0.0, 1.0),
        p.doubleIn("tol", 0.0, 1.0),
        p.bool("fit-intercept"),
        p.values());
  }

  /** With {@code reg-param = auto}, one candidate per value of {@code reg-param-grid}. */
  @Override
  public Optional<Grid> grid() {
    if (!Double.isNaN(regParam)) {
      return Optional.empty();
    }
    return Optional.of(Grid.of(
        "model." + TYPE + ".reg-param",
        regGrid,
        v -> new LinearRegressionTrainer(
            maxIter,
            v,
            List.of(),
            elasticNet,
            tol,
            fitIntercept,
            Grid.with(params, "reg-param", v))));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void checkTarget(Target target) {
    if (target.classification()) {
      throw new JobConfigException(
          "Cannot train model.type = " + TYPE + " on a classification target '" + target.column()
              + "': use logistic-regression, or set features.task = regression");
    }
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    if (Double.isNaN(regParam)) {
      throw new IllegalStateException("reg-param = auto: fit one of grid()'s trainers");
    }
    LinearRegressionModel model = new LinearRegression()
        .setFeaturesCol(FEATURES)
        .setLabelCol(LABEL)
        .setPredictionCol(Columns.PREDICTION)
        .setMaxIter(maxIter)
        .setRegParam(regParam)
        .setElasticNetParam(elasticNet)
        .setTol(tol)
        .setFitIntercept(fitIntercept)
        .fit(data.train());
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("iterations", model.summary().totalIterations());
    summary.put("train_rmse", model.summary().rootMeanSquaredError());
    // Empty when the normal-equation solver fitted in one pass (no regularization, few features).
    summary.put("objective_history", model.summary().objectiveHistory());
    List<String> names = Explained.featureNames(data.train(), model.numFeatures());
    summary.put("features", names.size());
    summary.put("intercept", model.intercept());
    summary.put("coefficients", Explained.coefficients(model.coefficients(), names));
    return new SparkMlModel(model, summary);
  }
}
