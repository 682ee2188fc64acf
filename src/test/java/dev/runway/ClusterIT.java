package dev.runway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs on a real Spark standalone cluster (scripts/cluster: a master and two one-core workers,
 * so two executor JVMs besides the driver), submitted through scripts/submit, reading their input
 * from and writing their run to a real S3 server on 127.0.0.1; and the Airflow DAGs' commands.
 */
class ClusterIT {
  private static final String MASTER = "spark://127.0.0.1:7077";
  private static final Path REPO = TestData.repo();

  private static Scripts.Result run(Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    Map<String, String> all = new HashMap<>(Map.of("RUNWAY_DRIVER_MEMORY", "1g"));
    all.putAll(env);
    return Scripts.run(all, command);
  }

  @BeforeAll
  static void cluster() throws Exception {
    // The cluster's JVMs start while the data is prepared and uploaded: each side is mostly
    // waiting for JVMs and Spark to come up.
    Scripts.Started cluster =
        Scripts.start(Map.of("RUNWAY_DRIVER_MEMORY", "1g"), "scripts/cluster", "start");
    Scripts.Result prepared = run(
        Map.of(),
        "scripts/run",
        "prepare-fashion-mnist",
        "--output",
        "target/test-data/fashion-mnist");
    assertEquals(0, prepared.code(), prepared.err());
    TestS3.bucket("cluster-data");
    TestS3.bucket("cluster-runs");
    try (FileSystem fs =
        FileSystem.newInstance(URI.create("s3a://cluster-data/"), TestS3.hadoop())) {
      fs.copyFromLocalFile(
          false,
          true,
          new org.apache.hadoop.fs.Path(
              REPO.resolve("target/test-data/fashion-mnist").toUri()),
          new org.apache.hadoop.fs.Path("s3a://cluster-data/fashion-mnist"));
      fs.copyFromLocalFile(
          new org.apache.hadoop.fs.Path(TestData.require(TestData.CARS).toUri()),
          new org.apache.hadoop.fs.Path("s3a://cluster-data/cars/cars.json"));
    }
    Scripts.Result up = cluster.await();
    assertEquals(0, up.code(), up.out() + up.err());
  }

  @AfterAll
  static void stop() throws Exception {
    run(Map.of(), "scripts/cluster", "stop");
  }

  /** scripts/submit train on the cluster, output to S3, with {@code sets} as --set overrides. */
  private static String[] submitArgs(String job, String runId, String... sets) {
    List<String> cmd = new ArrayList<>(List.of(
        "scripts/submit",
        "--master",
        MASTER,
        "train",
        "--job",
        job,
        "--run-id",
        runId,
        "--set=output.root=\"s3a://cluster-runs/runs\""));
    for (String s : TestS3.settings()) {
      cmd.add("--set=" + s);
    }
    for (String s : sets) {
      cmd.add("--set=" + s);
    }
    return cmd.toArray(String[]::new);
  }

  /** The run's metrics, after checking its manifest by reading every file back from S3. */
  private static Map<String, Object> committed(Scripts.Result r) throws Exception {
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out().strip());
    assertEquals("committed", line.get("status"));
    RunDirectory dir = RunDirectory.at(TestS3.hadoop(), (String) line.get("run_uri"));
    assertEquals(List.of(), dir.verify());
    return Json.parse(dir.readText("metrics.json"));
  }

  /**
   * The training's tasks ran in executor processes of the cluster, none in the driver. Not
   * necessarily in both: the cars are one JSON file, so every table after it descends from one
   * cached partition, and Spark's delay scheduling keeps each short task on the executor holding
   * its input (in one verify all nine ran in one). Two executor JVMs training side by side is the
   * parameter-averaging test's, where runway places the blocks itself.
   */
  @SuppressWarnings("unchecked")
  private static void assertExecutorProcesses(Map<String, Object> metrics) {
    List<Map<String, Object>> executors =
        (List<Map<String, Object>>) metrics.get("training_executors");
    long driver = ((Number) ((Map<String, Object>) metrics.get("driver")).get("pid")).longValue();
    assertTrue(!executors.isEmpty(), "training ran tasks: " + metrics);
    for (Map<String, Object> e : executors) {
      assertNotEquals("driver", e.get("executor_id"), executors.toString());
      assertNotEquals(driver, ((Number) e.get("pid")).longValue(), executors.toString());
      assertTrue(((Number) e.get("tasks")).intValue() > 0, e.toString());
    }
  }

  /**
   * The network job the parameter-averaging test trains: 10k training rows, 3 epochs, 8 rounds
   * each, averaged by the path auto chooses for two workers on two one-core executors: peers, an
   * epoch's rounds in one barrier stage whose two tasks, in the two executor JVMs, send each other
   * their results over their own connections; a lost executor fails the stage, and Spark runs the
   * whole epoch again once a replacement executor gives it two slots. {@code more} settings
   * override these (the tree test's one epoch and path).
   */
  private static String[] mlpRun(String runId, String... more) {
    List<String> sets = new ArrayList<>(List.of(
        "source.path=\"s3a://cluster-data/fashion-mnist\"",
        "source.filter=\"index < 12000 OR index >= 68000\"",
        "split.validation-start=\"10000\"",
        "train.epochs=3",
        "train.averaging-frequency=5",
        "train.early-stopping.patience=0",
        // Blocks of one fixed round (640 rows), and rounds that lengthen whenever the replicas
        // spread less than the average moved: lengthened rounds read several blocks in one
        // executor task, also after the executor holding them is killed.
        "train.block-size=\"1 MiB\"",
        "train.adaptive-averaging.agreement=1.0"));
    sets.addAll(List.of(more)); // a later --set of a key wins
    return submitArgs("conf/jobs/fashion-mnist-mlp.conf", runId, sets.toArray(String[]::new));
  }

  @SuppressWarnings("unchecked")
  private static double testAccuracy(Map<String, Object> metrics) {
    return ((Number)
            ((Map<String, Object>) ((Map<String, Object>) metrics.get("splits")).get("test"))
                .get("accuracy"))
        .doubleValue();
  }

  @Test
  @SuppressWarnings("unchecked")
  void parameterAveragingRunsInTwoExecutorJvmsAndSurvivesAnExecutorKilledMidEpoch()
      throws Exception {
    // Once epoch 1's checkpoint is written, kill -9 one executor JVM half a second into epoch 2.
    // (An undisturbed run of the same job, trained first to compare with, cost 70-140 s of the
    // suite; every round's result depends only on its shard and the broadcast parameters, and
    // the run is held to the accuracy the undisturbed one reached, 0.826 when last measured.) Spark
    // reruns the lost tasks on the executor the worker starts in its
    // place; a round's result depends only on its shard and the broadcast parameters.
    // Executors of 1 GB with 1.25 GB of overhead: scripts/submit caps JavaCPP at their sum.
    Scripts.Started job = Scripts.start(
        Map.of("RUNWAY_DRIVER_MEMORY", "1g", "RUNWAY_EXECUTOR_OVERHEAD", "1280m"),
        mlpRun("nn-killed"));
    String checkpoint = "runs/fashion-mnist-mlp/nn-killed/checkpoints/network-state-b";
    TestS3.awaitKey("cluster-runs", checkpoint, job.process());
    Thread.sleep(500);
    ProcessHandle executor = ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no executor JVM to kill"));
    assertTrue(job.process().isAlive(), "still training when the executor is killed");
    executor.destroyForcibly();
    System.out.println("Killed executor JVM pid " + executor.pid() + " in epoch 2");

    Map<String, Object> survived = committed(job.await());
    List<Map<String, Object>> executors =
        (List<Map<String, Object>>) survived.get("training_executors");
    assertEquals(
        3,
        executors.size(),
        "the killed executor, its replacement and the other one ran tasks: " + executors);
    assertTrue(
        executors.stream().anyMatch(e -> e.get("pid") == null),
        "the killed one is gone: " + executors);
    assertTrue(
        executors.stream().noneMatch(e -> "driver".equals(e.get("executor_id"))),
        "training ran in executor JVMs, not the driver: " + executors);
    for (Map<String, Object> e : executors) {
      if (e.get("pid") != null) {
        assertEquals(
            (1024L + 1280) << 20,
            ((Number) e.get("native_cap_bytes")).longValue(),
            "JavaCPP's cap is the executor's heap + overhead: " + e);
      }
    }
    List<Map<String, Object>> epochs =
        (List<Map<String, Object>>) ((Map<String, Object>) survived.get("training")).get("epochs");
    assertEquals(3, epochs.size());
    assertEquals(
        2,
        ((Map<String, Object>) survived.get("training")).get("workers"),
        "one worker per executor core");
    assertEquals("peers", ((Map<String, Object>) survived.get("training")).get("aggregation"));
    Map<String, Object> blocks =
        (Map<String, Object>) ((Map<String, Object>) survived.get("training")).get("training_data");
    assertTrue(
        ((Number) blocks.get("blocks")).intValue() >= 8, "several blocks a worker: " + blocks);
    // 5,000 rows a worker: 8 fixed rounds of 640 rows an epoch, one block each.
    assertTrue(
        epochs.stream().anyMatch(e -> ((Number) e.get("rounds")).intValue() < 8),
        "some epoch's rounds ran on across blocks: " + epochs);
    double after = testAccuracy(survived);
    System.out.printf("Executor killed mid-epoch: test accuracy %.4f%n", after);
    assertTrue(after > 0.81, "test accuracy " + after);
  }

  /**
   * The tree path across executor JVMs: each round's results are summed in a treeAggregate, whose
   * partial sums are serialized between the two executors and the driver, and the driver gets one
   * sum a round. The unit tests hold it to the direct path's average to the bit in one JVM; this
   * is the path's only run where the workers' networks and blocks live in other processes. One
   * epoch of the parameter-averaging test's data (0.786 test accuracy in local[2]).
   */
  @Test
  @SuppressWarnings("unchecked")
  void treeAveragingTrainsAcrossTwoExecutorJvms() throws Exception {
    Map<String, Object> metrics =
        committed(run(Map.of(), mlpRun("nn-tree", "train.epochs=1", "train.aggregation=tree")));
    Map<String, Object> training = (Map<String, Object>) metrics.get("training");
    assertEquals("tree", training.get("aggregation"));
    assertEquals(2, training.get("workers"));
    List<Map<String, Object>> executors =
        (List<Map<String, Object>>) metrics.get("training_executors");
    long driver = ((Number) ((Map<String, Object>) metrics.get("driver")).get("pid")).longValue();
    assertEquals(
        2,
        executors.stream()
            .map(e -> ((Number) e.get("pid")).longValue())
            .filter(pid -> pid != driver)
            .distinct()
            .count(),
        "both executor JVMs trained: " + executors);
    List<Map<String, Object>> epochs = (List<Map<String, Object>>) training.get("epochs");
    assertEquals(1, epochs.size());
    assertTrue(((Number) epochs.get(0).get("rounds")).intValue() >= 1, epochs.toString());
    double accuracy = testAccuracy(metrics);
    System.out.printf("Tree averaging across executor JVMs: test accuracy %.4f%n", accuracy);
    assertTrue(accuracy > 0.75, "test accuracy " + accuracy);
  }

  /**
   * Both DAGs' spark-submit commands on the cluster (scripts/airflow/check_dag_command.py):
   * validate; train, reading the cars from S3, and train again (the retry); evaluate and promote
   * (promoted: the alias was unset) and promote's retry, and a second DAG run whose worse model
   * (a heavy ridge penalty) promote rejects, its verdict naming the failed conditions and the
   * alias left on the first run, with the gate's branch for both outcomes; then score the data
   * interval's input with the first run (one score through spark-submit on the standalone
   * cluster) and score again (the retry: already committed); drift of the same input (no drift: the
   * retrain branch skips) and of the next day's heavier cars (drift: it triggers the training
   * DAG). The retries of train, promote and score start no Spark application (the master's
   * count of applications is unchanged). The first train is also this class's
   * MLlib job: it ran in the cluster's executor JVMs. (Runs written to S3 from the cluster, Spark ML's
   * feature pipeline included, are the parameter-averaging test's.)
   */
  @Test
  void theAirflowDagCommandsRunAndARetryIsANoOp() throws Exception {
    Path dir = Files.createTempDirectory("airflow");
    List<String> extra = new ArrayList<>(List.of(
        "--set",
        "output.root=\"" + dir.resolve("runs") + "\"",
        "--set",
        "source.path=\"s3a://cluster-data/cars/cars.json\""));
    for (String s : TestS3.settings()) {
      extra.addAll(List.of("--set", s));
    }
    Scripts.Result r = run(
        env(
            "SPARK_HOME", REPO.resolve("target/cluster/spark-home").toString(),
            "RUNWAY_SPARK_MASTER", MASTER,
            "RUNWAY_MASTER_UI", "http://127.0.0.1:8080",
            "RUNWAY_JAR", REPO.resolve("target/runway-0.1.0-SNAPSHOT.jar").toString(),
            "RUNWAY_JOB", REPO.resolve("conf/jobs/cars-mpg.conf").toString(),
            "RUNWAY_EXTRA_ARGS",
                extra.stream().map(ClusterIT::shellQuoted).collect(Collectors.joining(" ")),
            "RUNWAY_OUTPUT_ROOT", dir.resolve("runs").toString(),
            "RUNWAY_JOB_NAME", "cars-mpg",
            "RUNWAY_HOLDOUT", TestData.require(TestData.CARS).toString(),
            "RUNWAY_WORSE_TRAIN_ARGS", "--set model.linear-regression.reg-param=20",
            "RUNWAY_SCORING_INPUT", dir.resolve("input").toString(),
            "RUNWAY_SCORING_OUTPUT", dir.resolve("scores").toString(),
            "RUNWAY_SCORING_SAMPLE", TestData.require(TestData.CARS).toString(),
            "RUNWAY_DRIFT_OUTPUT", dir.resolve("drift").toString(),
            "RUNWAY_DRIFTED_SAMPLE", heavierCars(dir).toString()),
        "/usr/bin/python3",
        REPO.resolve("scripts/airflow/check_dag_command.py").toString());
    System.out.println(r.out());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(
        r.out().contains("the retried score exits 0 with status already-committed"), r.out());
    assertTrue(r.out().contains("score exits 0 with status committed: 406 rows"), r.out());
    assertTrue(r.out().contains("promote exits 0 with status promoted"), r.out());
    assertTrue(r.out().contains("the gate's branch proceeds for a promoted run"), r.out());
    assertTrue(r.out().contains("promote exits 0 with status rejected"), r.out());
    assertTrue(
        r.out().contains("the gate's branch skips the tasks after it for a rejected run"), r.out());
    assertTrue(
        r.out()
            .contains("the verdict says rejected, outcome baseline-better, and names what failed"),
        r.out());
    assertTrue(
        r.out()
            .contains("the retried promote exits 0 with the committed verdict's status, "
                + "promoted, and its reasons"),
        r.out());
    assertTrue(
        r.out().contains("the retrain branch skips the retrain for a batch that did not drift"),
        r.out());
    assertTrue(
        r.out().contains("the retrain branch triggers runway_training for a batch that drifted"),
        r.out());
    // Retries of finished tasks are answered from storage, before a session starts: the
    // master saw no application for them.
    for (String retry : List.of("train", "promote", "score")) {
      assertTrue(
          r.out().contains(retry + " (Airflow retry) started no Spark application"), r.out());
    }
    assertTrue(r.out().strip().endsWith("passed, 0 failed"), r.out());
    Path run;
    try (var runs = Files.list(dir.resolve("runs/cars-mpg"))) {
      run = runs.sorted().findFirst().orElseThrow(); // the first DAG run's
    }
    assertExecutorProcesses(Json.parse(Files.readString(run.resolve("metrics.json"))));
  }

  /**
   * The cars a year later, as an upstream change would deliver them: every car 1,000 lb heavier
   * (about 1.2 standard deviations of the training weights), the rest as it was.
   */
  @SuppressWarnings("unchecked")
  private static Path heavierCars(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Map<String, Object>> cars =
        json.readValue(TestData.require(TestData.CARS).toFile(), List.class);
    for (Map<String, Object> car : cars) {
      if (car.get("Weight_in_lbs") instanceof Number w) {
        car.put("Weight_in_lbs", w.doubleValue() + 1000);
      }
    }
    Path out = dir.resolve("heavier-cars.json");
    json.writeValue(out.toFile(), cars);
    return out;
  }

  /** An environment from name, value pairs (Map.of stops at ten). */
  private static Map<String, String> env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** One argument quoted for a shell line (the check splits RUNWAY_EXTRA_ARGS like one). */
  private static String shellQuoted(String arg) {
    return "'" + arg.replace("'", "'\\''") + "'";
  }
}
