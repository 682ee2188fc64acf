package dev.runway.job;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.sql.SparkSession;

/**
 * A listener that watches one span of a job's work: attached by {@link #start}, detached when
 * closed, so a try-with-resources block is exactly the span it sees.
 */
abstract class TaskWatch extends SparkListener implements AutoCloseable {
  final SparkSession spark;

  TaskWatch(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * Attaches a fully constructed watch: attaching in the constructor would let Spark's listener
   * thread call it before a subclass's fields exist.
   */
  static <T extends TaskWatch> T start(T watch) {
    watch.spark.sparkContext().addSparkListener(watch);
    return watch;
  }

  @Override
  public void close() {
    spark.sparkContext().removeSparkListener(this);
  }
}
