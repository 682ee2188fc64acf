package dev.runway.train;

import dev.runway.features.Columns;
import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A fitted model: applies to feature vectors and saves itself into a run directory. */
public interface TrainedModel {
  /**
   * Adds {@link Columns#PREDICTION}, and for classifiers {@link Columns#PROBABILITY} and
   * {@link Columns#RAW}.
   */
  Dataset<Row> predict(Dataset<Row> features);

  /** Writes the model under {@code directory} (a Hadoop URI that does not exist yet). */
  void save(String directory) throws IOException;

  /** Format of what {@link #save} writes, e.g. "spark-ml", recorded in the manifest. */
  String format();

  /** Facts about the fit worth keeping in metrics.json (iterations, loss history...). */
  Map<String, Object> summary();

  /**
   * When the first training step began (epoch milliseconds), for trainers that know it: how long
   * a user waits from starting the job to seeing it train.
   */
  default OptionalLong firstStepAtMillis() {
    return OptionalLong.empty();
  }
}
