package dev.runway.train.nn;

import dev.runway.train.TrainingData;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.SparkSession;

/**
 * What every engine derives from the job and the data before training: the worker count, the
 * network's input and output sizes, and the network configuration as JSON (what workers build
 * their networks from).
 */
record EngineSetup(JavaSparkContext jsc, int workers, int nIn, int nOut, String configurationJson) {

  static EngineSetup of(SparkSession spark, NetworkSpec spec, TrainSettings settings, TrainingData data) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int workers = settings.workers() > 0 ? settings.workers() : jsc.defaultParallelism();
    int nIn = data.train().first().<Vector>getAs(0).size();
    return new EngineSetup(jsc, workers, nIn, NetworkSpec.outputs(data.target()),
        spec.configuration(nIn, data.target(), data.seed()).toJson());
  }
}
