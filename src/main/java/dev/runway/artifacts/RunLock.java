package dev.runway.artifacts;

import dev.runway.error.StorageException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim of one process on an uncommitted run: a small file, {@value RunDirectory#LOCK}, in the
 * run directory, naming its owner and refreshed every {@link #HEARTBEAT}. A second process that
 * finds a live claim refuses the run instead of "cleaning up" the first one's work. A claim is
 * stale, and may be taken over, when its owner was a process on this host that no longer exists
 * (a killed driver resumed at once), or when it has not been refreshed for {@link #STALE_AFTER}.
 *
 * <p>Creating the file fails if it exists on HDFS and local disks; S3 checks and writes in two
 * requests, so two drivers started within milliseconds of each other could both win there.
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);
  static final Duration HEARTBEAT = Duration.ofSeconds(10);
  static final Duration STALE_AFTER = Duration.ofSeconds(90);

  private final RunDirectory run;
  private final Map<String, Object> owner;
  private final ScheduledExecutorService heartbeat;

  private RunLock(RunDirectory run, Map<String, Object> owner) {
    this.run = run;
    this.owner = owner;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "runway-run-lock-heartbeat");
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleAtFixedRate(
        this::refresh, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Claims {@code run} for this process, taking over a stale claim; refuses a live one. */
  public static RunLock acquire(RunDirectory run) {
    Map<String, Object> me = new LinkedHashMap<>();
    me.put("host", hostName());
    me.put("pid", ProcessHandle.current().pid());
    me.put("since", Instant.now().toString());
    Optional<RunDirectory.Stamped> held = run.readLock();
    if (held.isPresent()) {
      Map<String, Object> other = held.get().content();
      if (!stale(other, held.get().modified())) {
        throw new StorageException(
            "Run " + run.uri() + " is being written by another process (host "
                + other.get("host") + ", pid " + other.get("pid") + ", since " + other.get("since")
                + "): refusing to touch it");
      }
      LOG.info(
          "Taking over the stale claim on {} of host {} pid {}",
          run.uri(),
          other.get("host"),
          other.get("pid"));
      run.deleteLock();
    }
    if (!run.createLock(Json.pretty(me))) {
      throw new StorageException("Run " + run.uri()
          + " was claimed by another process a moment ago: refusing to touch it");
    }
    return new RunLock(run, me);
  }

  static boolean stale(Map<String, Object> owner, Instant modified) {
    boolean sameHost = hostName().equals(owner.get("host"));
    if (sameHost && owner.get("pid") instanceof Number pid) {
      return ProcessHandle.of(pid.longValue()).map(p -> !p.isAlive()).orElse(true);
    }
    return modified.isBefore(Instant.now().minus(STALE_AFTER));
  }

  private void refresh() {
    try {
      run.rewriteLock(Json.pretty(owner));
    } catch (RuntimeException e) {
      LOG.warn("Cannot refresh the claim on {}: {}", run.uri(), e.getMessage());
    }
  }

  /** Gives the run up (after its commit, or on failure). */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      run.deleteLock();
    } catch (RuntimeException e) {
      LOG.warn("Cannot remove the claim on {}: {}", run.uri(), e.getMessage());
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
