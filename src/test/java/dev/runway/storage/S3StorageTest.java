package dev.runway.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.TestS3;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;

/**
 * Jobs against a real S3 server (s3proxy on 127.0.0.1) through Hadoop's S3A: inputs and run
 * directories on s3a:// behave as on file:, credentials never leak, and storage failures exit 5
 * with a line that names them. Each test uses buckets of its own: Hadoop caches one S3A client per
 * bucket, with the settings it was first made with.
 */
class S3StorageTest {
  /** Uploads through a private S3A client, so the job under test builds its own from its settings. */
  private static void upload(java.nio.file.Path local, String uri) throws IOException {
    Path target = new Path(uri);
    try (FileSystem fs = FileSystem.newInstance(target.toUri(), TestS3.hadoop())) {
      fs.copyFromLocalFile(new Path(local.toUri()), target);
    }
  }

  private static Cli.Result cli(List<String> args, List<String> sets) {
    List<String> all = new ArrayList<>(args);
    for (String s : sets) {
      all.add("--set");
      all.add(s);
    }
    return Cli.run(all.toArray(String[]::new));
  }

  private static Cli.Result trainCars(
      String runId, String input, String root, List<String> storage) {
    List<String> sets = new ArrayList<>(storage);
    sets.add("source.path=\"" + input + "\"");
    sets.add("output.root=\"" + root + "\"");
    return cli(
        List.of(
            "train",
            "--job",
            TestData.repo().resolve("conf/jobs/cars-mpg.conf").toString(),
            "--master",
            "local[2]",
            "--run-id",
            runId),
        sets);
  }

  @Test
  void aJobReadsAndCommitsOnS3AndItsManifestVerifiesByReadingBack() throws Exception {
    TestS3.bucket("runway-in");
    TestS3.bucket("runway-out");
    upload(TestData.require(TestData.CARS), "s3a://runway-in/cars/cars.json");

    Cli.Result r = trainCars(
        "s3-1", "s3a://runway-in/cars/cars.json", "s3a://runway-out/runs", TestS3.settings());
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out());
    assertEquals("s3a://runway-out/runs/cars-mpg/s3-1", line.get("run_uri"));

    RunDirectory run = RunDirectory.at(TestS3.hadoop(), (String) line.get("run_uri"));
    assertTrue(run.committed());
    assertEquals(List.of(), run.verify(), "every file read back from S3 matches its SHA-256");
    Map<String, Object> lineage = Json.parse(run.readText("lineage.json"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> files =
        (List<Map<String, Object>>) ((Map<String, Object>) lineage.get("input")).get("files");
    assertEquals("s3a://runway-in/cars/cars.json", files.get(0).get("path"));
    assertTrue(
        files.get(0).containsKey("etag"),
        "S3 inputs are recorded with their ETag: " + files.get(0));

    Cli.Result again = trainCars(
        "s3-1", "s3a://runway-in/cars/cars.json", "s3a://runway-out/runs", TestS3.settings());
    assertEquals(0, again.code(), again.err());
    assertEquals("already-committed", Json.parse(again.out()).get("status"));

    // Credentials appear nowhere a run writes or a user reads.
    List<String> leaks = new ArrayList<>();
    FileSystem fs = new Path("s3a://runway-out/").getFileSystem(TestS3.hadoop());
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(new Path("s3a://runway-out/runs"), true);
    while (it.hasNext()) {
      Path p = it.next().getPath();
      try (InputStream in = fs.open(p)) {
        if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)
            .contains(TestS3.SECRET_KEY)) {
          leaks.add(p.toString());
        }
      }
    }
    java.nio.file.Path log = TestData.repo().resolve("target/test-logs/runway.log");
    if (Files.exists(log)
        && Files.readString(log, StandardCharsets.ISO_8859_1).contains(TestS3.SECRET_KEY)) {
      leaks.add(log.toString());
    }
    for (String printed : List.of(r.out(), r.err(), again.out(), again.err())) {
      if (printed.contains(TestS3.SECRET_KEY)) {
        leaks.add("command output");
      }
    }
    assertEquals(List.of(), leaks);
    assertTrue(
        run.readText("job.conf").contains("secret-key=\"<redacted>\""), "saved, but redacted");
  }

  /**
   * Storage settings for every command from the command line alone: the job file itself is read
   * from S3 before its own storage.s3a could be known, and verify and scan (which read no job)
   * reach the same server. Each step uses a bucket no S3A client of this JVM has touched, so
   * Hadoop's per-bucket client cache cannot lend one made with other settings.
   */
  @Test
  void everyCommandReachesS3WithTheCommandLinesStorageSettings() throws Exception {
    TestS3.bucket("runway-jobfile");
    TestS3.bucket("runway-verify");
    TestS3.bucket("runway-scan");
    upload(
        TestData.repo().resolve("conf/jobs/cars-mpg.conf"),
        "s3a://runway-jobfile/jobs/cars-mpg.conf");
    String job = "s3a://runway-jobfile/jobs/cars-mpg.conf";

    Cli.Result valid = cli(List.of("validate", "--job", job), TestS3.settings());
    assertEquals(0, valid.code(), valid.err());
    assertEquals("cars-mpg", Json.parse(valid.out()).get("job"));

    java.nio.file.Path local = Files.createTempDirectory("runway-s3-verify");
    List<String> sets = new ArrayList<>(TestS3.settings());
    sets.add("source.path=\"" + TestData.require(TestData.CARS) + "\"");
    sets.add("output.root=\"" + local + "\"");
    Cli.Result trained =
        cli(List.of("train", "--job", job, "--master", "local[2]", "--run-id", "v"), sets);
    assertEquals(0, trained.code(), trained.err());
    assertEquals("cars-mpg", Json.parse(trained.out()).get("job"));
    try (FileSystem fs =
        FileSystem.newInstance(URI.create("s3a://runway-verify/"), TestS3.hadoop())) {
      fs.copyFromLocalFile(
          false,
          true,
          new Path(local.resolve("cars-mpg/v").toUri()),
          new Path("s3a://runway-verify/runs/cars-mpg/v"));
    }
    Cli.Result verified =
        cli(List.of("verify", "--run", "s3a://runway-verify/runs/cars-mpg/v"), TestS3.settings());
    assertEquals(0, verified.code(), verified.err());
    assertEquals("valid", Json.parse(verified.out()).get("status"));

    upload(TestData.require(TestData.SEATTLE_WEATHER), "s3a://runway-scan/weather/weather.csv");
    Cli.Result schema = cli(
        List.of(
            "scan",
            "--master",
            "local[2]",
            "--path",
            "s3a://runway-scan/weather/",
            "--format",
            "csv",
            "--option",
            "header=true",
            "--schema"),
        TestS3.settings());
    assertEquals(0, schema.code(), schema.err());
    assertEquals(
        "date STRING, precipitation DOUBLE, temp_max DOUBLE, temp_min DOUBLE, wind DOUBLE, weather STRING",
        schema.out().strip());
    Cli.Result scanned = cli(
        List.of(
            "scan",
            "--master",
            "local[2]",
            "--path",
            "s3a://runway-scan/weather/",
            "--format",
            "csv",
            "--option",
            "header=true"),
        TestS3.settings());
    assertEquals(0, scanned.code(), scanned.err());
    assertEquals(1461, ((Number) Json.parse(scanned.out()).get("rows")).longValue());
  }

  /**
   * Under spark-submit, a cluster's storage settings often come only as spark.hadoop.* keys (its
   * spark-defaults.conf or --conf), which spark-submit hands the driver as system properties. The
   * steps that read storage before a session (a job file on s3a://) or without one (verify) see
   * them as the session would.
   */
  @Test
  void sparkSubmitsHadoopKeysReachTheCommandsThatReadStorageWithoutASession() throws Exception {
    TestS3.bucket("runway-submitconf");
    upload(
        TestData.repo().resolve("conf/jobs/cars-mpg.conf"),
        "s3a://runway-submitconf/jobs/cars-mpg.conf");
    Map<String, String> submitted = new LinkedHashMap<>();
    TestS3.hadoop().forEach(e -> submitted.put("spark.hadoop." + e.getKey(), e.getValue()));
    List<String> sets = List.of();
    String job = "s3a://runway-submitconf/jobs/cars-mpg.conf";
    Cli.Result without = cli(List.of("validate", "--job", job), sets);
    assertEquals(5, without.code(), "no endpoint or credentials: " + without.err());
    submitted.forEach(System::setProperty);
    try {
      Cli.Result valid = cli(List.of("validate", "--job", job), sets);
      assertEquals(0, valid.code(), valid.err());
      assertEquals("cars-mpg", Json.parse(valid.out()).get("job"));
      Cli.Result verified =
          cli(List.of("verify", "--run", "s3a://runway-submitconf/runs/cars-mpg/none"), sets);
      assertTrue(
          verified.err().contains("s3a://runway-submitconf/runs/cars-mpg/none"), verified.err());
      assertFalse(verified.err().contains("endpoint"), verified.err());
    } finally {
      submitted.keySet().forEach(System::clearProperty);
    }
  }

  @Test
  void aFailedFirstRunOfANewJobLeavesNothingInTheBucket() throws Exception {
    TestS3.bucket("runway-failed");
    upload(TestData.require(TestData.CARS), "s3a://runway-failed/in/cars.json");
    List<String> storage = new ArrayList<>(TestS3.settings());
    storage.add("features.label=MPG");
    Cli.Result r =
        trainCars("x", "s3a://runway-failed/in/cars.json", "s3a://runway-failed/runs", storage);
    assertEquals(3, r.code(), r.err());
    List<String> left = TestS3.keys("runway-failed", "runs/");
    assertTrue(
        left.stream().noneMatch(k -> k.startsWith("runs/cars-mpg")),
        "no run and no job directory: " + left);
  }

  @Test
  void parquetDatasetsOnS3AreCommittedByTheMagicCommitter() throws Exception {
    TestS3.bucket("runway-datasets");
    List<String> args = new ArrayList<>(List.of(
        "generate-synthetic",
        "--master",
        "local[2]",
        "--rows",
        "5000",
        "--partitions",
        "2",
        "--output",
        "s3a://runway-datasets/synthetic"));
    Cli.Result r = cli(args, TestS3.settings());
    assertEquals(0, r.code(), r.err());
    FileSystem fs = new Path("s3a://runway-datasets/").getFileSystem(TestS3.hadoop());
    try (InputStream in = fs.open(new Path("s3a://runway-datasets/synthetic/_SUCCESS"))) {
      Map<String, Object> success =
          Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      assertEquals(
          "magic", success.get("committer"), "S3A committers write a JSON _SUCCESS: " + success);
    }
    assertFalse(
        fs.exists(new Path("s3a://runway-datasets/synthetic/__magic")), "no pending uploads left");
  }

  @Test
  void anUnreachableEndpointExits5() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // free, and closed again: nothing listens there
    }
    List<String> storage = new ArrayList<>(TestS3.settings());
    storage.set(0, "storage.s3a.endpoint=\"http://127.0.0.1:" + port + "\"");
    // One retry, soon: S3A's default back-off only delays the failure under test by about 8 s.
    storage.add("storage.hadoop.\"fs.s3a.retry.limit\"=1");
    storage.add("storage.hadoop.\"fs.s3a.retry.interval\"=\"100ms\"");
    Cli.Result r = trainCars(
        "x", "s3a://runway-unreachable/cars.json", "s3a://runway-unreachable/runs", storage);
    assertEquals(5, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(
        r.err()
            .startsWith("error: Cannot reach the storage endpoint for s3a://runway-unreachable/"),
        r.err());
  }

  @Test
  void aMissingBucketExits5() {
    Cli.Result r = trainCars(
        "x",
        "s3a://runway-no-such-bucket/cars.json",
        "s3a://runway-no-such-bucket/runs",
        TestS3.settings());
    assertEquals(5, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("s3a://runway-no-such-bucket/"), r.err());
    assertTrue(r.err().contains("the bucket does not exist"), r.err());
  }

  @Test
  void refusedCredentialsExit5() throws Exception {
    TestS3.bucket("runway-denied");
    upload(TestData.require(TestData.CARS), "s3a://runway-denied/cars.json");
    List<String> storage = new ArrayList<>(TestS3.settings());
    storage.set(4, "storage.s3a.secret-key=not-the-secret");
    Cli.Result r =
        trainCars("x", "s3a://runway-denied/cars.json", "s3a://runway-denied/runs", storage);
    assertEquals(5, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("access denied"), r.err());
    assertFalse(r.err().contains("not-the-secret"), r.err());
  }
}
