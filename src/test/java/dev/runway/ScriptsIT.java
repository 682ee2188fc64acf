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
    assertTrue(((Number) test.get("accuracy")).doubleValue() > 0.87, line.toString());
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
    assertTrue(printed.contains("fashion-mnist-mlp        quickstart"), printed);
    assertTrue(printed.contains("Ankle boot"), "confusion matrix with class names: " + printed);
  }

  @Test
  void aKilledDriverResumesFromItsLastCheckpoint() throws Exception {
    Run prepared = script("scripts/run", "prepare-fashion-mnist", "--output", "target/test-data/fashion-mnist");
    assertEquals(0, prepared.code(), prepared.err());
    List<String> train = List.of("scripts/run", "train", "--job", "conf/jobs/fashion-mnist-mlp.conf",
        "--master", "local[2]", "--run-id", "killed", "--set=output.root=\"" + runs + "\"",
        "--set=source.path=\"" + TestData.repo().resolve("target/test-data/fashion-mnist") + "\"",
        "--set=source.filter=\"index < 12000 OR index >= 68000\"", "--set=split.validation-start=\"10000\"",
        "--set=train.epochs=6", "--set=train.early-stopping.patience=0");
    ProcessBuilder pb = new ProcessBuilder(absolute(train)).directory(TestData.repo().toFile())
        .redirectErrorStream(true).redirectOutput(Files.createTempFile("killed", ".txt").toFile());
    pb.environment().put("RUNWAY_NO_BUILD", "1");
    pb.environment().put("RUNWAY_LOG_DIR", TestData.repo().resolve("target/it-logs").toString());
    Process driver = pb.start();
    Path run = runs.resolve("fashion-mnist-mlp/killed");
    Path checkpoint = run.resolve("checkpoints/network-state-b"); // written after epoch 1
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    long size = -1;
    while (System.nanoTime() < deadline && driver.isAlive()) {
      long now = Files.exists(checkpoint) ? Files.size(checkpoint) : -1;
      if (now > 0 && now == size) {
        break;
      }
      size = now;
      Thread.sleep(100);
    }
    assertTrue(driver.isAlive(), "the driver was still training when the checkpoint appeared");
    driver.destroyForcibly().waitFor(); // kill -9: no shutdown hook, no cleanup
    assertTrue(Files.exists(checkpoint));
    assertTrue(!Files.exists(run.resolve("manifest.json")), "a killed run is not committed");

    List<String> resume = new ArrayList<>(train);
    resume.add("--resume");
    Run resumed = script(resume.toArray(String[]::new));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("Resuming from the checkpoint of epoch "), resumed.err());
    Map<String, Object> line = Json.parse(resumed.out().strip());
    assertEquals("committed", line.get("status"));
    RunDirectory dir = RunDirectory.at(new Configuration(), (String) line.get("run_uri"));
    assertEquals(List.of(), dir.verify());
    @SuppressWarnings("unchecked")
    List<Object> epochs = (List<Object>) ((Map<String, Object>) Json.parse(dir.readText("metrics.json"))
        .get("training")).get("epochs");
    assertEquals(6, epochs.size(), "the epochs before the kill are kept in the history");
  }

  private static List<String> absolute(List<String> command) {
    List<String> cmd = new ArrayList<>(command);
    cmd.set(0, TestData.repo().resolve(cmd.get(0)).toString());
    return cmd;
  }
}
