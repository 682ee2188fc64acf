package dev.runway.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.job.Failures;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Every out-of-memory becomes one line naming what ran out and what to raise, and exit 52. */
class OutOfMemoryTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void anOutOfMemoryErrorInATaskFailsTheStepWithoutKillingTheJvm() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // A real OutOfMemoryError, thrown by the JVM, without filling this test JVM's heap. Spark
    // would exit the JVM (local mode: this one) on an Error escaping a task; inTask prevents it.
    OutOfMemory e = assertThrows(
        OutOfMemory.class,
        () -> Failures.guard(
            TrainingException::new,
            "train neural-network",
            () -> jsc.parallelize(List.of(1, 2), 2)
                .map(i -> OutOfMemory.inTask(() -> new long[Integer.MAX_VALUE - i].length))
                .collect()));
    assertEquals(ExitCode.MEMORY, e.exitCode());
    assertEquals(52, e.exitCode().code());
    assertTrue(
        e.getMessage()
            .startsWith("Out of memory while trying to train neural-network: the Java heap is full:"
                + " give the driver more (RUNWAY_DRIVER_MEMORY"),
        e.getMessage());
    assertTrue(e.getMessage().contains("spark.executor.memory")
        && e.getMessage().contains("train.block-size"));
    assertEquals(1, e.getMessage().lines().count(), "one line");
    // The JVM and its session are alive and well.
    assertEquals(3, jsc.parallelize(List.of(1, 2), 2).reduce(Integer::sum));
  }

  @Test
  void anOutOfMemoryErrorOnTheDriverIsReportedTheSameWay() {
    OutOfMemory e = assertThrows(
        OutOfMemory.class,
        () -> Failures.guard(
            DataException::new, "build feature vectors", () -> new long[Integer.MAX_VALUE].length));
    assertTrue(
        e.getMessage()
            .startsWith(
                "Out of memory while trying to build feature vectors: the Java heap is full"),
        e.getMessage());
  }

  @Test
  void whatRanOutIsToldFromTheFailuresText() {
    assertTrue(OutOfMemory.kind(
            false,
            "java.lang.OutOfMemoryError: Physical memory usage is too high:"
                + " physicalBytes (2G) > maxPhysicalBytes (2G)")
        .orElseThrow()
        .startsWith("native memory (ND4J's off-heap"
            + " arrays) ran out: raise the JVM option -Dorg.bytedeco.javacpp.maxphysicalbytes"));
    assertTrue(OutOfMemory.kind(
            false,
            "org.apache.spark.SparkException: Job aborted due to stage failure:"
                + " ExecutorLostFailure (executor 1 exited caused by one of the running tasks) Reason: Command exited"
                + " with code 52")
        .orElseThrow()
        .startsWith(
            "an executor ran out of memory and was lost: raise" + " spark.executor.memory"));
    assertTrue(OutOfMemory.kind(false, "GC overhead limit exceeded")
        .orElseThrow()
        .startsWith("the Java heap is full"));
    assertTrue(OutOfMemory.kind(false, "java.io.FileNotFoundException: /data/x.parquet")
        .isEmpty());
    assertTrue(
        OutOfMemory.of(new RuntimeException("wrapper", new IllegalStateException("no rows")), "x")
            .isEmpty());
  }
}
