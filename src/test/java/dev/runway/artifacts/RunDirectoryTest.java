package dev.runway.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.error.JobConfigException;
import dev.runway.error.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
  @TempDir
  Path root;

  private RunDirectory run() {
    return RunDirectory.of(new Configuration(), root.toString(), "job", "r1");
  }

  private RunDirectory written() throws IOException {
    RunDirectory run = run();
    run.writeText("metrics.json", "{\"a\": 1}\n");
    Path model = root.resolve("job/r1/model");
    Files.createDirectories(model);
    Files.write(model.resolve("weights.bin"), new byte[] {1, 2, 3});
    return run;
  }

  @Test
  void manifestListsEveryFileWithSizeAndSha256AndIsWrittenLast() throws Exception {
    RunDirectory run = written();
    assertTrue(run.exists());
    assertFalse(run.committed(), "no manifest yet: incomplete");
    Map<String, Object> manifest = run.commit(Map.of("job", "job", "run_id", "r1"));
    assertTrue(run.committed());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> files = (List<Map<String, Object>>) manifest.get("files");
    Map<String, Object> weights = files.stream()
        .filter(f -> f.get("path").equals("model/weights.bin"))
        .findFirst()
        .orElseThrow();
    assertEquals(3L, ((Number) weights.get("size")).longValue());
    assertEquals(sha256(new byte[] {1, 2, 3}), weights.get("sha256"));
    assertTrue(files.stream().anyMatch(f -> f.get("path").equals("metrics.json")));
    assertTrue(files.stream().noneMatch(f -> f.get("path").equals(RunDirectory.MANIFEST)));
    assertEquals(List.of(), run.verify());
    assertEquals(manifest.get("file_count"), run.manifest().get("file_count"));
  }

  @Test
  void verifyFindsChangedMissingAndExtraFiles() throws Exception {
    RunDirectory run = written();
    run.commit(Map.of());
    Path weights = root.resolve("job/r1/model/weights.bin");
    Files.write(weights, new byte[] {1, 2, 4});
    assertEquals(List.of("SHA-256 of model/weights.bin does not match the manifest"), run.verify());
    Files.write(weights, new byte[] {1, 2});
    assertEquals(List.of("size of model/weights.bin is 2, manifest says 3"), run.verify());
    Files.delete(weights);
    Files.writeString(root.resolve("job/r1/model/other.bin"), "x");
    assertEquals(
        List.of("missing file model/weights.bin", "file not in the manifest: model/other.bin"),
        run.verify());
  }

  @Test
  void anUncommittedRunIsNotValid() throws Exception {
    RunDirectory run = written();
    assertEquals(1, run.verify().size());
    assertTrue(
        run.verify().get(0).contains("the run is incomplete"), run.verify().get(0));
  }

  @Test
  void deleteRemovesEverything() throws Exception {
    RunDirectory run = written();
    run.commit(Map.of());
    run.delete();
    assertFalse(run.exists());
    assertFalse(run.committed());
  }

  @Test
  void aFailedFirstRunOfANewJobLeavesNoJobDirectory() throws Exception {
    RunDirectory first = run();
    first.writeText("metrics.json", "{}");
    first.deleteAllBut("checkpoints");
    first.deleteIfEmpty();
    assertFalse(Files.exists(root.resolve("job")), "the job directory this run made is gone");
    assertTrue(Files.exists(root), "the output root is not the run's to remove");
  }

  @Test
  void aJobDirectoryThatWasThereBeforeTheRunStays() throws Exception {
    Files.createDirectories(root.resolve("job"));
    RunDirectory run = run();
    run.writeText("metrics.json", "{}");
    run.deleteAllBut("checkpoints");
    run.deleteIfEmpty();
    assertFalse(Files.exists(root.resolve("job/r1")));
    assertTrue(Files.exists(root.resolve("job")), "it was empty, but not this run's");

    // A new job whose directory another run fills meanwhile: non-recursive, it stays.
    RunDirectory first = RunDirectory.of(new Configuration(), root.toString(), "other", "r1");
    first.writeText("metrics.json", "{}");
    RunDirectory.of(new Configuration(), root.toString(), "other", "r2")
        .writeText("metrics.json", "{}");
    first.deleteAllBut("checkpoints");
    first.deleteIfEmpty();
    assertFalse(Files.exists(root.resolve("other/r1")));
    assertTrue(Files.exists(root.resolve("other/r2/metrics.json")));
  }

  @Test
  void filesAreNeverOverwritten() throws Exception {
    RunDirectory run = written();
    StorageException e =
        assertThrows(StorageException.class, () -> run.writeText("metrics.json", "{}"));
    assertTrue(
        e.getMessage().startsWith("Cannot write file:" + root + "/job/r1/metrics.json: "),
        e.getMessage());
    assertEquals("{\"a\": 1}\n", run.readText("metrics.json"));
  }

  @Test
  void runIdsSortByTimeAndUnsafeOnesAreRefused() {
    String a = RunIds.generate(Instant.parse("2026-01-02T03:04:05Z"));
    String b = RunIds.generate(Instant.parse("2026-01-02T03:04:06Z"));
    assertTrue(a.startsWith("20260102T030405Z-"), a);
    assertTrue(a.compareTo(b) < 0);
    assertEquals("scheduled__2026-11-27T00_00_00", RunIds.check("scheduled__2026-11-27T00_00_00"));
    for (String bad : List.of("../x", "a/b", "", "run:1", "-x")) {
      assertThrows(JobConfigException.class, () -> RunIds.check(bad), bad);
    }
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
