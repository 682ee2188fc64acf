package dev.runway.eval;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static dev.runway.features.Columns.RAW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.EvaluateSettings;
import dev.runway.features.Target;
import dev.runway.stats.Wilson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final Target BINARY = new Target("y", true, List.of("no", "yes"), true);
  private static final Target THREE = new Target("y", true, List.of("a", "b", "c"), true);
  private static final Target REGRESSION = new Target("y", false, List.of(), false);
  private static final EvaluateSettings INTERVALS = new EvaluateSettings(0.95, 1000, 1_000_000);

  @Test
  void accuracyAndWeightedF1FromAConfusionMatrix() {
    // true class by row, predicted class by column
    long[][] cm = {{5, 1, 0}, {2, 3, 0}, {0, 0, 4}};
    assertEquals(12.0 / 15, Metrics.accuracy(cm), 1e-12);
    double f1c0 = 2.0 * 5 / (6 + 7);
    double f1c1 = 2.0 * 3 / (5 + 4);
    double f1c2 = 1.0;
    assertEquals((f1c0 * 6 + f1c1 * 5 + f1c2 * 4) / 15, Metrics.weightedF1(cm), 1e-12);
  }

  @Test
  void regressionMetricsMatchTheirDefinitions() {
    Dataset<Row> p = TestSpark.session()
        .sql(
            "SELECT * FROM VALUES (1.0D, 1.5D), (2.0D, 2.0D), (3.0D, 2.0D), (6.0D, 7.0D) AS t(_label, _prediction)");
    Map<String, Object> m = Metrics.of(p, REGRESSION);
    double mse = (0.25 + 0 + 1 + 1) / 4;
    double mean = 3.0;
    double sst = ((1 - mean) * (1 - mean) + 1 + 0 + 9) / 4;
    assertEquals(4L, m.get("rows"));
    assertEquals(Math.sqrt(mse), (double) m.get("rmse"), 1e-12);
    assertEquals((0.5 + 0 + 1 + 1) / 4, (double) m.get("mae"), 1e-12);
    assertEquals(1 - mse / sst, (double) m.get("r2"), 1e-12);
  }

  /**
   * Predictions of a classifier over {@code classes} classes: right about 70% of the time,
   * probabilities that favour the prediction, and for two classes a margin rounded to 0.01 so
   * that scores tie (fewer distinct scores than Spark's 1,000 bins: its AUC is then exact).
   */
  static Dataset<Row> classifier(int rows, int classes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int label = random.nextInt(classes);
      int prediction = random.nextDouble() < 0.7 ? label : random.nextInt(classes);
      double[] p = new double[classes];
      double sum = 0;
      for (int k = 0; k < classes; k++) {
        p[k] = random.nextDouble() + (k == prediction ? 1.5 : 0);
        sum += p[k];
      }
      for (int k = 0; k < classes; k++) {
        p[k] /= sum;
      }
      if (random.nextInt(50) == 0) {
        p[label] = 0; // exercises the log-loss clipping
      }
      double[] raw = p.clone();
      if (classes == 2) {
        double margin = Math.round((p[1] - p[0]) * 100) / 100.0;
        raw = new double[] {-margin, margin};
      }
      list.add(RowFactory.create(
          (double) label, (double) prediction, Vectors.dense(p), Vectors.dense(raw)));
    }
    StructType schema = new StructType()
        .add(LABEL, DataTypes.DoubleType)
        .add(PREDICTION, DataTypes.DoubleType)
        .add(PROBABILITY, SQLDataTypes.VectorType())
        .add(RAW, SQLDataTypes.VectorType());
    return TestSpark.session().createDataFrame(list, schema);
  }

  static Dataset<Row> regressor(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      double y = 1000 + 50 * random.nextDouble();
      list.add(RowFactory.create(y, y + 10 * (random.nextDouble() - 0.4)));
    }
    StructType schema =
        new StructType().add(LABEL, DataTypes.DoubleType).add(PREDICTION, DataTypes.DoubleType);
    return TestSpark.session().createDataFrame(list, schema);
  }

  private static double spark(Dataset<Row> p, String metric) {
    return new MulticlassClassificationEvaluator()
        .setMetricName(metric)
        .setLabelCol(LABEL)
        .setPredictionCol(PREDICTION)
        .setProbabilityCol(PROBABILITY)
        .evaluate(p);
  }

  /** The array metrics the bootstrap resamples, counted once each, are today's Spark metrics. */
  @Test
  void arrayMetricsOfCollectedPredictionsEqualSparksOnTwoClasses() {
    Dataset<Row> p = classifier(3_000, 2, 1).cache();
    Map<String, Object> today = Metrics.of(p, BINARY);
    PredictionArrays a = PredictionArrays.collect(p, BINARY, 3_000, 1_000_000, 1);
    assertEquals(3_000, a.size());
    assertFalse(a.sampled());
    int[] ones = WeightedMetrics.ones(a.size());
    double auc = WeightedMetrics.auc(a.label(), a.score(), a.ascendingScore(), ones);
    assertEquals(
        new BinaryClassificationEvaluator()
            .setMetricName("areaUnderROC")
            .setLabelCol(LABEL)
            .setRawPredictionCol(RAW)
            .setNumBins(0)
            .evaluate(p),
        auc,
        1e-12);
    assertEquals((double) today.get("auc"), auc, 1e-12);
    double accuracy = WeightedMetrics.accuracy(a.label(), a.prediction(), ones);
    assertEquals(spark(p, "accuracy"), accuracy, 1e-12);
    assertEquals((double) today.get("accuracy"), accuracy, 1e-12);
    double f1 = WeightedMetrics.weightedF1(a.label(), a.prediction(), 2, ones);
    assertEquals(spark(p, "weightedFMeasure"), f1, 1e-12);
    assertEquals((double) today.get("weighted_f1"), f1, 1e-12);
    double logLoss =
        WeightedMetrics.mean(WeightedMetrics.logLosses(a.trueClassProbability()), ones);
    assertEquals((double) today.get("log_loss"), logLoss, 1e-12);
    p.unpersist();
  }

  @Test
  void arrayMetricsOfCollectedPredictionsEqualSparksOnThreeClasses() {
    Dataset<Row> p = classifier(2_000, 3, 2).repartition(3).cache();
    Map<String, Object> today = Metrics.of(p, THREE);
    PredictionArrays a = PredictionArrays.collect(p, THREE, 2_000, 1_000_000, 2);
    assertNull(a.score());
    int[] ones = WeightedMetrics.ones(a.size());
    assertEquals(
        (double) today.get("accuracy"),
        WeightedMetrics.accuracy(a.label(), a.prediction(), ones),
        1e-12);
    assertEquals(
        spark(p, "weightedFMeasure"),
        WeightedMetrics.weightedF1(a.label(), a.prediction(), 3, ones),
        1e-12);
    assertEquals(
        (double) today.get("log_loss"),
        WeightedMetrics.mean(WeightedMetrics.logLosses(a.trueClassProbability()), ones),
        1e-12);
    p.unpersist();
  }

  @Test
  void arrayRegressionMetricsEqualSparks() {
    Dataset<Row> p = regressor(2_000, 3).cache();
    Map<String, Object> today = Metrics.of(p, REGRESSION);
    PredictionArrays a = PredictionArrays.collect(p, REGRESSION, 2_000, 1_000_000, 3);
    double[] m =
        WeightedMetrics.regression(a.label(), a.prediction(), WeightedMetrics.ones(a.size()));
    RegressionEvaluator spark =
        new RegressionEvaluator().setLabelCol(LABEL).setPredictionCol(PREDICTION);
    String[] names = {"rmse", "mae", "r2"};
    for (int i = 0; i < 3; i++) {
      assertEquals(spark.setMetricName(names[i]).evaluate(p), m[i], 1e-9, names[i]);
      assertEquals((double) today.get(names[i]), m[i], 1e-9, names[i]);
    }
    p.unpersist();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> interval(Map<String, Object> metrics, String name) {
    return (Map<String, Object>) ((Map<String, Object>) metrics.get("intervals")).get(name);
  }

  private static double width(Map<String, Object> interval) {
    return (double) interval.get("upper") - (double) interval.get("lower");
  }

  @Test
  void everyHeadlineMetricGetsAnIntervalAroundIt() {
    Dataset<Row> p = classifier(600, 2, 4).cache();
    Map<String, Object> m = Metrics.of(p, BINARY, INTERVALS, 42);
    @SuppressWarnings("unchecked")
    Map<String, Object> intervals = (Map<String, Object>) m.get("intervals");
    assertEquals(0.95, intervals.get("confidence"));
    assertEquals(Map.of("replicates", 1000, "seed", 42L, "rows", 600), intervals.get("bootstrap"));
    long correct = Math.round((double) m.get("accuracy") * 600);
    var wilson = Wilson.interval(correct, 600, 0.95);
    assertEquals(
        Map.of("lower", wilson.lower(), "upper", wilson.upper(), "method", "wilson"),
        interval(m, "accuracy"));
    for (String name : List.of("weighted_f1", "log_loss", "auc")) {
      Map<String, Object> i = interval(m, name);
      double point = (double) m.get(name);
      assertEquals("bootstrap", i.get("method"), name);
      assertEquals(1000, i.get("replicates"), name);
      assertTrue(
          (double) i.get("lower") < point && point < (double) i.get("upper"),
          name + " " + point + " " + i);
      // 600 rows: a 95% interval of these metrics is hundredths wide, not 0; log loss is wider
      // (one row in 50 has a clipped loss of 34.5).
      assertTrue(
          width(i) > 0.01 && width(i) < (name.equals("log_loss") ? 1.0 : 0.3), name + " " + i);
    }
    // The same seed gives the same intervals, whatever the partitioning; another seed does not.
    assertClose(
        m.get("intervals"), Metrics.of(p.repartition(5), BINARY, INTERVALS, 42).get("intervals"));
    assertFalse(m.get("intervals").equals(Metrics.of(p, BINARY, INTERVALS, 43).get("intervals")));
    p.unpersist();
  }

  @Test
  void noReplicatesLeavesOnlyWilson() {
    Dataset<Row> p = classifier(100, 3, 5);
    Map<String, Object> m = Metrics.of(p, THREE, new EvaluateSettings(0.9, 0, 1_000_000), 1);
    assertEquals(
        List.of("confidence", "accuracy"), List.copyOf(((Map<?, ?>) m.get("intervals")).keySet()));
  }

  @Test
  void regressionIntervals() {
    Dataset<Row> p = regressor(400, 6);
    Map<String, Object> m = Metrics.of(p, REGRESSION, INTERVALS, 7);
    for (String name : List.of("rmse", "mae", "r2")) {
      double point = (double) m.get(name);
      Map<String, Object> i = interval(m, name);
      assertTrue(
          (double) i.get("lower") < point && point < (double) i.get("upper"), name + " " + i);
    }
    assertNull(interval(m, "accuracy"));
  }

  /**
   * Above the cap a seeded sample of about cap rows is bootstrapped and its half-widths narrowed
   * by sqrt(sample / rows): the intervals come out as wide as those of all rows, within the
   * noise of estimating a width from a quarter of the rows.
   */
  @Test
  void aSplitAboveTheCapIsSampledAndItsIntervalsScaled() {
    Dataset<Row> p = classifier(20_000, 2, 8).cache();
    Map<String, Object> all = Metrics.of(p, BINARY, INTERVALS, 9);
    Map<String, Object> capped = Metrics.of(p, BINARY, new EvaluateSettings(0.95, 1000, 5_000), 9);
    @SuppressWarnings("unchecked")
    Map<String, Object> bootstrap =
        (Map<String, Object>) ((Map<String, Object>) capped.get("intervals")).get("bootstrap");
    int sampled = (int) bootstrap.get("rows");
    assertTrue(Math.abs(sampled - 5_000) < 300, "about 5,000 rows sampled: " + sampled);
    assertEquals(20_000L, bootstrap.get("sampled_from"));
    assertEquals(Math.sqrt(sampled / 20_000.0), (double) bootstrap.get("half_width_scale"), 1e-15);
    for (String name : List.of("weighted_f1", "log_loss", "auc")) {
      double point = (double) capped.get(name);
      Map<String, Object> i = interval(capped, name);
      assertTrue(
          (double) i.get("lower") < point && point < (double) i.get("upper"), name + " " + i);
      double ratio = width(i) / width(interval(all, name));
      assertTrue(
          ratio > 0.8 && ratio < 1.25, name + ": capped " + i + " vs all " + interval(all, name));
    }
    // Wilson needs no sample: the confusion matrix counts every row.
    assertEquals(interval(all, "accuracy"), interval(capped, "accuracy"));
    // The sample is drawn by a hash of each row, so partitioning does not change it either.
    assertClose(
        capped.get("intervals"),
        Metrics.of(p.repartition(3), BINARY, new EvaluateSettings(0.95, 1000, 5_000), 9)
            .get("intervals"));
    p.unpersist();
  }

  /**
   * Equal maps, numbers within 1e-12: Spark sums a split's log loss in partition order, which moves
   * its last digits, and an interval rescaled around it with them.
   */
  private static void assertClose(Object expected, Object actual) {
    if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
      assertEquals(e.keySet(), a.keySet());
      e.forEach((k, v) -> assertClose(v, a.get(k)));
    } else if (expected instanceof Double e && actual instanceof Double a) {
      assertEquals(e, a, 1e-12);
    } else {
      assertEquals(expected, actual);
    }
  }
}
