package dev.runway.train;

import static dev.runway.features.FeatureStep.FEATURES;
import static dev.runway.features.FeatureStep.LABEL;

import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.features.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;

/** Spark MLlib logistic regression, binomial or multinomial. */
final class LogisticRegressionTrainer implements Trainer {
  static final String TYPE = "logistic-regression";

  private final int maxIter;
  private final double regParam;
  private final double elasticNet;
  private final double tol;
  private final boolean fitIntercept;
  private final String family;

  private LogisticRegressionTrainer(int maxIter, double regParam, double elasticNet, double tol,
      boolean fitIntercept, String family) {
    this.maxIter = maxIter;
    this.regParam = regParam;
    this.elasticNet = elasticNet;
    this.tol = tol;
    this.fitIntercept = fitIntercept;
    this.family = family;
  }

  static Trainer read(ConfigReader r) {
    String s = Trainers.section(TYPE);
    return new LogisticRegressionTrainer(
        r.intIn(s + "max-iter", 1, 1_000_000),
        r.doubleIn(s + "reg-param", 0.0, Double.MAX_VALUE),
        r.doubleIn(s + "elastic-net-param", 0.0, 1.0),
        r.doubleIn(s + "tol", 0.0, 1.0),
        r.bool(s + "fit-intercept"),
        r.oneOf(s + "family", List.of("auto", "binomial", "multinomial")));
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
    if (family.equals("binomial") && !target.binary()) {
      throw new JobConfigException("Cannot use model." + TYPE + ".family = binomial with "
          + target.classes().size() + " classes: use multinomial or auto");
    }
  }

  @Override
  public TrainedModel fit(TrainingData data) {
    LogisticRegressionModel model = new LogisticRegression()
        .setFeaturesCol(FEATURES).setLabelCol(LABEL)
        .setPredictionCol(TrainedModel.PREDICTION).setProbabilityCol(TrainedModel.PROBABILITY)
        .setRawPredictionCol(TrainedModel.RAW)
        .setMaxIter(maxIter).setRegParam(regParam).setElasticNetParam(elasticNet).setTol(tol)
        .setFitIntercept(fitIntercept).setFamily(family)
        .fit(data.train());
    Map<String, Object> summary = new LinkedHashMap<>();
    if (model.hasSummary()) {
      double[] history = model.summary().objectiveHistory();
      summary.put("iterations", model.summary().totalIterations());
      summary.put("final_objective", history.length == 0 ? null : history[history.length - 1]);
    }
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
    p.put("family", family);
    return p;
  }
}
