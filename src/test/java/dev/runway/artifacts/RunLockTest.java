package dev.runway.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.error.StorageException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  @TempDir
  Path root;

  private RunDirectory run() {
    return RunDirectory.of(new Configuration(), root.toString(), "job", "r1");
  }

  @Test
  void aLiveClaimIsRefusedAndLeftIntact() {
    RunDirectory run = run();
    try (RunLock mine = RunLock.acquire(run)) {
      run.writeText("metrics.json", "{}");
      StorageException e = assertThrows(StorageException.class, () -> RunLock.acquire(run()));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "Run file:" + root + "/job/r1 is being written by another process (host "),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("): refusing to touch it"), e.getMessage());
      assertEquals("{}", run.readText("metrics.json"));
    }
    assertFalse(Files.exists(root.resolve("job/r1/" + RunDirectory.LOCK)), "released");
    RunLock.acquire(run()).close(); // free again
  }

  @Test
  void theClaimOfADeadProcessOnThisHostIsTakenOver() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path lock = Files.createDirectories(root.resolve("job/r1")).resolve(RunDirectory.LOCK);
    String host = InetAddress.getLocalHost().getHostName();
    Files.writeString(
        lock, Json.pretty(Map.of("host", host, "pid", gone.pid(), "since", "earlier")));
    RunLock.acquire(run()).close();
  }

  @Test
  void aClaimFromAnotherHostIsStaleOnlyWhenItsHeartbeatStopped() throws Exception {
    Path lock = Files.createDirectories(root.resolve("job/r1")).resolve(RunDirectory.LOCK);
    Files.writeString(lock, Json.pretty(Map.of("host", "elsewhere", "pid", 1, "since", "earlier")));
    assertThrows(StorageException.class, () -> RunLock.acquire(run()), "fresh heartbeat: alive");
    Files.setLastModifiedTime(
        lock, FileTime.from(Instant.now().minus(RunLock.STALE_AFTER).minusSeconds(5)));
    RunLock.acquire(run()).close();
  }

  @Test
  void theClaimIsNeverPartOfTheManifest() throws Exception {
    RunDirectory run = run();
    try (RunLock lock = RunLock.acquire(run)) {
      run.writeText("metrics.json", "{}");
      Map<String, Object> manifest = run.commit(Map.of());
      assertEquals(1, ((Number) manifest.get("file_count")).intValue());
    }
    assertEquals(List.of(), run.verify());
  }
}
