package dev.runway.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.artifacts.RunDirectory;
import dev.runway.artifacts.RunLock;
import dev.runway.error.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle every committed output shares (train, score, evaluate), proved once on the local
 * file system without Spark: what the commands' own tests then only need to show they go through.
 */
class RunWriterTest {
  @TempDir
  Path root;

  private RunDirectory dir() {
    return RunDirectory.of(new Configuration(), root.toString(), "job", "r1");
  }

  private static RunWriter.Commit<String> writes(RunDirectory d, String content) {
    d.writeText("result.txt", content);
    return new RunWriter.Commit<>(
        ManifestHeader.derived(ManifestHeader.SCORES, "job", "r1"), content);
  }

  @Test
  void theBodyWritesAndTheManifestCommitsLastWithItsHeader() {
    RunWriter.Outcome<String> out = RunWriter.of(dir(), "scores").write(false, false, d -> {
      assertFalse(d.committed(), "no manifest while the body writes");
      assertTrue(
          Files.exists(root.resolve("job/r1/" + RunDirectory.LOCK)), "claimed while it writes");
      return writes(d, "first");
    });
    assertFalse(out.alreadyCommitted());
    assertEquals("committed", out.status());
    assertEquals("first", out.value());
    assertEquals(ManifestHeader.SCORES, out.manifest().get("format"));
    assertEquals("r1", out.manifest().get("run_id"));
    assertEquals(List.of(), dir().verify());
    assertFalse(
        Files.exists(root.resolve("job/r1/" + RunDirectory.LOCK)),
        "the claim goes after the commit");
  }

  @Test
  void aCommittedOutputIsANoOpUnlessOverwriteWhichReplacesIt() throws Exception {
    assertTrue(RunWriter.of(dir(), "scores").committed(false).isEmpty(), "nothing there yet");
    RunWriter.of(dir(), "scores").write(false, false, d -> writes(d, "first"));
    // What a retry is answered from before anything starts, and not with --overwrite.
    assertEquals(
        dir().uri(),
        RunWriter.of(dir(), "scores").committed(false).orElseThrow().uri());
    assertTrue(RunWriter.of(dir(), "scores").committed(true).isEmpty());
    AtomicInteger calls = new AtomicInteger();
    RunWriter.Outcome<String> again = RunWriter.of(dir(), "scores").write(false, false, d -> {
      calls.incrementAndGet();
      return writes(d, "second");
    });
    assertTrue(again.alreadyCommitted());
    assertEquals("already-committed", again.status());
    assertNull(again.value());
    assertEquals(0, calls.get(), "the body does not run");
    assertEquals("first", Files.readString(root.resolve("job/r1/result.txt")));

    RunWriter.Outcome<String> replaced = RunWriter.of(dir(), "scores").write(true, false, d -> {
      assertFalse(
          Files.exists(root.resolve("job/r1/result.txt")),
          "the old output is gone before the body runs");
      return writes(d, "second");
    });
    assertEquals("second", replaced.value());
    assertEquals("second", Files.readString(root.resolve("job/r1/result.txt")));
    assertEquals(List.of(), dir().verify());
  }

  @Test
  void anUncommittedLeftoverIsRemovedAndRedone() throws Exception {
    Files.createDirectories(root.resolve("job/r1/part"));
    Files.writeString(root.resolve("job/r1/part/stale.bin"), "half");
    RunWriter.of(dir(), "scores").write(false, false, d -> {
      assertFalse(Files.exists(root.resolve("job/r1/part")), "the leftover is removed first");
      return writes(d, "fresh");
    });
    assertEquals(List.of(), dir().verify(), "nothing of the leftover is in the committed output");
  }

  @Test
  void aFailureLeavesNothingVisibleButTheKeptDirectoryForResume() throws Exception {
    RuntimeException boom = new IllegalStateException("boom");
    RuntimeException thrown = assertThrows(
        IllegalStateException.class,
        () -> RunWriter.of(dir(), "run").keeping("checkpoints").write(false, false, d -> {
          d.writeText("metrics.json", "{}");
          d.writeBytes("checkpoints/epoch", new byte[] {1});
          throw boom;
        }));
    assertEquals(boom, thrown);
    assertFalse(dir().committed());
    assertFalse(
        Files.exists(root.resolve("job/r1/metrics.json")), "what the body wrote is removed");
    assertTrue(
        Files.exists(root.resolve("job/r1/checkpoints/epoch")), "checkpoints stay for --resume");

    // resume keeps them for the body; the commit then removes them
    RunWriter.of(dir(), "run").keeping("checkpoints").write(false, true, d -> {
      assertTrue(d.has("checkpoints/epoch"), "resume sees the checkpoints");
      return writes(d, "resumed");
    });
    assertFalse(Files.exists(root.resolve("job/r1/checkpoints")), "checkpoints go at the commit");
    assertEquals(List.of(), dir().verify());
  }

  @Test
  void withoutResumeAnAttemptStartsFromNothing() throws Exception {
    Files.createDirectories(root.resolve("job/r1/checkpoints"));
    Files.writeString(root.resolve("job/r1/checkpoints/epoch"), "old");
    RunWriter.of(dir(), "run").keeping("checkpoints").write(false, false, d -> {
      assertFalse(d.has("checkpoints"), "old checkpoints are not resumed from");
      return writes(d, "fresh");
    });
  }

  @Test
  void aFailedFirstOutputOfANewJobLeavesNoDirectoryBehind() {
    assertThrows(
        IllegalStateException.class,
        () -> RunWriter.of(dir(), "scores").write(false, false, d -> {
          d.writeText("result.txt", "partial");
          throw new IllegalStateException("boom");
        }));
    assertFalse(
        Files.exists(root.resolve("job")), "neither the output nor its new job directory remains");
  }

  @Test
  void aSecondWriterIsRefusedWhileTheFirstHoldsTheClaim() {
    RunDirectory d = dir();
    try (RunLock held = RunLock.acquire(d)) {
      // Claimed by this very process: a live claim, so a second writer refuses (exit code 5).
      assertThrows(
          StorageException.class,
          () -> RunWriter.of(dir(), "scores").write(false, false, x -> writes(x, "second")));
    }
  }
}
