package dev.runway.train;

import dev.runway.error.JobConfigException;
import dev.runway.train.nn.NetworkModels;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.sql.SparkSession;

/**
 * Loads a saved model back by the format its run's manifest records ({@link TrainedModel#format()}):
 * the Spark ML class, or the Deeplearning4j network. One entry per format a trainer can write, so
 * a format nobody can read is refused by name instead of guessed at.
 */
public final class ModelLoader {
  private static final Map<String, Function<String, Model<?>>> SPARK_ML = Map.of(
      "spark-ml:LogisticRegressionModel", LogisticRegressionModel::load,
      "spark-ml:LinearRegressionModel", LinearRegressionModel::load,
      "spark-ml:RandomForestClassificationModel", RandomForestClassificationModel::load,
      "spark-ml:RandomForestRegressionModel", RandomForestRegressionModel::load,
      "spark-ml:GBTClassificationModel", GBTClassificationModel::load,
      "spark-ml:GBTRegressionModel", GBTRegressionModel::load);

  private ModelLoader() {}

  /**
   * The model saved under {@code directory} in {@code format}.
   *
   * @param classification whether the run's target is a classification (networks need it to name
   *     their outputs)
   * @param scoringBatch rows per minibatch when a network scores
   */
  public static TrainedModel load(
      SparkSession spark,
      String format,
      String directory,
      boolean classification,
      int scoringBatch) {
    Function<String, Model<?>> sparkMl = SPARK_ML.get(format);
    if (sparkMl != null) {
      return new SparkMlModel(sparkMl.apply(directory), Map.of());
    }
    if (NetworkModels.FORMAT.equals(format)) {
      return NetworkModels.load(spark, directory, classification, scoringBatch);
    }
    throw new JobConfigException(
        "Cannot load a model of format '" + format + "': this runway reads "
            + String.join(", ", new TreeSet<>(SPARK_ML.keySet())) + " and " + NetworkModels.FORMAT);
  }
}
