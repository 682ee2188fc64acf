package dev.runway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.TestSpark;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.datasets.SyntheticTabular;
import dev.runway.eval.Curves;
import dev.runway.registry.RunDiff;
import dev.runway.registry.RunEntry;
import dev.runway.registry.RunIndex;
import dev.runway.registry.RunSummary;
import dev.runway.report.ReportBrowser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole jobs through the command line in local[2], on real data: each must commit a run whose
 * manifest verifies, with metrics above what the data allows a working model to reach.
 */
class TrainEndToEndTest {
  @TempDir
  static Path shared;

  @TempDir
  Path runs;

  private static String synthetic;

  @BeforeAll
  static void data() {
    synthetic = shared.resolve("synthetic").toString();
    SyntheticTabular.generate(TestSpark.session(), 20_000, 42, 2, synthetic);
  }

  private static String job(String name) {
    return TestData.repo().resolve("conf/jobs").resolve(name).toString();
  }

  private Cli.Result train(String job, String runId, String... sets) {
    List<String> args = new ArrayList<>(List.of(
        "train",
        "--job",
        job,
        "--master",
        "local[2]",
        "--run-id",
        runId,
        "--set",
        "output.root=\"" + runs + "\""));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(String[]::new));
  }

  /** The one JSON line a successful train prints, after checking it is the only stdout. */
  private static Map<String, Object> success(Cli.Result r) {
    assertEquals(0, r.code(), r.err());
    assertEquals(1, r.outLines().size(), r.out());
    return Json.parse(r.out());
  }

  @SuppressWarnings("unchecked")
  private static double metric(Map<String, Object> line, String split, String name) {
    return ((Number) ((Map<String, Object>) ((Map<String, Object>) line.get("metrics")).get(split))
            .get(name))
        .doubleValue();
  }

  private static RunDirectory runDir(Map<String, Object> line) {
    return RunDirectory.at(new Configuration(), (String) line.get("run_uri"));
  }

  @Test
  void seattleWeatherRandomForestCommitsAVerifiedRun() throws Exception {
    TestData.require(TestData.SEATTLE_WEATHER);
    Map<String, Object> line = success(train(
        job("seattle-weather.conf"),
        "r1",
        "source.path=\"" + TestData.SEATTLE_WEATHER + "\"",
        "model.random-forest.num-trees=30"));
    assertEquals("committed", line.get("status"));
    assertTrue(metric(line, "test", "accuracy") > 0.55, line.toString());
    RunDirectory run = runDir(line);
    assertEquals(List.of(), run.verify());
    Map<String, Object> metrics = Json.parse(run.readText("metrics.json"));
    assertEquals(List.of("drizzle", "fog", "rain", "snow", "sun"), metrics.get("classes"));
    Map<String, Object> lineage = Json.parse(run.readText("lineage.json"));
    @SuppressWarnings("unchecked")
    Map<String, Object> input = (Map<String, Object>) lineage.get("input");
    assertEquals(1, ((Number) input.get("file_count")).intValue());
    assertEquals(
        Files.size(TestData.SEATTLE_WEATHER), ((Number) input.get("total_bytes")).longValue());
    assertEquals(
        Map.of("train", 1096, "validation", 181, "test", 184),
        ((Map<?, ?>) lineage.get("split")).get("rows"));
    // Closed choices are written as the job file spells them.
    assertEquals("column", ((Map<?, ?>) lineage.get("split")).get("method"));
    assertEquals("csv", lineage.get("source_format"));
    assertEquals(
        "auto",
        ((Map<?, ?>) ((Map<?, ?>) lineage.get("model")).get("params"))
            .get("feature-subset-strategy"));
    assertTrue(run.readText("job.conf").contains("num-trees=30"), "the resolved job is saved");
    assertTrue(Files.isDirectory(runs.resolve("seattle-weather/r1/feature-pipeline/stages")));
    assertTrue(Files.isDirectory(runs.resolve("seattle-weather/r1/model/metadata")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void carsLinearRegressionFromJson() {
    TestData.require(TestData.CARS);
    Map<String, Object> line = success(train(
        job("cars-mpg.conf"),
        "r1",
        "source.path=\"" + TestData.CARS + "\"",
        "model.linear-regression.reg-param=auto"));
    assertTrue(metric(line, "test", "r2") > 0.7, line.toString());
    assertTrue(metric(line, "test", "rmse") < 4.5, line.toString());
    assertEquals(List.of(), runDir(line).verify());
    // A regression's report plots a sample of its test residuals.
    assertTrue(runDir(line).readText("report.html").contains("Residuals against predicted"));
    // reg-param = auto: every value of the grid fitted and scored on the validation rows, the
    // best kept, and lineage records the value trained with.
    Map<String, Object> selection = (Map<String, Object>)
        Json.parse(runDir(line).readText("metrics.json")).get("model_selection");
    assertEquals("model.linear-regression.reg-param", selection.get("key"));
    assertEquals("validation", selection.get("on"));
    List<Map<String, Object>> candidates = (List<Map<String, Object>>) selection.get("candidates");
    assertEquals(4, candidates.size());
    double best = candidates.stream()
        .mapToDouble(c -> ((Number) c.get("rmse")).doubleValue())
        .min()
        .orElseThrow();
    Map<String, Object> chosen = candidates.stream()
        .filter(c -> c.get("value").equals(selection.get("chosen")))
        .findFirst()
        .orElseThrow();
    assertEquals(best, ((Number) chosen.get("rmse")).doubleValue());
    Map<String, Object> model =
        (Map<String, Object>) Json.parse(runDir(line).readText("lineage.json")).get("model");
    assertEquals(
        selection.get("chosen"), ((Map<String, Object>) model.get("params")).get("reg-param"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void kFoldCrossValidatesEveryCandidateThenRefitsOnAllNonTestRows() {
    TestData.require(TestData.SEATTLE_WEATHER);
    Map<String, Object> line = success(train(
        job("seattle-weather.conf"),
        "kfold",
        "source.path=\"" + TestData.SEATTLE_WEATHER + "\"",
        "model.type=logistic-regression",
        "split.method=k-fold",
        "split.folds=3",
        "model.logistic-regression.reg-param-grid=[0.0, 0.1]",
        // Seven fits of the mechanics under test, not of converged models: each L-BFGS
        // iteration is a Spark job.
        "model.logistic-regression.max-iter=15"));
    RunDirectory run = runDir(line);
    assertEquals(List.of(), run.verify());
    Map<String, Object> metrics = Json.parse(run.readText("metrics.json"));
    Map<String, Object> cv = (Map<String, Object>) metrics.get("cross_validation");
    List<Map<String, Object>> folds = (List<Map<String, Object>>) cv.get("per_fold");
    assertEquals(3, folds.size());
    // local[2]: two MLlib fits at a time, as the README says.
    assertEquals(2, ((Number) cv.get("concurrent_fits")).intValue());
    Map<String, Object> rows = (Map<String, Object>)
        ((Map<String, Object>) Json.parse(run.readText("lineage.json")).get("split")).get("rows");
    long pool = ((Number) rows.get("train")).longValue();
    assertEquals(
        0L,
        ((Number) rows.get("validation")).longValue(),
        "k-fold deals the validation share into folds");
    assertEquals(
        pool,
        folds.stream().mapToLong(f -> ((Number) f.get("rows")).longValue()).sum(),
        "every non-test row is held out exactly once");
    Map<String, Object> accuracy =
        (Map<String, Object>) ((Map<String, Object>) cv.get("summary")).get("accuracy");
    double mean = folds.stream()
        .mapToDouble(f -> ((Number) f.get("accuracy")).doubleValue())
        .average()
        .orElseThrow();
    assertEquals(mean, ((Number) accuracy.get("mean")).doubleValue(), 1e-12);
    assertTrue(((Number) accuracy.get("lower")).doubleValue() < mean
        && mean < ((Number) accuracy.get("upper")).doubleValue());
    Map<String, Object> selection = (Map<String, Object>) metrics.get("model_selection");
    assertTrue(((String) selection.get("on")).startsWith("cross-validation"), selection.toString());
    assertEquals(2, ((List<?>) selection.get("candidates")).size());
    Map<String, Object> headline =
        (Map<String, Object>) ((Map<String, Object>) line.get("metrics")).get("cross_validation");
    assertEquals(
        mean,
        ((Number) ((Map<String, Object>) headline.get("accuracy")).get("mean")).doubleValue(),
        1e-12);
    // The committed model is the refit on all non-test rows, scored on the untouched test split.
    assertTrue(metric(line, "test", "accuracy") > 0.5, line.toString());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aNetworkCrossValidatesToo() {
    TestData.require(TestData.SEATTLE_WEATHER);
    Map<String, Object> line = success(train(
        job("seattle-weather.conf"),
        "kfold-nn",
        "source.path=\"" + TestData.SEATTLE_WEATHER + "\"",
        "model.type=neural-network",
        "model.neural-network.hidden-layers=[16]",
        "train.epochs=1",
        "split.method=k-fold",
        "split.folds=2"));
    Map<String, Object> cv = (Map<String, Object>)
        Json.parse(runDir(line).readText("metrics.json")).get("cross_validation");
    assertEquals(2, ((List<?>) cv.get("per_fold")).size());
    assertTrue(((Map<String, Object>) cv.get("summary")).containsKey("log_loss"), cv.toString());
  }

  @Test
  void syntheticChurnFindsThePlantedSignalAndIsReproducible() {
    Map<String, Object> first =
        success(train(job("synthetic-churn.conf"), "a", "source.path=\"" + synthetic + "\""));
    // The planted logit bounds what any model can reach; 0.74 is well above chance (0.5).
    assertTrue(metric(first, "test", "auc") > 0.74, first.toString());
    Map<String, Object> second =
        success(train(job("synthetic-churn.conf"), "b", "source.path=\"" + synthetic + "\""));
    // Same job, same seed: the same split, so the same rows; MLlib's L-BFGS sums partition
    // results in the order tasks finish, so the model may differ in the last digits.
    for (String split : List.of("validation", "test")) {
      assertEquals(metric(first, split, "rows"), metric(second, split, "rows"));
      for (String m : List.of("accuracy", "weighted_f1", "log_loss", "auc")) {
        assertEquals(metric(first, split, m), metric(second, split, m), 1e-6, split + " " + m);
        // Each metric's interval is around it, and the seeded bootstrap repeats it (to the
        // model's last digits, which may reorder near-tied rows).
        List<Double> bounds = interval(first, split, m);
        assertTrue(
            bounds.get(0) < metric(first, split, m) && metric(first, split, m) < bounds.get(1),
            split + " " + m);
        assertEquals(bounds.get(0), interval(second, split, m).get(0), 1e-4, split + " " + m);
        assertEquals(bounds.get(1), interval(second, split, m).get(1), 1e-4, split + " " + m);
      }
    }
    // Both runs went into the registry's index as they committed; diffed, they are the same job
    // on the same data.
    Configuration conf = new Configuration();
    Map<String, RunEntry> indexed = new HashMap<>();
    RunIndex.of(conf, runs.toString())
        .entries("synthetic-churn")
        .forEach(e -> indexed.put(e.runId(), e));
    assertEquals(
        metric(first, "test", "auc"), indexed.get("a").metrics().get("test").get("auc"), 0.0);
    assertEquals("logistic-regression", indexed.get("b").modelType());
    // The test split's curves for the report: the binned ROC's area is the AUC reported.
    @SuppressWarnings("unchecked")
    Map<String, Object> curves = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                Json.parse(runDir(first).readText("metrics.json")).get("splits"))
            .get("test"))
        .get("curves");
    @SuppressWarnings("unchecked")
    List<List<Double>> roc = (List<List<Double>>) curves.get("roc");
    assertEquals(metric(first, "test", "auc"), Curves.area(roc), 0.005);
    assertTrue(runDir(first).readText("report.html").contains("ROC curve (test)"));
    RunDiff diff = RunDiff.of(
        RunSummary.of(conf, runDir(first).uri()),
        RunSummary.of(conf, runDir(second).uri()));
    assertTrue(diff.sameData(), diff.text());
    assertEquals(Map.of(), diff.config(), diff.text());
  }

  @SuppressWarnings("unchecked")
  private static List<Double> interval(Map<String, Object> line, String split, String name) {
    Map<String, Object> intervals = (Map<String, Object>)
        ((Map<String, Object>) ((Map<String, Object>) line.get("metrics")).get(split))
            .get("intervals");
    assertEquals(0.95, intervals.get("confidence"));
    return (List<Double>) intervals.get(name);
  }

  @Test
  void gradientBoostedTreesOnTheBinaryTarget() {
    Map<String, Object> line = success(train(
        job("synthetic-churn.conf"),
        "gbt",
        "source.path=\"" + synthetic + "\"",
        "model.type=gradient-boosted-trees",
        "model.gradient-boosted-trees.max-iter=10",
        "model.gradient-boosted-trees.max-depth=3"));
    assertTrue(metric(line, "test", "auc") > 0.72, line.toString());
  }

  @Test
  void fashionMnistSubsetLogisticRegression() {
    String data = TestData.fashionMnistParquet();
    // 10,000 training images, 2,000 validation, the first 2,000 of the official test set.
    Map<String, Object> line = success(train(
        job("fashion-mnist-logreg.conf"),
        "subset",
        "source.path=\"" + data + "\"",
        "source.filter=\"index < 12000 OR index >= 68000\"",
        "split.validation-start=\"10000\"",
        "model.logistic-regression.max-iter=20"));
    System.out.printf(
        "fashion-mnist logistic regression, 20 iterations: test accuracy %.4f%n",
        metric(line, "test", "accuracy"));
    assertTrue(metric(line, "test", "accuracy") > 0.78, line.toString());
    assertEquals(2000, metric(line, "test", "rows"));
    assertEquals(List.of(), runDir(line).verify());
  }

  private Cli.Result mlp(String runId, String... more) {
    String data = TestData.fashionMnistParquet();
    List<String> sets = new ArrayList<>(List.of(
        "source.path=\"" + data + "\"",
        "source.filter=\"index < 12000 OR index >= 68000\"",
        "split.validation-start=\"10000\"",
        "train.epochs=3"));
    sets.addAll(List.of(more));
    return train(job("fashion-mnist-mlp.conf"), runId, sets.toArray(String[]::new));
  }

  @Test
  @SuppressWarnings("unchecked")
  void fashionMnistSubsetNeuralNetworkByParameterAveraging() throws Exception {
    Map<String, Object> line = success(mlp("nn"));
    assertTrue(metric(line, "test", "accuracy") > 0.80, line.toString());
    RunDirectory run = runDir(line);
    assertEquals(List.of(), run.verify());
    Map<String, Object> training =
        (Map<String, Object>) Json.parse(run.readText("metrics.json")).get("training");
    assertEquals("parameter-averaging", training.get("engine"));
    assertEquals(2, training.get("workers"), "local[2]: one worker per core");
    List<Map<String, Object>> epochs = (List<Map<String, Object>>) training.get("epochs");
    assertEquals(3, epochs.size());
    for (Map<String, Object> e : epochs) {
      assertEquals(
          10_000, ((Number) e.get("examples")).intValue(), "every example once per epoch: " + e);
      assertTrue(((Number) e.get("examples_per_s")).doubleValue() > 0, e.toString());
      assertTrue(((Number) e.get("replica_divergence")).doubleValue() > 0, e.toString());
      assertTrue(((Number) e.get("validation_accuracy")).doubleValue() > 0.7, e.toString());
    }
    assertTrue(Files.isRegularFile(runs.resolve("fashion-mnist-mlp/nn/model/network.zip")));
    assertFalse(
        Files.exists(runs.resolve("fashion-mnist-mlp/nn/checkpoints")), "checkpoints go at commit");
    var restored = ModelSerializer.restoreMultiLayerNetwork(
        runs.resolve("fashion-mnist-mlp/nn/model/network.zip").toFile());
    assertEquals(784, restored.layerInputSize(0));

    // The run's report.html, in the manifest, loaded by a real browser: no console message, no
    // request made, every metric shown equal to metrics.json, a learning curve per chart. The
    // screenshot is the README's (target/report-screenshots/).
    Path report = runs.resolve("fashion-mnist-mlp/nn/report.html");
    assertTrue(run.manifest().toString().contains("path=report.html"), "in the manifest");
    String html = Files.readString(report);
    // Rows of 3 splits; accuracy, weighted F1 and log loss of validation and test.
    assertEquals(
        9, ReportBrowser.assertMetricsMatch(html, Json.parse(run.readText("metrics.json"))));
    // Loss (train, validation), accuracy, examples/s, seconds (compute, averaging), divergence;
    // then the test split's reliability (the model's and the perfect one).
    assertEquals(9, html.split("<polyline", -1).length - 1, "a line per curve");
    assertTrue(html.contains("Reliability (test)"), "a classifier's calibration");
    ReportBrowser.Loaded loaded = ReportBrowser.load(
        report, TestData.repo().resolve("target/report-screenshots/fashion-mnist-mlp.png"), 2600);
    assertEquals(List.of(), loaded.console());
    assertEquals(List.of(), loaded.pageRequests());
  }

  @Test
  void neuralNetworkRunsAreReproducible() throws Exception {
    Map<String, Object> a = success(mlp("same-1", "train.epochs=2"));
    Map<String, Object> b = success(mlp("same-2", "train.epochs=2"));
    Map<String, Object> ma = Json.parse(runDir(a).readText("metrics.json"));
    Map<String, Object> mb = Json.parse(runDir(b).readText("metrics.json"));
    assertEquals(ma.get("splits"), mb.get("splits"), "same job file and seed: identical metrics");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> ea =
        (List<Map<String, Object>>) ((Map<String, Object>) ma.get("training")).get("epochs");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> eb =
        (List<Map<String, Object>>) ((Map<String, Object>) mb.get("training")).get("epochs");
    for (int i = 0; i < ea.size(); i++) {
      assertEquals(ea.get(i).get("train_loss"), eb.get(i).get("train_loss"));
      assertEquals(ea.get(i).get("validation_loss"), eb.get(i).get("validation_loss"));
    }
  }

  @Test
  void neuralNetworkOnABinaryTarget() {
    Map<String, Object> line = success(train(
        job("synthetic-churn.conf"),
        "nn-binary",
        "source.path=\"" + synthetic + "\"",
        "model.type=neural-network",
        "model.neural-network.hidden-layers=[32]",
        "train.epochs=3"));
    assertTrue(metric(line, "test", "auc") > 0.75, line.toString());
  }

  @Test
  void aDivergingNetworkExits4() {
    // A learning rate of 100: NaN in the first averaging round, before any epoch completed, so
    // there is no checkpoint to keep (ParameterAveragingTest covers divergence after a good epoch).
    Cli.Result r =
        mlp("nan", "model.neural-network.updater=sgd", "model.neural-network.learning-rate=100");
    assertEquals(4, r.code(), r.err());
    assertEquals(
        List.of("error: Training diverged: the loss became NaN in epoch 1, round 1 (lower"
            + " model.neural-network.learning-rate); no epoch had completed"),
        r.errLines());
    assertFalse(Files.exists(runs.resolve("fashion-mnist-mlp/nan")), "nothing of the run is left");
  }
}
