package dev.runway.train;

import java.io.IOException;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A fitted Spark ML model, saved in Spark ML's own format. */
final class SparkMlModel implements TrainedModel {
  private final Model<?> model;
  private final Map<String, Object> summary;

  SparkMlModel(Model<?> model, Map<String, Object> summary) {
    this.model = model;
    this.summary = summary;
  }

  @Override
  public Dataset<Row> predict(Dataset<Row> features) {
    return model.transform(features);
  }

  @Override
  public void save(String directory) throws IOException {
    ((MLWritable) model).save(directory);
  }

  @Override
  public String format() {
    return "spark-ml:" + model.getClass().getSimpleName();
  }

  @Override
  public Map<String, Object> summary() {
    return summary;
  }
}
