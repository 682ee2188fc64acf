package dev.runway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tabular CSV example, conf/jobs/airports.conf: a header line, no schema, types inferred;
 * it validates and trains as written (fewer trees, to stay quick).
 */
class AirportsJobTest {
  @TempDir
  Path runs;

  @Test
  @SuppressWarnings("unchecked")
  void validatesAndTrainsOnInferredTypes() {
    String job = TestData.repo().resolve("conf/jobs/airports.conf").toString();
    String source = "source.path=\"" + TestData.require(TestData.AIRPORTS) + "\"";
    Cli.Result valid = Cli.run("validate", "--job", job, "--set", source);
    assertEquals(0, valid.code(), valid.err());
    assertEquals("airports", Json.parse(valid.out()).get("job"));

    Cli.Result r = Cli.run(
        "train",
        "--job",
        job,
        "--master",
        "local[2]",
        "--run-id",
        "t",
        "--set",
        source,
        "--set",
        "output.root=\"" + runs + "\"",
        "--set",
        "model.random-forest.num-trees=10");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out());
    RunDirectory run = RunDirectory.at(new Configuration(), (String) line.get("run_uri"));
    assertEquals(List.of(), run.verify());
    Map<String, Object> lineage = Json.parse(run.readText("lineage.json"));
    String schema = String.valueOf(lineage.get("source_schema"));
    assertTrue(
        schema.matches("(?s).*latitude`? DOUBLE.*longitude`? DOUBLE.*"),
        "inferred, not text: " + schema);
    Map<String, Object> metrics = Json.parse(run.readText("metrics.json"));
    assertEquals(
        56, ((List<Object>) metrics.get("classes")).size(), "the states, DC and five territories");
    Map<String, Object> test =
        (Map<String, Object>) ((Map<String, Object>) metrics.get("splits")).get("test");
    // Two coordinates place most airports in their state; a class guessed from the largest
    // state (Alaska, 8% of rows) would score about 0.08.
    double accuracy = ((Number) test.get("accuracy")).doubleValue();
    assertTrue(accuracy > 0.7, "test accuracy " + accuracy);
  }
}
