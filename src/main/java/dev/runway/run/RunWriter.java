package dev.runway.run;

import dev.runway.artifacts.RunDirectory;
import dev.runway.artifacts.RunLock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of every committed output (a training run, scores, an evaluation): one place that
 * decides what happens to what is already at the location, claims it, writes it and commits it
 * with its manifest last, so that every command has the same idempotency, the same failure
 * cleanup and the same exit codes.
 *
 * <ul>
 *   <li>An output that is already committed is left alone and reported as such (a scheduler's
 *       retry is a no-op), unless {@code overwrite}: then its manifest goes first, so readers
 *       never see a half-deleted output.
 *   <li>An uncommitted leftover of an earlier attempt is removed and redone; with {@code resume}
 *       the kept sub-directory (a training run's checkpoints) survives for the new attempt.
 *   <li>While it writes, the output is claimed (see {@link RunLock}): a second process refuses
 *       (exit code 5) instead of deleting what the first one writes.
 *   <li>On failure nothing committed is left: everything but the kept sub-directory goes, and an
 *       output directory left empty is removed (with its job directory if the run created it).
 * </ul>
 */
public final class RunWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RunWriter.class);

  private final RunDirectory dir;
  private final String what;
  private final String keep;

  private RunWriter(RunDirectory dir, String what, String keep) {
    this.dir = dir;
    this.what = what;
    this.keep = keep;
  }

  /** A writer of the output at {@code dir}; {@code what} names it in messages ("run", "scores"). */
  public static RunWriter of(RunDirectory dir, String what) {
    return new RunWriter(dir, what, null);
  }

  /**
   * Keeps sub-directory {@code name} across a failed attempt, for {@code resume}; it is removed
   * before the commit (what it holds only serves an unfinished output).
   */
  public RunWriter keeping(String name) {
    return new RunWriter(dir, what, name);
  }

  public RunDirectory directory() {
    return dir;
  }

  /**
   * The directory, if it holds a committed output that {@link #write} would leave alone (no
   * {@code overwrite}): a retry's answer is then read from it, before anything else starts.
   */
  public Optional<RunDirectory> committed(boolean overwrite) {
    if (overwrite || !dir.committed()) {
      return Optional.empty();
    }
    LOG.info("The {} at {} is already committed: nothing to do", what, dir.uri());
    return Optional.of(dir);
  }

  /** What the body writes: the manifest's header, and the caller's own result. */
  public record Commit<T>(ManifestHeader header, T value) {}

  /**
   * How a write ended: {@code value} is null when the output was already committed and left
   * alone; {@code manifest} is the manifest as committed, either way.
   */
  public record Outcome<T>(boolean alreadyCommitted, T value, Map<String, Object> manifest) {
    public String status() {
      return alreadyCommitted ? "already-committed" : "committed";
    }
  }

  /**
   * Writes and commits the output with {@code body}, which fills the (claimed, clean) directory
   * and returns the manifest header. The manifest is written after the body returns.
   */
  public <T> Outcome<T> write(
      boolean overwrite, boolean resume, Function<RunDirectory, Commit<T>> body) {
    if (committed(overwrite).isPresent()) {
      return new Outcome<>(true, null, dir.manifest());
    }
    RunLock lock = RunLock.acquire(dir);
    try {
      if (dir.committed()) {
        LOG.info("--overwrite: removing the committed {} at {}", what, dir.uri());
        dir.delete(RunDirectory.MANIFEST);
        clean(false);
      } else if (resume && keep != null && dir.has(keep)) {
        LOG.info("Resuming the {} at {} from {}/", what, dir.uri(), keep);
        clean(true);
      } else {
        if (resume) {
          LOG.info("Nothing to resume at {}: starting the {}", dir.uri(), what);
        }
        clean(false);
      }
      Commit<T> done = body.apply(dir);
      if (keep != null) {
        dir.delete(keep);
      }
      Map<String, Object> manifest = dir.commit(done.header().toMap());
      LOG.info("Committed the {} at {}", what, dir.uri());
      return new Outcome<>(false, done.value(), manifest);
    } catch (RuntimeException e) {
      try {
        if (!dir.committed()) {
          clean(true);
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    } finally {
      lock.close();
      dir.deleteIfEmpty();
    }
  }

  /** Removes everything but the claim, and but the kept sub-directory when {@code keepIt}. */
  private void clean(boolean keepIt) {
    String spared = keep == null ? RunDirectory.LOCK : keep;
    dir.deleteAllBut(spared);
    if (!keepIt && keep != null) {
      dir.delete(keep);
    }
  }
}
