package dev.runway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.bench.RunStubs;
import dev.runway.run.RunFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a committed run, rendered by the `report` command as a user would. */
class RunReportTest {
  @TempDir
  Path tmp;

  @Test
  void theReportCommandRendersASelfContainedPageWhoseNumbersAreMetricsJson() throws Exception {
    RunDirectory run = RunStubs.commit(
        new Configuration(),
        tmp.resolve("runs").toString(),
        "churn",
        "r1",
        Instant.parse("2026-11-01T00:00:00Z"),
        "logistic-regression",
        0.8765432,
        "/data/x.parquet");
    Path out = tmp.resolve("out/report.html");
    Cli.Result r = Cli.run("report", "--run", run.uri(), "--output", out.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("written", Json.parse(r.out()).get("status"));
    String html = Files.readString(out);
    Map<String, Object> metrics = Json.parse(run.readText(RunFiles.METRICS));
    // validation and test: rows, accuracy, auc each.
    assertEquals(6, ReportBrowser.assertMetricsMatch(html, metrics));
    assertEquals("0.8765", ReportBrowser.metricsShown(html).get("test.accuracy"));
    assertTrue(html.length() < 2_000_000, "under 2 MB: " + html.length());
    assertFalse(html.replace("http://www.w3.org/2000/svg", "").contains("http"), "nothing remote");
    assertFalse(html.contains("<script"), "no script");
    assertEquals(run.verify(), List.of(), "the run itself is not written to");

    Cli.Result missing =
        Cli.run("report", "--run", tmp.resolve("runs/churn/none").toString());
    assertEquals(5, missing.code());
    assertTrue(missing.err().contains("No committed run at"), missing.err());
  }

  @Test
  @SuppressWarnings("unchecked")
  void anMllibModelsSummaryShowsByFeatureName() {
    Map<String, Object> metrics = Map.of(
        "job",
        "churn",
        "splits",
        Map.of(),
        "training",
        Map.of(
            "features",
            40,
            "objective_history",
            List.of(0.69, 0.41, 0.38),
            "intercept",
            -0.25,
            "coefficients",
            List.of(
                Map.of("feature", "tenure_months", "coefficient", -1.5),
                Map.of("feature", "plan=premium", "coefficient", 0.75)),
            "feature_importances",
            List.of(Map.of(
                "feature", "a_feature_name_longer_than_the_label_column", "importance", 0.6)),
            "train_loss_per_iteration",
            List.of(0.5, 0.3),
            "validation_loss_per_iteration",
            List.of(0.55, 0.4)));
    Map<String, Object> m = RunReport.model(metrics, Map.of(), "");
    List<String> charts = (List<String>) m.get("modelCharts");
    assertEquals(4, charts.size(), "objective, boosting loss, importances, coefficients");
    assertTrue(charts.get(0).contains("Objective per iteration"));
    assertTrue(charts.get(1).contains(">validation<"), "the validation loss is its own series");
    assertTrue(charts.get(2).contains("a_feature_name_longer_t\u2026"), "cut to fit");
    assertTrue(charts.get(3).contains(">tenure_months<") && charts.get(3).contains(">-1.5<"));
    assertTrue(charts.get(3).contains("2 of 40; intercept -0.2500"));
    assertEquals(null, m.get("coefficientTable"), "a table only for per-class coefficients");
    // Scalars stay in the summary table, lists become charts.
    assertEquals(
        List.of("features", "intercept"),
        ((List<Map<String, Object>>) m.get("training"))
            .stream().map(r -> r.get("key")).sorted().toList());
  }

  @Test
  void theLabelBalanceShowsEveryValueBinAndTheCatchAllsOnlyWithRows() {
    String numeric = RunReport.labelBalance(Map.of(
        "name",
        "mpg",
        "edges",
        List.of(1.0, 2.0),
        "values",
        List.of(),
        "counts",
        List.of(5, 0, 3, 0)));
    // An empty bin between two full ones is still a bin of the label's range.
    assertTrue(numeric.contains(">(1.000, 2.000]<"), numeric);
    assertTrue(numeric.contains(">\u2264 1.000<") && numeric.contains(">&gt; 2.000<"), numeric);
    assertFalse(numeric.contains("(missing)"), "no missing labels, no cell");
    String classes = RunReport.labelBalance(Map.of(
        "name",
        "y",
        "edges",
        List.of(),
        "values",
        List.of("a", "(b)"),
        "counts",
        List.of(4, 0, 0, 2)));
    assertTrue(classes.contains(">(b)<"), "a class without training rows is shown: " + classes);
    assertFalse(classes.contains("(other)"), classes);
    assertTrue(classes.contains(">(missing)<"), classes);
  }
}
