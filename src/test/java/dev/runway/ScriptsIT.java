package dev.runway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch scripts against the packaged jar, as separate processes: real exit codes, real
 * stdout and stderr, spark-submit included, and the README's quickstart.
 */
class ScriptsIT {
  @TempDir Path runs;

  /**
   * What a script printed and returned.
   *
   * @param code exit code
   * @param out stdout
   * @param err stderr
   */
  record Run(int code, String out, String err) {}

  private static Run script(String... command) throws IOException, InterruptedException {
    Path repo = TestData.repo();
    Path out = Files.createTempFile("runway-out", ".txt");
    Path err = Files.createTempFile("runway-err", ".txt");
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, repo.resolve(cmd.get(0)).toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().put("RUNWAY_NO_BUILD", "1");
    pb.environment().put("RUNWAY_DRIVER_MEMORY", "2g");
    pb.environment().put("RUNWAY_LOG_DIR", repo.resolve("target/it-logs").toString());
    Process p = pb.start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private String cars() {
    return "--set=source.path=\"" + TestData.require(TestData.CARS) + "\"";
  }

  @Test
  void validateExitsZeroOrTwoWithOneLineOfReason() throws Exception {
    Run ok = script("scripts/run", "validate", "--job", "conf/jobs/cars-mpg.conf");
    assertEquals(0, ok.code(), ok.err());
    assertEquals("valid", Json.parse(ok.out()).get("status"));
    Run bad = script("scripts/run", "validate", "--job", "conf/jobs/cars-mpg.conf", "--set", "model.typo=1");
    assertEquals(2, bad.code());
    assertEquals("error: Unknown key model.typo (--set model.typo=1); did you mean model.type?\n", bad.err());
    assertEquals("", bad.out());
  }

  @Test
  void submitTrainsThroughSparkSubmitAndARetryIsANoOp() throws Exception {
    String root = "--set=output.root=\"" + runs + "\"";
    Run first = script("scripts/submit", "--master", "local[2]", "train", "--job", "conf/jobs/cars-mpg.conf",
        "--run-id", "it-1", root, cars());
    assertEquals(0, first.code(), first.err());
    Map<String, Object> line = Json.parse(first.out().strip());
    assertEquals("committed", line.get("status"));
    assertEquals(List.of(), RunDirectory.at(new Configuration(), (String) line.get("run_uri")).verify());

    Run retry = script("scripts/submit", "--master", "local[2]", "train", "--job", "conf/jobs/cars-mpg.conf",
        "--run-id", "it-1", root, cars());
    assertEquals(0, retry.code(), retry.err());
    assertEquals("already-committed", Json.parse(retry.out().strip()).get("status"));
  }

  @Test
  void aDataErrorExitsThreeFromARealProcess() throws Exception {
    Run r = script("scripts/run", "train", "--job", "conf/jobs/cars-mpg.conf", "--master", "local[1]",
        "--set=output.root=\"" + runs + "\"", "--set=source.path=\"" + runs.resolve("missing") + "\"");
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().strip().endsWith("error: Cannot read source.path " + runs.resolve("missing")
        + ": no such file or directory"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void submitWithoutAMasterIsAUsageError() throws Exception {
    Run r = script("scripts/submit", "validate", "--job", "conf/jobs/cars-mpg.conf");
    assertEquals(2, r.code());
    assertEquals("error: no Spark master: pass --master URL or set RUNWAY_MASTER\n", r.err());
  }

  @Test
  void quickstartTrainsFashionMnistAndEndsWithTheJsonLine() throws Exception {
    Run r = script("scripts/quickstart", "--set=output.root=\"" + runs + "\"", "--run-id", "quickstart");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out().strip());
    @SuppressWarnings("unchecked")
    Map<String, Object> test = (Map<String, Object>) ((Map<String, Object>) line.get("metrics")).get("test");
    assertEquals(10000, ((Number) test.get("rows")).intValue());
    assertTrue(((Number) test.get("accuracy")).doubleValue() > 0.83, line.toString());
    assertTrue(r.err().contains("test accuracy 0.8"), r.err());
    assertTrue(r.err().contains("run written to " + line.get("run_uri")), r.err());

    // The notebook reads the committed run back (plain python3, no Jupyter needed).
    ProcessBuilder pb = new ProcessBuilder(TestData.repo().resolve("scripts/run-notebook-cells").toString(),
        TestData.repo().resolve("notebooks/compare-runs.ipynb").toString()).redirectErrorStream(true);
    pb.environment().put("RUNWAY_RUNS", runs.toString());
    Process p = pb.start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), printed);
    assertTrue(printed.startsWith("1 committed runs under " + runs), printed);
    assertTrue(printed.contains("fashion-mnist-logreg     quickstart"), printed);
    assertTrue(printed.contains("Ankle boot"), "confusion matrix with class names: " + printed);
  }
}
