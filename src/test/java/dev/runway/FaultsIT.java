package dev.runway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected into real runs of real processes: the storage going away while a run is being
 * written, and the disk filling up. Either the job rides the fault out or it fails with exit 5
 * and one line; a run without its manifest is never mistaken for a finished one, and running the
 * same run id again afterwards commits a complete run.
 */
class FaultsIT {
  @TempDir
  Path tmp;

  private static List<String> trainCars(String runId, String root, List<String> more) {
    List<String> cmd = new ArrayList<>(List.of(
        "scripts/run",
        "train",
        "--job",
        "conf/jobs/cars-mpg.conf",
        "--master",
        "local[2]",
        "--run-id",
        runId,
        "--set=output.root=\"" + root + "\"",
        "--set=source.path=\"" + TestData.require(TestData.CARS) + "\""));
    more.forEach(s -> cmd.add("--set=" + s));
    return cmd;
  }

  /** The one error line of a storage failure (exit 5, nothing on stdout), which must say {@code cause}. */
  private static String storageError(Scripts.Result r, String cause) {
    assertEquals(5, r.code(), r.err());
    assertEquals("", r.out());
    List<String> errors =
        r.errLines().stream().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(
        errors.get(0).startsWith("error: Cannot ") && errors.get(0).contains(cause), r.err());
    return errors.get(0);
  }

  /**
   * Stops the S3 server the moment the job's write phase starts (job.conf is its first file),
   * checking that the run was not committed yet: otherwise the test would prove nothing.
   */
  private static void stopServerWhenWriting(Scripts.Started job, String bucket, String prefix)
      throws Exception {
    TestS3.awaitKey(bucket, prefix + "job.conf", job.process());
    TestS3.stop();
    if (TestS3.keys(bucket, prefix).contains(prefix + RunDirectory.MANIFEST)) {
      TestS3.restart();
      throw new AssertionError("the run was committed before the server went away");
    }
  }

  /** A committed run on S3 whose every file reads back as its manifest says. */
  private static void assertCommittedAndVerified(Scripts.Result r) throws Exception {
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out().strip());
    assertEquals("committed", line.get("status"));
    assertEquals(
        List.of(),
        RunDirectory.at(TestS3.hadoop(), (String) line.get("run_uri")).verify());
  }

  @Test
  void theS3ServerStoppingWhileARunIsWrittenLeavesNoManifestAndARerunCommits() throws Exception {
    TestS3.bucket("fault-runs");
    String prefix = "runs/cars-mpg/outage/";
    // The outage is permanent here: S3A's retries only delay the failure this test waits for
    // (about 40 s of back-off across the run's file operations with reference.conf's settings).
    // The short outage below is ridden out with those settings.
    List<String> settings = new ArrayList<>(TestS3.settings());
    settings.add("storage.hadoop.\"fs.s3a.retry.limit\"=1");
    settings.add("storage.hadoop.\"fs.s3a.retry.interval\"=\"100ms\"");
    List<String> cmd = trainCars("outage", "s3a://fault-runs/runs", settings);
    Scripts.Started job = Scripts.start(Map.of(), cmd.toArray(String[]::new));

    stopServerWhenWriting(job, "fault-runs", prefix);
    long stopped = System.nanoTime();
    Scripts.Result failed;
    try {
      failed = job.await();
      System.out.printf(
          "S3 outage while writing: the job failed %.1f s after the server stopped%n",
          (System.nanoTime() - stopped) / 1e9);
    } finally {
      TestS3.restart();
    }
    String error = storageError(
        // Which write meets the outage first decides the wording: a Spark writer's failure
        // reads "... the storage endpoint cannot be reached", a file of the run's own
        // "Cannot reach the storage endpoint for <file>"; both name the endpoint.
        failed, "the storage endpoint");
    List<String> left = TestS3.keys("fault-runs", prefix);
    assertFalse(
        left.contains(prefix + RunDirectory.MANIFEST), "no manifest for a partial run: " + left);
    System.out.println("S3 outage while writing: " + error + "; left behind, uncommitted: " + left);

    // The server is back: the same run id redoes the leftover (its owner is gone) and commits.
    assertCommittedAndVerified(Scripts.run(cmd.toArray(String[]::new)));
  }

  @Test
  void aShortS3OutageWhileARunIsWrittenIsRiddenOutByRetries() throws Exception {
    TestS3.bucket("blip-runs");
    String prefix = "runs/cars-mpg/blip/";
    Scripts.Started job = Scripts.start(
        Map.of(),
        trainCars("blip", "s3a://blip-runs/runs", TestS3.settings()).toArray(String[]::new));
    stopServerWhenWriting(job, "blip-runs", prefix);
    try {
      Thread.sleep(3000); // S3A retries connection failures with back-off (fs.s3a.retry.*)
    } finally {
      TestS3.restart();
    }
    assertCommittedAndVerified(job.await());
  }

  @Test
  void aFullDiskFailsWithExit5AndLeavesNothing() throws Exception {
    // A 128 KiB file system: a cars run takes about 300 KiB of disk (64 files).
    Path small = Files.createDirectories(tmp.resolve("small-disk"));
    Process mount = new ProcessBuilder(
            "mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", small.toString())
        .redirectErrorStream(true)
        .start();
    String mountOutput = new String(mount.getInputStream().readAllBytes());
    Assumptions.assumeTrue(
        mount.waitFor() == 0, "mounting a tmpfs needs root (CI runs as root): " + mountOutput);
    try {
      Scripts.Result r =
          Scripts.run(trainCars("full", small.toString(), List.of()).toArray(String[]::new));
      String error = storageError(r, "no space left (disk full or quota exceeded: ");
      assertFalse(Files.exists(small.resolve("cars-mpg/full")), "the failed run is removed");
      System.out.println("Disk full: " + error);
    } finally {
      new ProcessBuilder("umount", small.toString()).start().waitFor();
    }
  }
}
