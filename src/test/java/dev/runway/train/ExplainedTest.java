package dev.runway.train;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.features.Columns;
import dev.runway.features.FeaturePipeline;
import dev.runway.features.Target;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MLlib trainers record what their models say about the features, by the names the feature
 * pipeline gave them: on rows where only {@code signal} carries the label, it must come first.
 */
class ExplainedTest {
  private static final SparkSession SPARK = TestSpark.session();
  private static final List<String> NAMES = List.of("noise", "signal", "other");
  private static Dataset<Row> binary;
  private static Dataset<Row> threeClasses;
  private static Dataset<Row> regression;

  @BeforeAll
  static void rows() {
    // Seeded normal columns; the label follows signal alone.
    Dataset<Row> x = SPARK
        .range(600)
        .selectExpr("randn(1) AS noise", "randn(2) AS signal", "randn(3) AS other")
        .withColumn(
            Columns.FEATURES, array_to_vector(array(col("noise"), col("signal"), col("other"))));
    binary = named(x, "CAST(signal + 0.3 * noise > 0 AS DOUBLE)");
    threeClasses =
        named(x, "CASE WHEN signal < -0.5 THEN 0.0 WHEN signal < 0.5 THEN 1.0 ELSE 2.0 END");
    regression = named(x, "3.0 * signal + 0.1 * noise");
  }

  private static Dataset<Row> named(Dataset<Row> x, String label) {
    return FeaturePipeline.named(
            x.select(col(Columns.FEATURES), expr(label).as(Columns.LABEL)), NAMES)
        .cache();
  }

  private static TrainingData data(Dataset<Row> train, Target target) {
    return new TrainingData(train, train.sample(false, 0.2, 11), target, 7, Checkpoints.NONE);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> summary, String key) {
    return (List<Map<String, Object>>) summary.get(key);
  }

  @Test
  void aBinomialLogisticRegressionNamesItsLargestCoefficientAndKeepsItsObjectiveHistory() {
    Map<String, Object> s = new LogisticRegressionTrainer(
            50, 0.0, List.of(), 0.0, 1e-6, true, LogisticRegressionTrainer.Family.AUTO, Map.of())
        .fit(data(binary, new Target("y", true, List.of("no", "yes"), false)))
        .summary();
    List<Map<String, Object>> coefficients = list(s, "coefficients");
    assertEquals("signal", coefficients.get(0).get("feature"));
    assertTrue((Double) coefficients.get(0).get("coefficient") > 0);
    assertEquals(3, s.get("features"));
    double[] history = (double[]) s.get("objective_history");
    assertTrue(history.length > 1);
    assertTrue(history[history.length - 1] < history[0], "the objective decreases");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aMultinomialLogisticRegressionGivesOneCoefficientPerClassName() {
    Map<String, Object> s = new LogisticRegressionTrainer(
            50,
            0.0,
            List.of(),
            0.0,
            1e-6,
            true,
            LogisticRegressionTrainer.Family.MULTINOMIAL,
            Map.of())
        .fit(data(threeClasses, new Target("y", true, List.of("low", "mid", "high"), false)))
        .summary();
    Map<String, Object> top = list(s, "coefficients").get(0);
    assertEquals("signal", top.get("feature"));
    Map<String, Object> byClass = (Map<String, Object>) top.get("by_class");
    assertEquals(List.of("low", "mid", "high"), List.copyOf(byClass.keySet()));
    assertTrue((Double) byClass.get("high") > (Double) byClass.get("low"));
  }

  @Test
  void treeEnsemblesRankTheSignalFirstAndBoostingRecordsItsLossPerIteration() {
    Target binaryTarget = new Target("y", true, List.of("no", "yes"), false);
    Map<String, Object> forest = new RandomForestTrainer(
            20, 4, 32, 1, 1.0, RandomForestTrainer.FeatureSubset.ALL, Map.of())
        .fit(data(binary, binaryTarget))
        .summary();
    assertEquals("signal", list(forest, "feature_importances").get(0).get("feature"));
    double total = list(forest, "feature_importances").stream()
        .mapToDouble(m -> (Double) m.get("importance"))
        .sum();
    assertEquals(1.0, total, 1e-9, "importances of all three features are kept and sum to 1");

    TrainingData regressionData = data(regression, new Target("y", false, List.of(), false));
    TrainedModel gbt =
        new GradientBoostedTreesTrainer(8, 3, 0.3, 32, 1.0, Map.of()).fit(regressionData);
    Map<String, Object> boosted = gbt.summary();
    assertEquals("signal", list(boosted, "feature_importances").get(0).get("feature"));
    double[] train = (double[]) boosted.get("train_loss_per_iteration");
    assertEquals(8, train.length);
    for (int i = 1; i < train.length; i++) {
      assertTrue(train[i] < train[i - 1], "each boosting iteration reduces the training loss");
    }
    double[] validation = (double[]) boosted.get("validation_loss_per_iteration");
    assertEquals(8, validation.length);
    // Spark's squared loss after the last tree is the mean squared error of the model's own
    // predictions on the validation rows.
    double mse = gbt.predict(regressionData.validation())
        .selectExpr("avg(pow(" + Columns.LABEL + " - " + Columns.PREDICTION + ", 2))")
        .first()
        .getDouble(0);
    assertEquals(mse, validation[7], 1e-9 * mse);
  }

  @Test
  void aLinearRegressionNamesItsCoefficients() {
    Map<String, Object> s = new LinearRegressionTrainer(
            50, 0.0, List.of(), 0.0, 1e-6, true, Map.of())
        .fit(data(regression, new Target("y", false, List.of(), false)))
        .summary();
    Map<String, Object> top = list(s, "coefficients").get(0);
    assertEquals("signal", top.get("feature"));
    assertEquals(3.0, (Double) top.get("coefficient"), 0.05);
  }
}
