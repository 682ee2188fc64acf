package dev.runway.error;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Out-of-memory failures, wherever they surface: in runway's own Spark tasks, on the driver, or
 * as an executor that Spark lost to one. Each becomes one line that says which memory ran out
 * and which setting gives more of it, and exit code {@link ExitCode#MEMORY}.
 */
public final class OutOfMemory extends RunwayException {
  private OutOfMemory(String message, Throwable cause) {
    super(ExitCode.MEMORY, message, cause);
  }

  /**
   * Runs the body of a Spark task, turning an {@link OutOfMemoryError} into an ordinary task
   * failure. Spark treats an Error in a task as fatal and exits the JVM (code 52), which in local
   * mode is the driver: the job would die without saying why. The failed task's memory is
   * garbage once it has thrown, so the driver can go on to report it.
   */
  public static <T> T inTask(Supplier<T> body) {
    try {
      return body.get();
    } catch (OutOfMemoryError e) {
      throw new TaskOutOfMemory(e);
    }
  }

  /** An OutOfMemoryError inside a task, carried to the driver as an ordinary exception. */
  public static final class TaskOutOfMemory extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TaskOutOfMemory(OutOfMemoryError e) {
      super("java.lang.OutOfMemoryError: " + e.getMessage());
    }
  }

  /** The failure as an out-of-memory one, if it is one anywhere in its chain of causes. */
  public static Optional<OutOfMemory> of(Throwable e, String step) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String text = t.getClass().getName() + ": " + t.getMessage();
      Optional<String> kind = kind(t instanceof OutOfMemoryError, text);
      if (kind.isPresent()) {
        return Optional.of(
            new OutOfMemory("Out of memory while trying to " + step + ": " + kind.get(), e));
      }
    }
    return Optional.empty();
  }

  /** What ran out and what to change, from an error's text; empty when it is no out-of-memory. */
  static Optional<String> kind(boolean isError, String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (t.contains("physical memory usage is too high")
        || t.contains("cannot allocate new")
        || t.contains("failed to allocate") && t.contains("bytes")
        || t.contains("direct buffer memory")) {
      return Optional.of("native memory (ND4J's off-heap arrays) ran out: raise the JVM option"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes (in RUNWAY_JVM_OPTS for scripts/run, which"
          + " sets the heap + 3 GB) with spark.executor.memoryOverhead on a cluster, or lower"
          + " train.batch-size");
    }
    boolean heap = t.contains("java heap space")
        || t.contains("gc overhead limit exceeded")
        || t.contains("requested array size exceeds");
    if (heap || isError || t.contains("outofmemoryerror")) {
      return Optional.of("the Java heap is full: give the driver more (RUNWAY_DRIVER_MEMORY for"
          + " scripts/run, default 4g; --driver-memory for spark-submit) or the executors more"
          + " (spark.executor.memory), or lower train.block-size");
    }
    if (t.contains("exit code 52")
        || t.contains("exited with code 52")
        || t.contains("exit status: 52")) {
      return Optional.of("an executor ran out of memory and was lost: raise spark.executor.memory"
          + " (and spark.executor.memoryOverhead), or lower train.block-size");
    }
    return Optional.empty();
  }
}
