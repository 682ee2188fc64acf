package dev.runway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.artifacts.Json;
import dev.runway.bench.RunStubs;
import dev.runway.registry.RunEntry;
import dev.runway.registry.RunIndex;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runs list|show|diff|reindex} on committed runs, as a user types them. */
class RunsCommandTest {
  @TempDir
  static Path tmp;

  private static String root;

  @BeforeAll
  static void commitRuns() {
    Configuration conf = new Configuration();
    root = tmp.resolve("runs").toString();
    Instant start = Instant.parse("2026-11-01T00:00:00Z");
    double[] accuracy = {0.81, 0.93, 0.88, 0.86};
    for (int i = 0; i < accuracy.length; i++) {
      var run = RunStubs.commit(
          conf,
          root,
          i < 3 ? "churn" : "fraud",
          "r" + i,
          start.plusSeconds(3600L * i),
          i == 1 ? "neural-network" : "logistic-regression",
          accuracy[i],
          i == 2 ? "/data/day-2.parquet" : "/data/day-1.parquet");
      RunIndex.of(conf, root).add(RunEntry.of(run));
    }
  }

  @Test
  void listFiltersSortsAndLimitsAsJsonLinesOrATable() {
    Cli.Result json = Cli.run(
        "runs",
        "list",
        "--root",
        root,
        "--where",
        "test.accuracy > 0.85",
        "--sort",
        "-test.accuracy",
        "--limit",
        "2",
        "--format",
        "json");
    assertEquals(0, json.code(), json.err());
    List<Map<String, Object>> lines = json.outLines().stream().map(Json::parse).toList();
    assertEquals(List.of("r1", "r2"), lines.stream().map(l -> l.get("run_id")).toList());
    assertEquals("churn", lines.get(0).get("job"));
    assertEquals("neural-network", lines.get(0).get("model_type"));
    assertEquals("committed", lines.get(0).get("status"));
    assertEquals(List.of(), lines.get(0).get("aliases"));
    assertEquals(
        0.93, ((Map<?, ?>) ((Map<?, ?>) lines.get(0).get("metrics")).get("test")).get("accuracy"));

    Cli.Result table = Cli.run("runs", "list", "--root", root, "--job", "churn");
    assertEquals(0, table.code(), table.err());
    List<String> rows = table.outLines();
    assertTrue(
        rows.get(0)
            .matches("JOB\\s+RUN ID\\s+MODEL\\s+STARTED\\s+DURATION\\s+VALIDATION"
                + "\\s+TEST\\s+ALIASES\\s+STATUS"),
        rows.get(0));
    assertTrue(
        rows.get(2)
            .matches("churn\\s+r1\\s+neural-network\\s+2026-11-01T01:00:00Z\\s+.*"
                + "accuracy 0.9300 auc 0.9800\\s+committed"),
        rows.get(2));
    assertEquals("3 runs", rows.get(rows.size() - 1));
  }

  @Test
  void showAndDiffAnswerWhatChangedAndWhetherTheDataWasTheSame() {
    Cli.Result show = Cli.run("runs", "show", root + "/churn/r1");
    assertEquals(0, show.code(), show.err());
    assertTrue(show.out().contains("model: neural-network (classification)"), show.out());
    assertTrue(show.out().contains("  test: rows 1000, accuracy 0.9300, auc 0.9800"), show.out());
    assertTrue(show.out().contains("  model.type = neural-network"), show.out());
    assertTrue(show.out().contains("input: /data/day-1.parquet (1 files)"), show.out());

    Cli.Result same = Cli.run("runs", "diff", root + "/churn/r0", root + "/churn/r1");
    assertEquals(0, same.code(), same.err());
    assertTrue(same.out().contains("same data: yes"), same.out());
    assertTrue(same.out().contains("  model.type: logistic-regression -> neural-network"));
    assertTrue(same.out().contains("  test.accuracy: 0.8100 -> 0.9300 (+0.1200)"), same.out());

    Cli.Result other =
        Cli.run("runs", "diff", root + "/churn/r0", root + "/churn/r2", "--format", "json");
    assertEquals(0, other.code(), other.err());
    Map<String, Object> diff = Json.parse(other.out());
    assertEquals(false, diff.get("same_data"));
    assertEquals(
        List.of("/data/day-1.parquet", "/data/day-2.parquet"),
        List.copyOf(((Map<?, ?>) diff.get("inputs")).keySet()));
  }

  @Test
  void mistakesFailInOneLineNamingTheCause() {
    Cli.Result typo = Cli.run("runs", "list", "--root", root, "--sort", "-test.acc");
    assertEquals(2, typo.code());
    assertTrue(typo.err().contains("Unknown field 'test.acc' in --sort"), typo.err());
    Cli.Result missing = Cli.run("runs", "show", root + "/churn/nope");
    assertEquals(5, missing.code(), missing.err());
    assertTrue(missing.err().contains("No committed run at"), missing.err());
  }

  @Test
  void reindexRebuildsEveryJobFromTheManifests() {
    Cli.Result r = Cli.run("runs", "reindex", "--root", root);
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out());
    assertEquals(Map.of("churn", 3, "fraud", 1), line.get("runs"));
    Cli.Result list = Cli.run("runs", "list", "--root", root, "--format", "json");
    assertEquals(4, list.outLines().size());
  }
}
