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
}
