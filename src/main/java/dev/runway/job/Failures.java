package dev.runway.job;

import dev.runway.error.Messages;
import dev.runway.error.OutOfMemory;
import dev.runway.error.RunwayException;
import dev.runway.error.StorageErrors;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/** Decides what kind of failure an unexpected exception in a step is. */
public final class Failures {
  private Failures() {}

  /**
   * Runs a step, turning an unexpected exception into the kind of failure the step stands for
   * (its message the first line of the root cause); our own exceptions pass through.
   */
  public static <T> T guard(
      BiFunction<String, Throwable, RunwayException> kind, String step, Supplier<T> work) {
    try {
      return work.get();
    } catch (RunwayException e) {
      throw e;
    } catch (OutOfMemoryError e) {
      // The allocation that failed is garbage now: there is memory enough to report it.
      throw OutOfMemory.of(e, step).orElseThrow();
    } catch (Exception e) {
      Optional<OutOfMemory> memory = OutOfMemory.of(e, step);
      if (memory.isPresent()) {
        throw memory.get();
      }
      // Exception, not RuntimeException: Scala code throws SparkException, a checked exception
      // that Java cannot name in a catch of code that does not declare it. A storage failure is
      // one whatever step met it (an executor reading a missing bucket, say).
      throw StorageErrors.duringStep(e, step)
          .map(RunwayException.class::cast)
          .orElseGet(() -> kind.apply("Cannot " + step + ": " + Messages.rootLine(e), e));
    }
  }
}
