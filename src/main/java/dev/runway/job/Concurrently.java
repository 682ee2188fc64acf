package dev.runway.job;

import dev.runway.error.TrainingException;
import dev.runway.train.nn.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.spark.SparkContext;

/**
 * Several fits at once, each submitting its own Spark jobs (the scheduler runs their tasks side
 * by side). Small fits are mostly latency: one at a time leaves cores idle between short jobs.
 */
final class Concurrently {
  private Concurrently() {}

  /**
   * {@code work} applied to every item, {@code threads} at a time, results in item order. Each
   * thread is a lane of its own ({@link Placement}): networks fitted side by side with fewer
   * workers than executors keep their blocks, and their tasks, on different executors.
   */
  static <T, R> List<R> map(SparkContext sc, List<T> items, int threads, Function<T, R> work) {
    if (threads <= 1 || items.size() <= 1) {
      return items.stream().map(work).toList();
    }
    int size = Math.min(threads, items.size());
    ExecutorService pool = Executors.newFixedThreadPool(size, Placement.lanes("runway-fit", size));
    try {
      List<Future<R>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> Placement.inLane(sc, () -> work.apply(item))));
      }
      List<R> out = new ArrayList<>();
      for (Future<R> f : futures) {
        out.add(await(f));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static <R> R await(Future<R> result) {
    try {
      return result.get();
    } catch (ExecutionException e) {
      // The fit's own exception, as if it had run on this thread (RunwayExceptions keep their
      // codes).
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new TrainingException("A concurrent fit failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrainingException("Interrupted while fitting", e);
    }
  }
}
