package dev.runway.datasets;

import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/** Labels the Spark jobs of a step, so the UI says what they are for instead of "parquet at". */
final class SparkJobs {
  private static final String DESCRIPTION = "spark.job.description";

  private SparkJobs() {}

  /** Runs {@code work} with the job description set, then restores the caller's description. */
  static <T> T described(SparkSession spark, String description, Supplier<T> work) {
    SparkContext context = spark.sparkContext();
    String previous = context.getLocalProperty(DESCRIPTION);
    context.setJobDescription(description);
    try {
      return work.get();
    } finally {
      context.setJobDescription(previous);
    }
  }
}
