package dev.runway.train;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;

import dev.runway.config.ConfigChoice;
import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;

/** Spark MLlib logistic regression, binomial or multinomial. */
record LogisticRegressionTrainer(
    int maxIter,
    double regParam,
    List<Double> regGrid,
    double elasticNet,
    double tol,
    boolean fitIntercept,
    Family family,
    Map<String, Object> params)
    implements Trainer {
  static final String TYPE = "logistic-regression";

  static Trainer read(ConfigReader r) {
    HyperParams p = new HyperParams(r, TYPE);
    return new LogisticRegressionTrainer(
        p.intIn("max-iter", 1, 1_000_000),
        p.doubleOrAuto("reg-param", 0.0, Double.MAX_VALUE),
        p.doubleList("reg-param-grid", 0.0, Double.MAX_VALUE),
        p.doubleIn("elastic-net-param", 0.0, 1.0),
        p.doubleIn("tol", 0.0, 1.0),
        p.bool("fit-intercept"),
        p.choice("family", Family.class),
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
        v -> new LogisticRegressionTrainer(
            maxIter,
            v,
            List.of(),
            elasticNet,
            tol,
            fitIntercept,
            family,
            Grid.with(params, "reg-param", v))));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public void checkTarget(Target target) {
    if (!target.classification()) {
      throw new JobConfigException("Cannot train model.type = " + TYPE + " on a regression target '"
          + target.column() + "': use linear-regression, random-forest or gradient-boosted-trees");
    }
    if (family == Family.BINOMIAL && !target.binary()) {
      throw new JobConfigException("Cannot use model." + TYPE + ".family = binomial with "
          + target.classes().size() + " classes: use multinomial or auto");
    }
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    if (Double.isNaN(regParam)) {
      throw new IllegalStateException("reg-param = auto: fit one of grid()'s trainers");
    }
    LogisticRegressionModel model = new LogisticRegression()
        .setFeaturesCol(FEATURES)
        .setLabelCol(LABEL)
        .setPredictionCol(Columns.PREDICTION)
        .setProbabilityCol(Columns.PROBABILITY)
        .setRawPredictionCol(Columns.RAW)
        .setMaxIter(maxIter)
        .setRegParam(regParam)
        .setElasticNetParam(elasticNet)
        .setTol(tol)
        .setFitIntercept(fitIntercept)
        .setFamily(family.configName())
        .fit(data.train());
    Map<String, Object> summary = new LinkedHashMap<>();
    if (model.hasSummary()) {
      double[] history = model.summary().objectiveHistory();
      summary.put("iterations", model.summary().totalIterations());
      summary.put("final_objective", history.length == 0 ? null : history[history.length - 1]);
      summary.put("objective_history", history);
    }
    List<String> names = Explained.featureNames(data.train(), model.numFeatures());
    summary.put("features", names.size());
    if (model.coefficientMatrix().numRows() == 1) {
      summary.put("intercept", model.intercept());
      summary.put("coefficients", Explained.coefficients(model.coefficients(), names));
    } else {
      summary.put(
          "coefficients",
          Explained.coefficients(model.coefficientMatrix(), names, data.target().classes()));
    }
    return new SparkMlModel(model, summary);
  }

  /** model.logistic-regression.family: Spark's family, by Spark's own name. */
  enum Family implements ConfigChoice {
    AUTO,
    BINOMIAL,
    MULTINOMIAL;

    @Override
    public String toString() {
      return configName();
    }
  }
}
