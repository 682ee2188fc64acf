package dev.runway.apply;

import dev.runway.data.InputFiles;
import dev.runway.error.DataException;
import dev.runway.job.Failures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.SparkSession;

/** Lineage facts shared by the commands that apply a run. */
public final class ApplyInputs {
  private ApplyInputs() {}

  /**
   * Fails (exit code 3) naming the input as the user gave it, before a reader would name it
   * {@code source.path}: for score and evaluate the path is {@code --input}.
   */
  public static void requireExists(SparkSession spark, String input) {
    Path path = new Path(input);
    boolean exists = Failures.guard(DataException::new, "check input " + input, () -> {
      try {
        return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    if (!exists) {
      throw new DataException(
          "Cannot read input " + input + " (--input): no such file or directory");
    }
  }

  /** The input's files with their sizes and, where the store has them, ETags. */
  public static Map<String, Object> describe(SparkSession spark, String input) {
    return Failures.guard(DataException::new, "list input files", () -> {
      try {
        return InputFiles.describe(spark.sparkContext().hadoopConfiguration(), input);
      } catch (IOException e) {
        throw new DataException("Cannot list input " + input + ": " + e.getMessage(), e);
      }
    });
  }

  /** The row count an observation saw, once the action that ran it has finished. */
  public static long rows(Observation observation) {
    try {
      return ((Number) observation.getAsJava().get("rows")).longValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading a row count", e);
    }
  }

  public static Map<String, Object> sparkFacts(SparkSession spark) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", spark.version());
    m.put("master", spark.sparkContext().master());
    m.put("application_id", spark.sparkContext().applicationId());
    return m;
  }
}
