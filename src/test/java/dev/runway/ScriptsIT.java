package dev.runway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch scripts against the packaged jar, as separate processes: real exit codes, real
 * stdout and stderr, spark-submit included, and the README's quickstart.
 */
class ScriptsIT {
  @TempDir
  Path runs;

  @Test
  void validateExitsZeroOrTwoWithOneLineOfReason() throws Exception {
    Scripts.Result ok = Scripts.run("scripts/run", "validate", "--job", "conf/jobs/cars-mpg.conf");
    assertEquals(0, ok.code(), ok.err());
    assertEquals("valid", Json.parse(ok.out()).get("status"));
    Scripts.Result bad = Scripts.run(
        "scripts/run", "validate", "--job", "conf/jobs/cars-mpg.conf", "--set", "model.typo=1");
    assertEquals(2, bad.code());
    assertEquals(
        "error: Unknown key model.typo (--set model.typo=1); did you mean model.type?\n",
        bad.err());
    assertEquals("", bad.out());
  }

  @Test
  void aDataErrorExitsThreeFromARealProcess() throws Exception {
    Scripts.Result r = Scripts.run(
        "scripts/run",
        "train",
        "--job",
        "conf/jobs/cars-mpg.conf",
        "--master",
        "local[1]",
        "--set=output.root=\"" + runs + "\"",
        "--set=source.path=\"" + runs.resolve("missing") + "\"");
    assertEquals(3, r.code(), r.err());
    assertTrue(
        r.err()
            .strip()
            .endsWith("error: Cannot read source.path " + runs.resolve("missing")
                + ": no such file or directory"),
        r.err());
    assertEquals("", r.out());
  }

  /**
   * A job file on S3, read before its own storage.s3a is known: the endpoint from --set, the
   * credentials from the environment variables reference.conf reads (S3_ACCESS_KEY,
   * S3_SECRET_KEY), and only from there (explicit keys turn S3A's default provider chain off).
   * verify, which reads no job at all, reaches S3 the same way.
   */
  @Test
  void aJobFileOnS3IsReadWithStorageSettingsFromSetAndTheEnvironment() throws Exception {
    TestS3.bucket("it-jobs");
    try (FileSystem fs = FileSystem.newInstance(URI.create("s3a://it-jobs/"), TestS3.hadoop())) {
      fs.copyFromLocalFile(
          new org.apache.hadoop.fs.Path(
              TestData.repo().resolve("conf/jobs/cars-mpg.conf").toUri()),
          new org.apache.hadoop.fs.Path("s3a://it-jobs/jobs/cars-mpg.conf"));
    }
    RunDirectory committed =
        RunDirectory.of(TestS3.hadoop(), "s3a://it-jobs/runs", "cars-mpg", "r1");
    committed.writeText("metrics.json", "{}");
    committed.commit(Map.of("job", "cars-mpg"));

    Map<String, String> env =
        Map.of("S3_ACCESS_KEY", TestS3.ACCESS_KEY, "S3_SECRET_KEY", TestS3.SECRET_KEY);
    String[] endpoint = {
      "--set=storage.s3a.endpoint=\"" + TestS3.endpoint() + "\"",
      "--set=storage.s3a.region=us-east-1",
      "--set=storage.s3a.path-style-access=true"
    };
    List<String> validate = new ArrayList<>(
        List.of("scripts/run", "validate", "--job", "s3a://it-jobs/jobs/cars-mpg.conf"));
    validate.addAll(List.of(endpoint));
    Scripts.Result ok = Scripts.run(env, validate.toArray(String[]::new));
    assertEquals(0, ok.code(), ok.err());
    assertEquals("cars-mpg", Json.parse(ok.out()).get("job"));

    Scripts.Result refused = Scripts.run(
        Map.of("S3_ACCESS_KEY", TestS3.ACCESS_KEY, "S3_SECRET_KEY", "not-the-secret"),
        validate.toArray(String[]::new));
    assertEquals(5, refused.code(), refused.err());
    assertTrue(
        refused
            .err()
            .startsWith(
                "error: Cannot access job file s3a://it-jobs/jobs/cars-mpg.conf: access denied"),
        refused.err());
    assertTrue(!refused.err().contains("not-the-secret"), refused.err());

    List<String> verify = new ArrayList<>(
        List.of("scripts/run", "verify", "--run", "s3a://it-jobs/runs/cars-mpg/r1"));
    verify.addAll(List.of(endpoint));
    Scripts.Result verified = Scripts.run(env, verify.toArray(String[]::new));
    assertEquals(0, verified.code(), verified.err());
    assertEquals("valid", Json.parse(verified.out()).get("status"));
  }

  /**
   * scripts/cluster's daemons log into RUNWAY_LOG_DIR (default RUNWAY_CLUSTER_DIR/logs), and a
   * start that fails says so and where. Failing on purpose (a worker memory size Spark cannot
   * parse) keeps the test short: the workers exit at once, and the master is stopped.
   */
  @Test
  void clusterDaemonsLogWhereAFailedStartSays() throws Exception {
    Path logs = runs.resolve("cluster-logs");
    Map<String, String> env = Map.of(
        "RUNWAY_CLUSTER_DIR",
        runs.resolve("cluster").toString(),
        "RUNWAY_LOG_DIR",
        logs.toString(),
        "RUNWAY_WORKER_MEMORY",
        "lots",
        "RUNWAY_MASTER_PORT",
        "7179",
        "RUNWAY_MASTER_UI_PORT",
        "8190");
    Scripts.Result r = Scripts.run(env, "scripts/cluster", "start");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("error: the cluster worker-"), r.err());
    assertTrue(r.err().strip().endsWith("; logs in " + logs), r.err());
    // The daemon the line names (whichever worker the check found gone first: the other may have
    // been stopped before its JVM got as far as logging): its Spark log (a worker logs its start
    // before it reads its arguments), and its stderr.
    String worker = r.err().substring("error: the cluster ".length()).split(" ")[0];
    assertTrue(
        Files.readString(logs.resolve(worker + ".log"))
            .contains("Worker: Started daemon with process name"),
        "the worker's own log is there");
    assertTrue(
        Files.readString(logs.resolve(worker + ".out")).contains("Usage: Worker"),
        "and why it exited");
    Scripts.Result status = Scripts.run(env, "scripts/cluster", "status");
    assertEquals("stopped\n", status.out(), "a failed start leaves no daemon running");
  }

  /**
   * A cluster start whose master port is taken stops at once with one line naming the port. Spark's
   * master would move to the next port while the workers, and every submit, went to the one asked
   * for: to the other cluster (a leftover cluster once gave a test's application four executors).
   */
  @Test
  void clusterStartRefusesAPortInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = Map.of(
          "RUNWAY_CLUSTER_DIR",
          runs.resolve("cluster-port").toString(),
          "RUNWAY_MASTER_PORT",
          String.valueOf(taken.getLocalPort()),
          "RUNWAY_MASTER_UI_PORT",
          "8195");
      Scripts.Result r = Scripts.run(env, "scripts/cluster", "start");
      assertEquals(1, r.code(), r.out() + r.err());
      assertEquals(
          "error: port " + taken.getLocalPort() + " on 127.0.0.1 is in use (another cluster? stop"
              + " it, or set RUNWAY_MASTER_PORT and RUNWAY_MASTER_UI_PORT)\n",
          r.err());
      assertEquals("stopped\n", Scripts.run(env, "scripts/cluster", "status").out());
    }
  }

  /**
   * A class-data archive becomes this build's only once a JVM has mapped it whole: a truncated one
   * (what a run killed while writing leaves, and what would crash the next JVM at start) is
   * removed. One the JVM refuses (written for another classpath) leaves stdout to runway, in
   * scripts/run's JVM and in the driver scripts/submit starts: the JVM's warning goes to stderr, and
   * the run goes on without it.
   */
  @Test
  void aClassArchiveIsKeptOnlyWhenItMapsWhole() throws Exception {
    Path dir = runs.resolve("class-archive");
    Files.createDirectories(dir);
    Map<String, String> env = Map.of("RUNWAY_CLASS_ARCHIVE_DIR", dir.toString());
    Path partial = dir.resolve("written.partial");
    Scripts.Result written = Scripts.run(
        Map.of(
            "RUNWAY_CLASS_ARCHIVE_DIR", dir.toString(),
            "RUNWAY_CLASS_ARCHIVE_WRITE", partial.toString()),
        "scripts/run",
        "--version");
    assertEquals(0, written.code(), written.err());
    assertTrue(written.out().matches("runway \\S+ \\(\\w+\\)\n"), written.out());
    assertEquals("", written.err(), "the dump's warnings about classes it leaves out");
    byte[] whole = Files.readAllBytes(partial);
    Path truncated = dir.resolve("truncated.partial");
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
    String archive = classArchive(env);
    assertEquals(1, keep(env, truncated, archive).code());
    assertFalse(Files.exists(truncated));
    assertFalse(Files.exists(Path.of(archive)));
    Scripts.Result kept = keep(env, partial, archive);
    assertEquals(0, kept.code(), kept.err());
    assertFalse(Files.exists(partial));
    assertTrue(Files.isRegularFile(Path.of(archive)));

    // An archive of another classpath (the job jar after the libraries) under this build's name:
    // the JVM runs without it.
    Scripts.Result other = lib(
        env,
        "rm -f \"$1\" && java -Xlog:disable -XX:ArchiveClassesAtExit=\"$1\""
            + " -cp \"$RUNWAY_CP:$RUNWAY_JAR\" dev.runway.cli.Main --version",
        archive);
    assertEquals(0, other.code(), other.err());
    Scripts.Result refused = Scripts.run(env, "scripts/run", "--version");
    assertEquals(0, refused.code(), refused.err());
    assertEquals(written.out(), refused.out());
    assertTrue(refused.err().contains("Unable to use shared archive"), refused.err());
    // The driver scripts/submit starts keeps stdout to runway too.
    Scripts.Result submitted = Scripts.run(
        Map.of("RUNWAY_JVM_OPTS", "-XX:SharedArchiveFile=" + archive),
        "scripts/submit",
        "--master",
        "local[1]",
        "--version");
    assertEquals(0, submitted.code(), submitted.err());
    assertEquals(written.out(), submitted.out());
    assertTrue(submitted.err().contains("Unable to use shared archive"), submitted.err());
    // RUNWAY_CLASS_ARCHIVE=0: the archive is not even tried.
    Map<String, String> off = new LinkedHashMap<>(env);
    off.put("RUNWAY_CLASS_ARCHIVE", "0");
    Scripts.Result without = Scripts.run(off, "scripts/run", "--version");
    assertEquals(0, without.code(), without.err());
    assertEquals(written.out(), without.out());
    assertFalse(without.err().contains("shared archive"), without.err());

    Scripts.Result bad =
        Scripts.run(Map.of("RUNWAY_CLASS_ARCHIVE", "yes"), "scripts/run", "--version");
    assertEquals(2, bad.code());
    assertEquals(
        "error: RUNWAY_CLASS_ARCHIVE is 'yes': 1 (map this build's class-data archive, see"
            + " scripts/lib.sh) or 0\n",
        bad.err());
  }

  /** scripts/lib.sh's path for this build's class-data archive. */
  private static String classArchive(Map<String, String> env) throws Exception {
    Scripts.Result r = lib(env, "runway_class_archive");
    assertEquals(0, r.code(), r.err());
    return r.out();
  }

  private static Scripts.Result keep(Map<String, String> env, Path partial, String archive)
      throws Exception {
    return lib(env, "runway_class_archive_keep \"$1\" \"$2\"", partial.toString(), archive);
  }

  /** {@code script} in bash after scripts/lib.sh has found the jar and classpath; args as $1... */
  private static Scripts.Result lib(Map<String, String> env, String script, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(
        "bash", "-c", "source scripts/lib.sh && runway_build_if_stale && " + script, "bash"));
    command.addAll(List.of(args));
    return Scripts.run(env, command.toArray(String[]::new));
  }

  /**
   * RUNWAY_SHORT_JOB=1 (the quickstart's default) reaches the JVM scripts/run starts, sized to its
   * heap; 0 adds nothing; any other value stops the script before a JVM starts.
   */
  @Test
  void aShortJobGetsItsJvmSettingsSizedToTheHeap() throws Exception {
    Map<String, String> shown = new LinkedHashMap<>();
    for (String value : List.of("1", "0")) {
      Scripts.Result r = Scripts.run(
          Map.of(
              "RUNWAY_SHORT_JOB", value,
              "RUNWAY_DRIVER_MEMORY", "2g",
              "RUNWAY_JVM_OPTS", "-XX:+PrintCommandLineFlags"),
          "scripts/run",
          "--version");
      assertEquals(0, r.code(), r.err());
      shown.put(value, r.out().lines().findFirst().orElse(""));
    }
    for (String flag : List.of(
        "-XX:TieredStopAtLevel=1",
        "-XX:MetaspaceSize=268435456",
        "-XX:NewSize=536870912",
        "-XX:+UseParallelGC")) {
      assertTrue(shown.get("1").contains(flag), flag + " in " + shown.get("1"));
      assertFalse(shown.get("0").contains(flag), flag + " in " + shown.get("0"));
    }
    // A collector named in RUNWAY_JVM_OPTS wins: the JVM would refuse to start with two.
    Scripts.Result g1 = Scripts.run(
        Map.of(
            "RUNWAY_SHORT_JOB", "1",
            "RUNWAY_DRIVER_MEMORY", "2g",
            "RUNWAY_JVM_OPTS", "-XX:+PrintCommandLineFlags -XX:+UseG1GC"),
        "scripts/run",
        "--version");
    assertEquals(0, g1.code(), g1.err());
    String flags = g1.out().lines().findFirst().orElse("");
    assertTrue(flags.contains("-XX:+UseG1GC") && flags.contains("-XX:TieredStopAtLevel=1"), flags);
    assertFalse(flags.contains("-XX:+UseParallelGC"), flags);
    Scripts.Result bad = Scripts.run(Map.of("RUNWAY_SHORT_JOB", "yes"), "scripts/run", "--version");
    assertEquals(2, bad.code());
    assertEquals(
        "error: RUNWAY_SHORT_JOB is 'yes': 1 (JVM settings for a short job, see scripts/lib.sh)"
            + " or 0\n",
        bad.err());
    assertEquals("", bad.out());
  }

  @Test
  void submitWithoutAMasterIsAUsageError() throws Exception {
    Scripts.Result r =
        Scripts.run("scripts/submit", "validate", "--job", "conf/jobs/cars-mpg.conf");
    assertEquals(2, r.code());
    assertEquals("error: no Spark master: pass --master URL or set RUNWAY_MASTER\n", r.err());
  }

  @Test
  void quickstartTrainsFashionMnistAndEndsWithTheJsonLine() throws Exception {
    Scripts.Result r = Scripts.run(
        "scripts/quickstart", "--set=output.root=\"" + runs + "\"", "--run-id", "quickstart");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out().strip());
    @SuppressWarnings("unchecked")
    Map<String, Object> test =
        (Map<String, Object>) ((Map<String, Object>) line.get("metrics")).get("test");
    assertEquals(10000, ((Number) test.get("rows")).intValue());
    assertTrue(((Number) test.get("accuracy")).doubleValue() > 0.87, line.toString());
    assertTrue(r.err().contains("test accuracy 0.8"), r.err());
    assertTrue(r.err().contains("run written to " + line.get("run_uri")), r.err());
    // scripts/run caps the native memory of its JVM at the heap (2g here) + 3 GB.
    @SuppressWarnings("unchecked")
    Map<String, Object> driver = (Map<String, Object>) Json.parse(Files.readString(
            Path.of(URI.create((String) line.get("run_uri"))).resolve("metrics.json")))
        .get("driver");
    assertEquals(
        5120L << 20, ((Number) driver.get("native_cap_bytes")).longValue(), driver.toString());
    assertEquals(2L << 30, ((Number) driver.get("heap_max_bytes")).longValue(), 0.1 * (2L << 30));
    // The quickstart left this build's class-data archive, whole (written aside, checked, renamed;
    // by this run or an earlier one on the same jar): nothing else in its folder.
    Path archive = Path.of(classArchive(Map.of()));
    assertTrue(Files.isRegularFile(archive), r.err());
    try (var left = Files.list(archive.getParent())) {
      assertEquals(List.of(archive), left.toList());
    }

    // A drift check of the same images against the run, for the drift notebook. Its JVM (G1,
    // where the quickstart's wrote the archive with the parallel collector) maps the archive: most
    // of its classes come from it.
    Path drift = runs.resolve("drift-quickstart");
    Path loaded = runs.resolve("class-load.log");
    Scripts.Result checked = Scripts.run(
        Map.of("RUNWAY_JVM_OPTS", "-XX:TieredStopAtLevel=1 -Xlog:class+load=info:file=" + loaded),
        "scripts/run",
        "drift",
        "--run",
        (String) line.get("run_uri"),
        "--input",
        "data/fashion-mnist",
        "--output",
        drift.toString());
    assertEquals(0, checked.code(), checked.err());
    Json.parse(checked.out().strip());
    try (var lines = Files.lines(loaded)) {
      long fromArchive =
          lines.filter(l -> l.endsWith("source: shared objects file (top)")).count();
      assertTrue(fromArchive > 5000, fromArchive + " classes from the archive");
    }

    // The notebooks, executed by real Jupyter against what was just committed: a failing cell
    // fails the test. The executed copies (outputs, plots) go to target/notebooks.
    Map<String, String> env = Map.of(
        "RUNWAY_RUNS", runs.toString(),
        "RUNWAY_DRIFT", drift.toString(),
        "RUNWAY_NO_BUILD", "1");
    Map<String, String> shown = new LinkedHashMap<>();
    for (String notebook : List.of("compare-runs", "explore-run", "drift")) {
      Scripts.Result executed = Scripts.run(
          env,
          "jupyter",
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.timeout=300",
          "--output-dir",
          "target/notebooks",
          "notebooks/" + notebook + ".ipynb");
      assertEquals(0, executed.code(), notebook + ": " + executed.err());
      shown.put(
          notebook,
          NotebookOutputs.text(TestData.repo().resolve("target/notebooks/" + notebook + ".ipynb")));
      assertTrue(
          NotebookOutputs.images(TestData.repo().resolve("target/notebooks/" + notebook + ".ipynb"))
              >= 1,
          notebook + " drew no plot");
    }
    assertTrue(
        shown.get("compare-runs").startsWith("1 committed runs under " + runs),
        shown.get("compare-runs"));
    assertTrue(
        shown.get("compare-runs").contains("fashion-mnist-mlp        quickstart"),
        shown.get("compare-runs"));
    assertTrue(
        shown.get("explore-run").contains("fashion-mnist-mlp/quickstart: neural-network"),
        shown.get("explore-run"));
    assertTrue(shown.get("explore-run").contains("epoch 1: train loss"), shown.get("explore-run"));
    assertTrue(shown.get("explore-run").contains("Ankle boot"), shown.get("explore-run"));
    assertTrue(
        shown.get("drift").contains("fashion-mnist-mlp/quickstart: 70000 rows checked against"),
        shown.get("drift"));
  }

  /**
   * A driver killed with -9 once epoch 1's checkpoint is written, then the same train with
   * --resume: it carries on from that checkpoint and commits a complete run whose history keeps
   * the epoch before the kill. On 5,000 training images, three epochs: what is tested is the
   * checkpoint and the resume, not the model (each start of this job prepares its features again,
   * about half a minute on the full quickstart data).
   */
  @Test
  void aKilledDriverResumesFromItsLastCheckpoint() throws Exception {
    Scripts.Result prepared = Scripts.run(
        "scripts/run", "prepare-fashion-mnist", "--output", "target/test-data/fashion-mnist");
    assertEquals(0, prepared.code(), prepared.err());
    List<String> train = List.of(
        "scripts/run",
        "train",
        "--job",
        "conf/jobs/fashion-mnist-mlp.conf",
        "--master",
        "local[2]",
        "--run-id",
        "killed",
        "--set=output.root=\"" + runs + "\"",
        "--set=source.path=\"" + TestData.repo().resolve("target/test-data/fashion-mnist") + "\"",
        "--set=source.filter=\"index < 5500 OR index >= 68000\"",
        "--set=split.validation-start=\"5000\"",
        "--set=train.epochs=3",
        "--set=train.early-stopping.patience=0");
    Process driver = Scripts.start(Map.of(), train.toArray(String[]::new)).process();
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
      Thread.sleep(50);
    }
    assertTrue(driver.isAlive(), "the driver was still training when the checkpoint appeared");
    driver.destroyForcibly().waitFor(); // kill -9: no shutdown hook, no cleanup
    assertTrue(Files.exists(checkpoint));
    assertTrue(!Files.exists(run.resolve("manifest.json")), "a killed run is not committed");

    List<String> resume = new ArrayList<>(train);
    resume.add("--resume");
    Scripts.Result resumed = Scripts.run(resume.toArray(String[]::new));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("Resuming from the checkpoint of epoch "), resumed.err());
    Map<String, Object> line = Json.parse(resumed.out().strip());
    assertEquals("committed", line.get("status"));
    RunDirectory dir = RunDirectory.at(new Configuration(), (String) line.get("run_uri"));
    assertEquals(List.of(), dir.verify());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> epochs = (List<Map<String, Object>>)
        ((Map<String, Object>) Json.parse(dir.readText("metrics.json")).get("training"))
            .get("epochs");
    assertEquals(3, epochs.size(), "the epochs before the kill are kept in the history: " + epochs);
    assertEquals(1, ((Number) epochs.get(0).get("epoch")).intValue(), epochs.toString());
  }

  /**
   * A tune whose driver is killed with -9 once a trial is committed, then the same tune with
   * --resume: the results saved before the kill are read, not trained again; the committed trial
   * is left as it is; the tune commits a complete leaderboard.
   */
  @Test
  void aKilledTuneResumesFromItsSavedResults() throws Exception {
    Scripts.Result prepared = Scripts.run(
        "scripts/run", "prepare-fashion-mnist", "--output", "target/test-data/fashion-mnist");
    assertEquals(0, prepared.code(), prepared.err());
    List<String> tune = List.of(
        "scripts/run",
        "tune",
        "--job",
        "conf/jobs/fashion-mnist-mlp.conf",
        "--master",
        "local[2]",
        "--tune-id",
        "killed",
        "--set=output.root=\"" + runs + "\"",
        "--set=source.path=\"" + TestData.repo().resolve("target/test-data/fashion-mnist") + "\"",
        "--set=source.filter=\"index < 5500 OR index >= 68000\"",
        "--set=split.validation-start=\"5000\"",
        "--set=model.neural-network.hidden-layers=[64]",
        "--set=train.early-stopping.patience=0",
        "--set=tune.sampling=grid",
        "--set=tune.space={\"model.neural-network.learning-rate\":{values=[0.0005,0.001,0.002,0.004]}}",
        "--set=tune.halving.max-budget=2",
        "--set=tune.halving.reduction-factor=2");
    Process driver = Scripts.start(Map.of(), tune.toArray(String[]::new)).process();
    Path job = runs.resolve("fashion-mnist-mlp");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    Path committed = null;
    while (committed == null && System.nanoTime() < deadline && driver.isAlive()) {
      for (String trial : List.of("t01", "t02", "t03", "t04")) {
        Path manifest = job.resolve("killed-" + trial + "/manifest.json");
        if (Files.exists(manifest)) {
          committed = manifest;
        }
      }
      Thread.sleep(50);
    }
    assertTrue(
        committed != null && driver.isAlive(), "the tune was running when a trial committed");
    driver.destroyForcibly().waitFor(); // kill -9
    Path state = job.resolve("_tunes/killed");
    assertTrue(!Files.exists(state.resolve("manifest.json")), "a killed tune is not committed");
    String before = Files.readString(committed);

    List<String> resume = new ArrayList<>(tune);
    resume.add("--resume");
    Scripts.Result resumed = Scripts.run(resume.toArray(String[]::new));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("read from the tune's saved state"), resumed.err());
    Map<String, Object> line = Json.parse(resumed.out().strip());
    assertEquals("committed", line.get("status"));
    assertEquals(4, ((Number) line.get("trials")).intValue());
    assertEquals(0, ((Number) line.get("failed")).intValue());
    RunDirectory dir = RunDirectory.at(new Configuration(), (String) line.get("tune_uri"));
    assertEquals(List.of(), dir.verify());
    assertEquals(before, Files.readString(committed), "the committed trial is left alone");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> trials =
        (List<Map<String, Object>>) Json.parse(dir.readText("tune.json")).get("trials");
    assertEquals(
        List.of("completed", "completed", "stopped", "stopped"),
        trials.stream().map(t -> t.get("status")).toList());
    for (Map<String, Object> t : trials) {
      RunDirectory run = RunDirectory.at(new Configuration(), (String) t.get("run_uri"));
      assertEquals(List.of(), run.verify(), t.toString());
    }
  }
}
