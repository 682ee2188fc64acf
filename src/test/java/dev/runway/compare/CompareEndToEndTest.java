package dev.runway.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.TestSpark;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.report.ReportBrowser;
import dev.runway.report.RunReport;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compare and promote through the command line on real runs: Fashion-MNIST's logistic regression
 * and MLP (the two example jobs, one output root, trained on a 10,000-image subset), compared on
 * the 10,000 images of the official test set; and two regressions of the cars' fuel economy.
 */
class CompareEndToEndTest {
  @TempDir
  static Path tmp;

  private static Path runs;
  private static String logreg;
  private static String mlp;
  private static String holdout;

  @BeforeAll
  static void trainBoth() throws Exception {
    SparkSession spark = TestSpark.session();
    runs = tmp.resolve("runs");
    String data = TestData.fashionMnistParquet();
    List<String> subset = List.of(
        "source.path=\"" + data + "\"",
        "source.filter=\"index < 12000 OR index >= 68000\"",
        "split.validation-start=\"10000\"");
    logreg =
        train("fashion-mnist-logreg.conf", "lr", subset, "model.logistic-regression.max-iter=4");
    mlp = train("fashion-mnist-mlp.conf", "mlp", subset, "train.epochs=3");
    holdout = tmp.resolve("holdout").toString();
    spark
        .read()
        .parquet(data)
        .filter("index >= 60000")
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(holdout);
  }

  private static String train(String job, String runId, List<String> sets, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "train",
        "--job",
        TestData.repo().resolve("conf/jobs").resolve(job).toString(),
        "--master",
        "local[2]",
        "--run-id",
        runId,
        "--set",
        "output.root=\"" + runs + "\""));
    for (String s : sets) {
      args.addAll(List.of("--set", s));
    }
    for (String s : more) {
      args.addAll(List.of("--set", s));
    }
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    return (String) Json.parse(r.out()).get("run_uri");
  }

  /**
   * A command on the holdout. The runs' source filter picked their training subset; the holdout
   * is every test image, so the filter is cleared.
   */
  private static Cli.Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--master", "local[2]", "--set", "source.filter=\"\""));
    return Cli.run(all.toArray(String[]::new));
  }

  private static Map<String, Object> ok(Cli.Result r) {
    assertEquals(0, r.code(), r.err());
    return Json.parse(r.out());
  }

  private static Verdict verdict(String uri) throws Exception {
    return Json.read(
        Files.readString(Path.of(URI.create(uri)).resolve("verdict.json")), Verdict.class);
  }

  @Test
  void theMlpBeatsTheLogisticRegressionBeyondTheNoise() throws Exception {
    String out = tmp.resolve("compare").toString();
    Map<String, Object> line = ok(cli(
        "compare", "--baseline", logreg, "--candidate", mlp, "--input", holdout, "--output", out));
    assertEquals("committed", line.get("status"));
    assertEquals("candidate-better", line.get("outcome"), line.toString());
    assertEquals(10_000, ((Number) line.get("rows")).intValue());

    Verdict v = verdict((String) line.get("output_uri"));
    Verdict.Test mcnemar = v.tests().get(0);
    assertEquals("mcnemar", mcnemar.name());
    assertTrue(mcnemar.pValue() < 1e-6, "p = " + mcnemar.pValue());
    long b = mcnemar.counts().get("baseline_only_correct");
    long c = mcnemar.counts().get("candidate_only_correct");
    assertTrue(c > b, b + " vs " + c);
    assertEquals(
        10_000, mcnemar.counts().values().stream().mapToLong(Long::longValue).sum());
    Verdict.Test accuracy = v.tests().stream()
        .filter(t -> "accuracy".equals(t.metric()))
        .findFirst()
        .orElseThrow();
    // The bootstrap's plain values are the exact accuracies: the McNemar cells (counted by a
    // separate aggregation) give them too, for both runs and in the verdict's metrics.
    long bothCorrect = mcnemar.counts().get("both_correct");
    assertEquals((bothCorrect + c) / 10_000.0, accuracy.candidate(), 1e-12);
    assertEquals((bothCorrect + b) / 10_000.0, accuracy.baseline(), 1e-12);
    assertEquals((bothCorrect + c) / 10_000.0, v.metrics().get("candidate").get("accuracy"), 1e-12);
    assertEquals((bothCorrect + b) / 10_000.0, v.metrics().get("baseline").get("accuracy"), 1e-12);
    assertEquals((double) (c - b) / 10_000, accuracy.delta(), 1e-12);
    assertTrue(accuracy.interval().get(0) > 0, accuracy.interval().toString());
    assertTrue(accuracy.interval().get(0) < accuracy.delta()
        && accuracy.delta() < accuracy.interval().get(1));
    assertEquals(1000, accuracy.resamples());
    assertTrue(v.tests().stream().anyMatch(t -> "log_loss".equals(t.metric())));
    assertEquals(10_000, TestSpark.session().read().parquet(out + "/pairs").count());
    assertEquals(
        List.of(),
        RunDirectory.at(TestSpark.session().sparkContext().hadoopConfiguration(), out)
            .verify());

    // Both runs point at the comparison. A first attempt that died between the commit and its
    // pointer is repaired by the scheduler's retry: delete the candidate's pointer, retry.
    Path pointers = runs.resolve("_outputs/fashion-mnist-mlp/mlp");
    assertEquals(1, comparePointers(pointers).size(), "the candidate's pointer");
    assertEquals(
        1, comparePointers(runs.resolve("_outputs/fashion-mnist-logreg/lr")).size());
    for (Path p : comparePointers(pointers)) {
      Files.delete(p);
    }
    Map<String, Object> retry = ok(cli(
        "compare", "--baseline", logreg, "--candidate", mlp, "--input", holdout, "--output", out));
    assertEquals("already-committed", retry.get("status"));
    assertEquals(line.get("reasons"), retry.get("reasons"));
    assertEquals(1, comparePointers(pointers).size(), "the retry wrote the missing pointer");
  }

  /** The pointers to comparisons under a run's outputs directory. */
  private static List<Path> comparePointers(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("compare-"))
          .toList();
    }
  }

  @Test
  void promotionMovesTheAliasOnlyForARealImprovement() throws Exception {
    // Unset: the floors alone decide.
    Map<String, Object> first = ok(cli(
        "promote",
        "--candidate",
        logreg,
        "--alias",
        "champion",
        "--input",
        holdout,
        "--set",
        "gate.floors.accuracy=0.5"));
    assertEquals("promoted", first.get("status"), first.toString());
    Aliases aliases = Aliases.at(
        TestSpark.session().sparkContext().hadoopConfiguration(),
        runs.toUri().toString(),
        Aliases.DEFAULT_LEASE);
    assertEquals(logreg, aliases.resolve("champion").orElseThrow().runUri());

    Map<String, Object> better =
        ok(cli("promote", "--candidate", mlp, "--alias", "champion", "--input", holdout));
    assertEquals("promoted", better.get("status"), better.toString());
    assertEquals(logreg, better.get("previous"));
    Verdict won = verdict((String) better.get("verdict_uri"));
    assertTrue(won.tests().get(0).pValue() < 1e-6);
    assertEquals(Boolean.TRUE, won.decision().promoted());
    assertEquals(mlp, aliases.resolve("champion").orElseThrow().runUri());

    // The reverse: the logistic regression does not beat the MLP, and says why.
    String reverseOut = tmp.resolve("reverse-verdict").toString();
    Map<String, Object> reverse = ok(cli(
        "promote",
        "--candidate",
        logreg,
        "--alias",
        "champion",
        "--input",
        holdout,
        "--output",
        reverseOut));
    assertEquals("rejected", reverse.get("status"), reverse.toString());
    String reasons = reverse.get("reasons").toString();
    assertTrue(reasons.contains("McNemar") && reasons.contains("failed"), reasons);
    assertTrue(reasons.contains("left at " + mlp), reasons);
    Verdict lost = verdict((String) reverse.get("verdict_uri"));
    assertEquals("baseline-better", lost.decision().outcome());
    assertEquals(Boolean.FALSE, lost.decision().promoted());
    assertEquals(mlp, aliases.resolve("champion").orElseThrow().runUri(), "the alias stays");

    // A scheduler's retry into the same --output: the committed decision, no run loaded.
    PromoteJob.Result retried = PromoteJob.run(
        TestSpark.session(),
        (spark, uri) -> {
          throw new AssertionError("a retry into a committed verdict loaded " + uri);
        },
        new PromoteJob.Request(logreg, "champion", holdout, reverseOut, null));
    assertEquals(reverse, retried.toJson());

    List<AliasEvent> history = aliases.history("champion");
    assertEquals(
        List.of("promoted", "promoted", "rejected"),
        history.stream().map(AliasEvent::status).toList());

    // A retry of the promotion that won: the alias already points at it.
    Map<String, Object> again =
        ok(cli("promote", "--candidate", mlp, "--alias", "champion", "--input", holdout));
    assertEquals("promoted", again.get("status"));
  }

  @Test
  void regressionsAreComparedByWilcoxonAndIncomparableRunsExit2() throws Exception {
    List<String> cars = List.of("source.path=\"" + TestData.require(TestData.CARS) + "\"");
    String plain = train("cars-mpg.conf", "plain", cars);
    String shrunk = train("cars-mpg.conf", "shrunk", cars, "model.linear-regression.reg-param=20");
    String out = tmp.resolve("cars-compare").toString();
    Map<String, Object> line = ok(cli(
        "compare",
        "--baseline",
        shrunk,
        "--candidate",
        plain,
        "--input",
        TestData.require(TestData.CARS).toString(),
        "--output",
        out));
    Verdict v = verdict((String) line.get("output_uri"));
    assertEquals("wilcoxon-signed-rank", v.tests().get(0).name());
    assertTrue(v.tests().stream().anyMatch(t -> "rmse".equals(t.metric())));
    assertTrue(v.tests().stream().anyMatch(t -> "mae".equals(t.metric())));
    assertEquals(398, v.rows(), "the cars with a fuel economy");

    Cli.Result incomparable = cli(
        "compare",
        "--baseline",
        plain,
        "--candidate",
        mlp,
        "--input",
        holdout,
        "--output",
        tmp.resolve("nope").toString());
    assertEquals(2, incomparable.code(), incomparable.err());
    assertTrue(incomparable.err().contains("predict different things"), incomparable.err());
    assertFalse(Files.exists(tmp.resolve("nope")), "nothing written");
  }

  @Test
  void aHoldoutWithoutAColumnARunNeedsExits3() throws Exception {
    String noImage = tmp.resolve("no-image").toString();
    TestSpark.session().read().parquet(holdout).drop("image").limit(10).write().parquet(noImage);
    Cli.Result r = cli(
        "compare",
        "--baseline",
        logreg,
        "--candidate",
        mlp,
        "--input",
        noImage,
        "--output",
        tmp.resolve("missing").toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("image"), r.err());
    assertFalse(Files.exists(tmp.resolve("missing")), "nothing written");
  }

  /**
   * The run's report, rendered again by {@code report}, shows what was made from the run since:
   * an evaluation, a drift report, a promotion (and the alias it set), each from its own files,
   * and leaves out an output deleted since. The logistic regression's own summary shows as its
   * coefficients per class, by pixel.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theReportOfARunShowsItsLaterOutputsAndAliases() throws Exception {
    String small = tmp.resolve("holdout-small").toString();
    TestSpark.session().read().parquet(holdout).limit(2000).write().parquet(small);
    String evaluation = tmp.resolve("later/evaluation").toString();
    ok(cli("evaluate", "--run", logreg, "--input", small, "--output", evaluation));
    String drift = tmp.resolve("later/drift").toString();
    ok(cli("drift", "--run", logreg, "--input", small, "--output", drift));
    Map<String, Object> promoted = ok(cli(
        "promote",
        "--candidate",
        logreg,
        "--alias",
        "reported",
        "--input",
        small,
        "--set",
        "gate.floors.accuracy=0.5"));
    assertEquals("promoted", promoted.get("status"), promoted.toString());

    Cli.Result shown = Cli.run("runs", "show", logreg);
    assertEquals(0, shown.code(), shown.err());
    assertTrue(shown.out().matches("(?s).*\n  evaluate \\S*later/evaluation .*"), shown.out());
    assertTrue(shown.out().matches("(?s).*\n  drift \\S*later/drift .*"), shown.out());

    Path page = tmp.resolve("later/report.html");
    Cli.Result r = Cli.run("report", "--run", logreg, "--output", page.toString());
    assertEquals(0, r.code(), r.err());
    String html = Files.readString(page);
    assertTrue(html.contains("<h2>Evaluations</h2>"), "an evaluation section");
    assertTrue(html.contains("<h2>Comparisons</h2>") && html.contains("promote to alias reported"));
    assertTrue(html.contains("<h2>Drift</h2>"), "a drift section");
    assertTrue(
        html.contains("id=\"aliases\">") && html.matches("(?s).*id=\"aliases\">[^<]*reported.*"));
    // Every number in a data-metric cell is its file's: the run's metrics.json, the evaluation's.
    Map<String, Object> evaluated =
        Json.parse(Files.readString(Path.of(evaluation, "metrics.json")));
    int compared = ReportBrowser.assertMetricsMatch(
        html,
        Json.parse(Files.readString(Path.of(URI.create(logreg)).resolve("metrics.json"))),
        List.of(evaluated));
    assertTrue(ReportBrowser.metricsShown(html).containsKey("evaluate0.accuracy"));
    assertTrue(compared > 8, "metrics compared: " + compared);

    // The model's own summary: coefficients per class name, largest first, as metrics.json has.
    Map<String, Object> training = (Map<String, Object>)
        Json.parse(Files.readString(Path.of(URI.create(logreg)).resolve("metrics.json")))
            .get("training");
    Map<String, Object> top =
        (Map<String, Object>) ((List<Object>) training.get("coefficients")).get(0);
    assertTrue(((String) top.get("feature")).startsWith("image["), top.toString());
    Object firstClassValue =
        ((Map<String, Object>) top.get("by_class")).values().iterator().next();
    assertTrue(html.contains("<td class=\"name\">" + top.get("feature") + "</td><td>"
        + RunReport.decimal(((Number) firstClassValue).doubleValue()) + "</td>"));
    assertTrue(html.contains("Objective per iteration"), "the optimizer's history");

    ReportBrowser.Loaded loaded =
        ReportBrowser.load(page, Path.of("target/report-later-outputs.png"), 6000);
    assertEquals(List.of(), loaded.console());
    assertEquals(List.of(), loaded.pageRequests());
    assertEquals(
        List.of(),
        RunDirectory.at(TestSpark.session().sparkContext().hadoopConfiguration(), logreg)
            .verify(),
        "the run itself is not written to");

    // An output deleted since is left out; its pointer alone shows nothing.
    Files.delete(Path.of(drift, "manifest.json"));
    assertEquals(
        0, Cli.run("report", "--run", logreg, "--output", page.toString()).code());
    assertFalse(Files.readString(page).contains("<h2>Drift</h2>"));
  }
}
