package dev.runway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestS3;
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

/** The pointers from a run to the outputs made from it, on a local disk and on S3. */
class RunOutputsTest {
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

  @TempDir
  Path tmp;

  @Test
  void onALocalDisk() {
    check(new Configuration(), tmp.toUri().toString());
  }

  @Test
  void onS3() {
    TestS3.bucket("outputs");
    check(TestS3.hadoop(), "s3a://outputs/x");
  }

  @Test
  void outputsAreListedInTheOrderTheyWereRecorded() throws Exception {
    Configuration conf = new Configuration();
    RunDirectory run = RunStubs.commit(
        conf, tmp.resolve("runs").toString(), "churn", "r1", START, "gbt", 0.9, "/d");
    // Instant.toString drops trailing zeros: as text, 34.15 would sort before 34.1.
    Path pointers = tmp.resolve("runs/_outputs/churn/r1");
    Files.createDirectories(pointers);
    Files.writeString(
        pointers.resolve("drift-b.json"),
        "{\"command\":\"drift\",\"uri\":\"file:/x/b\",\"file\":\"drift.json\","
            + "\"recorded_at\":\"2026-12-02T17:34:34.15Z\"}");
    Files.writeString(
        pointers.resolve("evaluate-a.json"),
        "{\"command\":\"evaluate\",\"uri\":\"file:/x/a\",\"file\":\"metrics.json\","
            + "\"recorded_at\":\"2026-12-02T17:34:34.1Z\"}");
    assertEquals(
        List.of("evaluate", "drift"),
        RunOutputs.of(conf, run.uri()).list().stream()
            .map(RunOutputs.Output::command)
            .toList());
  }

  private static void check(Configuration conf, String base) {
    String root = base.replaceAll("/+$", "") + "/runs";
    RunDirectory run = RunStubs.commit(conf, root, "churn", "r1", START, "gbt", 0.9, "/d");
    RunOutputs outputs = RunOutputs.of(conf, run.uri());
    assertEquals(List.of(), outputs.list(), "none yet");

    // Committed outputs somewhere else entirely, as --output puts them.
    RunDirectory evaluation = committed(conf, base + "/elsewhere/eval", "{\"rows\": 7}");
    RunDirectory drift = committed(conf, base + "/elsewhere/drift", "{\"rows\": 9}");
    outputs.add("evaluate", evaluation.uri(), RunFiles.METRICS, true);
    outputs.add("evaluate", evaluation.uri() + "/", RunFiles.METRICS, false); // a retry
    outputs.add("drift", drift.uri(), RunFiles.METRICS, true);
    List<RunOutputs.Output> listed = outputs.list();
    assertEquals(2, listed.size(), listed.toString());
    assertEquals(
        List.of("evaluate", "drift"),
        listed.stream().map(RunOutputs.Output::command).toList());
    assertEquals(evaluation.uri(), listed.get(0).uri());

    // Another run of the job has outputs of its own.
    RunDirectory other = RunStubs.commit(conf, root, "churn", "r2", START, "gbt", 0.8, "/d");
    assertEquals(List.of(), RunOutputs.of(conf, other.uri()).list());

    // Read: each output's main file; one deleted since is left out.
    List<RunOutputs.Read> read = outputs.read(conf);
    assertEquals(Map.of("rows", 7), read.get(0).content());
    drift.delete();
    assertEquals(1, outputs.read(conf).size());
    assertEquals(List.of(), run.verify(), "the run itself is not written to");
    assertTrue(RunIndex.of(conf, root).jobDirectories().equals(List.of("churn")), "not a job");
  }

  private static RunDirectory committed(Configuration conf, String uri, String metrics) {
    RunDirectory dir = RunDirectory.at(conf, uri);
    dir.writeText(RunFiles.METRICS, metrics);
    dir.commit(Map.of("kind", "evaluation"));
    return dir;
  }
}
