package dev.runway.eval;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.features.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The curves behind the test metrics, on real Spark, against Spark's own AUC. */
class CurvesTest {
  private static final StructType SCHEMA = new StructType()
      .add(LABEL, DataTypes.DoubleType)
      .add(PREDICTION, DataTypes.DoubleType)
      .add(PROBABILITY, SQLDataTypes.VectorType())
      .add("_raw", SQLDataTypes.VectorType());

  /** 4,000 rows whose score is informative: positives score higher on average. */
  private static Dataset<Row> binary() {
    Random random = new Random(7);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      double label = random.nextDouble() < 0.3 ? 1 : 0;
      double z = random.nextGaussian() + (label == 1 ? 1.2 : 0);
      double p = 1 / (1 + Math.exp(-z + 0.8));
      rows.add(RowFactory.create(
          label, p >= 0.5 ? 1.0 : 0.0, Vectors.dense(1 - p, p), Vectors.dense(-z, z)));
    }
    return TestSpark.session().createDataFrame(rows, SCHEMA);
  }

  @Test
  @SuppressWarnings("unchecked")
  void rocRunsFromZeroToOneAndItsAreaIsSparksAucAndCalibrationBinsHoldEveryRow() {
    Dataset<Row> predictions = binary();
    Map<String, Object> curves =
        Curves.of(predictions, new Target("y", true, List.of("no", "yes"), true), 4000, 42);
    List<List<Double>> roc = (List<List<Double>>) curves.get("roc");
    assertEquals(List.of(0.0, 0.0), roc.get(0));
    assertEquals(List.of(1.0, 1.0), roc.get(roc.size() - 1));
    for (int i = 1; i < roc.size(); i++) {
      assertTrue(roc.get(i).get(0) >= roc.get(i - 1).get(0), "FPR never falls");
      assertTrue(roc.get(i).get(1) >= roc.get(i - 1).get(1), "TPR never falls");
    }
    double auc = new BinaryClassificationEvaluator()
        .setLabelCol(LABEL)
        .setRawPredictionCol(PROBABILITY)
        .evaluate(predictions);
    // 100 thresholds: the binned curve's area is Spark's exact AUC to about a thousandth.
    assertEquals(auc, Curves.area(roc), 0.005);
    List<List<Double>> pr = (List<List<Double>>) curves.get("pr");
    assertEquals(1.0, pr.get(pr.size() - 1).get(0), 1e-12, "recall ends at 1");
    // Reliability per tenth of the score, against the same sums made here row by row.
    long[] n = new long[10];
    long[] hits = new long[10];
    double[] scores = new double[10];
    for (Row r : predictions.collectAsList()) {
      double p = ((Vector) r.get(2)).apply(1);
      int tenth = Math.min(9, (int) Math.floor(p * 10));
      n[tenth]++;
      hits[tenth] += r.getDouble(0) == 1.0 ? 1 : 0;
      scores[tenth] += p;
    }
    List<Map<String, Object>> calibration = (List<Map<String, Object>>) curves.get("calibration");
    assertEquals(
        4000L, calibration.stream().mapToLong(b -> (Long) b.get("rows")).sum());
    for (Map<String, Object> bin : calibration) {
      int tenth = (Integer) bin.get("bin");
      assertEquals(n[tenth], bin.get("rows"), "tenth " + tenth);
      assertEquals(scores[tenth] / n[tenth], (Double) bin.get("mean_predicted"), 1e-9);
      assertEquals((double) hits[tenth] / n[tenth], (Double) bin.get("observed"), 1e-12);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRegressionGetsASeededSampleOfResiduals() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(RowFactory.create((double) i, i + 0.5, Vectors.dense(0), Vectors.dense(0)));
    }
    Dataset<Row> predictions = TestSpark.session().createDataFrame(rows, SCHEMA);
    Target regression = new Target("y", false, List.of(), false);
    List<List<Double>> a =
        (List<List<Double>>) Curves.of(predictions, regression, 2000, 42).get("residuals");
    List<List<Double>> b =
        (List<List<Double>>) Curves.of(predictions, regression, 2000, 42).get("residuals");
    assertEquals(a, b, "the same seed, the same points");
    assertTrue(a.size() > 300 && a.size() <= 400, "about 400 points: " + a.size());
    a.forEach(p -> assertEquals(-0.5, p.get(1), 1e-12, "label - predicted"));
  }
}
