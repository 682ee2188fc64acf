package dev.runway.job;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestData;
import dev.runway.TestSpark;
import dev.runway.artifacts.Json;
import dev.runway.data.Source;
import dev.runway.data.SourceReader;
import dev.runway.features.Splitter;
import dev.runway.run.FittedRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applying a committed run is training's own transform: a run's test split, read back from its
 * source and applied with {@link FittedRun}, gets row for row the predictions the training-time
 * evaluation made (seen through {@link TrainJob#onEvaluated}). Rows are matched by their feature
 * vector, a deterministic function of the row (the splits are not in any row order).
 */
class ApplyExactnessTest {
  @TempDir
  Path runs;

  private static String weatherJob() {
    return TestData.repo().resolve("conf/jobs/seattle-weather.conf").toString();
  }

  /** label, prediction, then each class probability (none for regression), by feature vector. */
  private static Map<String, List<double[]>> byFeatures(Dataset<Row> predictions) {
    boolean probabilities = List.of(predictions.columns()).contains(PROBABILITY);
    List<Row> rows = probabilities
        ? predictions.select(FEATURES, LABEL, PREDICTION, PROBABILITY).collectAsList()
        : predictions.select(FEATURES, LABEL, PREDICTION).collectAsList();
    Map<String, List<double[]>> out = new HashMap<>();
    for (Row r : rows) {
      double[] p = probabilities ? r.<Vector>getAs(3).toArray() : new double[0];
      double[] values = new double[2 + p.length];
      values[0] = r.getDouble(1);
      values[1] = r.getDouble(2);
      System.arraycopy(p, 0, values, 2, p.length);
      out.computeIfAbsent(r.<Vector>getAs(0).toString(), k -> new ArrayList<>()).add(values);
    }
    // Rows with one feature vector (duplicate measurements) may differ in their label only.
    out.values().forEach(l -> l.sort(Arrays::compare));
    return out;
  }

  /**
   * Trains {@code job}, then applies the committed run to its test split's source rows; asserts
   * identical labels and predictions, and probabilities within {@code tolerance}.
   *
   * @return the test rows compared
   */
  private int assertAppliedAsTrained(
      String runId, int scoringBatch, double tolerance, String... sets) {
    SparkSession spark = TestSpark.session();
    List<String> overrides = new ArrayList<>(List.of(sets));
    overrides.add("output.root=\"" + runs + "\"");
    overrides.add("source.path=\"" + TestData.require(TestData.SEATTLE_WEATHER) + "\"");
    JobDefinition job = JobDefinition.load(weatherJob(), overrides);
    Map<String, Map<String, List<double[]>>> evaluated = new HashMap<>();
    RunResult result = new TrainJob(spark, job)
        .onEvaluated((split, predictions) -> evaluated.put(split, byFeatures(predictions)))
        .run(runId, false, false);
    assertEquals("committed", result.status());
    Map<String, List<double[]>> trained = evaluated.get("test");

    FittedRun run = FittedRun.load(spark, result.runUri(), List.of(), scoringBatch);
    Map<String, List<double[]>> applied;
    try (Source source = SourceReader.read(spark, job.settings().source())) {
      Dataset<Row> testRows =
          Splitter.part(Splitter.assign(source.rows(), job.settings().split()), "test");
      applied = byFeatures(run.apply(testRows, true, "the test split"));
    }

    assertEquals(trained.keySet(), applied.keySet(), "the same feature vectors");
    int rows = 0;
    for (Map.Entry<String, List<double[]>> e : trained.entrySet()) {
      List<double[]> want = e.getValue();
      List<double[]> got = applied.get(e.getKey());
      assertEquals(want.size(), got.size(), e.getKey());
      for (int i = 0; i < want.size(); i++) {
        double[] w = want.get(i);
        double[] g = got.get(i);
        String row =
            e.getKey() + ": trained " + Arrays.toString(w) + ", applied " + Arrays.toString(g);
        assertEquals(w.length, g.length, row);
        assertEquals(w[0], g[0], row); // label
        assertEquals(w[1], g[1], row); // predicted class or value
        for (int k = 2; k < w.length; k++) {
          assertEquals(w[k], g[k], tolerance, row);
        }
        rows++;
      }
    }
    Map<String, Object> metrics = Json.parse(run.directory().readText("metrics.json"));
    @SuppressWarnings("unchecked")
    Number testRows =
        (Number) ((Map<String, Object>) ((Map<String, Object>) metrics.get("splits")).get("test"))
            .get("rows");
    assertEquals(testRows.intValue(), rows, "every test row compared");
    return rows;
  }

  @Test
  void anMllibRunPredictsItsTestRowsExactlyAsTrainingDid() {
    // A random forest, with the job's SQL: the random split hashes source rows, so the test
    // split's rows are found from the source alone.
    int rows = assertAppliedAsTrained(
        "forest",
        1024,
        0.0,
        "split.method=random",
        "model.random-forest.num-trees=10",
        "model.random-forest.max-depth=4",
        "evaluate.bootstrap-replicates=0");
    assertTrue(rows > 150, "a test split of " + rows + " rows");
  }

  @Test
  void aNetworkPredictsItsTestRowsAsTrainingDidToFloatPrecision() {
    // Scored in minibatches of 64 rows instead of training's 1024: batching must not matter.
    int rows = assertAppliedAsTrained(
        "mlp",
        64,
        1e-6,
        "split.method=random",
        "model.type=neural-network",
        "model.neural-network.hidden-layers=[8]",
        "model.neural-network.learning-rate=0.01",
        "train.epochs=2",
        "evaluate.bootstrap-replicates=0");
    assertTrue(rows > 150, "a test split of " + rows + " rows");
  }
}
