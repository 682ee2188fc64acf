package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runway.TestSpark;
import dev.runway.error.JobConfigException;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import dev.runway.train.Checkpoints;
import dev.runway.train.TrainingData;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import dev.runway.train.nn.NetworkSpec.LrSchedule;
import dev.runway.train.nn.NetworkSpec.Updater;
import dev.runway.train.nn.TrainSettings.Engine;
import dev.runway.train.nn.TrainSettings.StopMetric;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The pre-flight checks that need the training rows: workers against the data. */
class EngineSetupTest {
  private static TrainSettings workers(int n) {
    return new TrainSettings(
        Engine.PARAMETER_AVERAGING,
        n,
        128,
        20,
        1,
        StopMetric.VALIDATION_LOSS,
        0,
        32L << 20,
        0,
        TrainSettings.Aggregation.AUTO,
        0,
        1_000,
        Augmentation.NONE);
  }

  @Test
  void moreWorkersThanTrainingRowsIsRefused() {
    JobConfigException e =
        assertThrows(JobConfigException.class, () -> EngineSetup.workers(workers(8), 8, 5));
    assertEquals(
        "Cannot train with train.workers = 8 on 5 training rows: some workers would have none;"
            + " set train.workers to at most 5",
        e.getMessage());
  }

  @Test
  void defaultWorkersFollowTheSlotsButNeverExceedTheRows() {
    assertEquals(4, EngineSetup.workers(workers(0), 4, 60_000));
    assertEquals(3, EngineSetup.workers(workers(0), 4, 3));
    assertEquals(
        6,
        EngineSetup.workers(workers(6), 4, 60_000),
        "explicit workers above the slots: a warning only");
  }

  @Test
  void aSmallTableGetsSmallerMinibatchesSoEveryWorkerTakesEnoughSteps() {
    TrainSettings tenSteps = new TrainSettings(
        Engine.PARAMETER_AVERAGING,
        2,
        128,
        20,
        1,
        StopMetric.VALIDATION_LOSS,
        0,
        32L << 20,
        10,
        TrainSettings.Aggregation.AUTO,
        0,
        1_000,
        Augmentation.NONE);
    assertEquals(
        128, EngineSetup.batchSize(tenSteps, 2, 1_000_000), "a large table keeps train.batch-size");
    assertEquals(128, EngineSetup.batchSize(tenSteps, 2, 2 * 128 * 10));
    assertEquals(
        61,
        EngineSetup.batchSize(tenSteps, 2, 1_220),
        "1,220 rows, 2 workers: 10 steps of 61 each");
    assertEquals(1, EngineSetup.batchSize(tenSteps, 2, 7), "never below one row");
    assertEquals(
        128, EngineSetup.batchSize(workers(2), 2, 1_220), "min-batches = 0 keeps the batch as set");
  }

  /**
   * A job that prepared its data knows its training rows and vector size; the engine takes them
   * from it instead of a count and a first row (two Spark jobs before every training's first
   * step), and derives the same setup.
   */
  @Test
  void knownSizesStartNoSparkJobAndGiveTheCountedSetup() {
    SparkSession spark = TestSpark.session();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(RowFactory.create(Vectors.dense(i, -i, i % 7), (double) (i % 2)));
    }
    Dataset<Row> train = spark.createDataFrame(
        rows,
        new StructType()
            .add(Columns.FEATURES, SQLDataTypes.VectorType())
            .add(Columns.LABEL, DataTypes.DoubleType));
    TrainingData data = new TrainingData(
        train,
        train.limit(0),
        new Target("y", true, List.of("0", "1"), false),
        3,
        Checkpoints.NONE);
    NetworkSpec spec = NetworkSpec.dense(
        List.of(4), HiddenActivation.TANH, 0, 0, Updater.ADAM, 0.01, 0.9, LrSchedule.NONE, 0.5, 5);
    EngineSetup counted = EngineSetup.of(spark, spec, workers(2), data);

    String group = "engine-setup-known-sizes";
    spark.sparkContext().setJobGroup(group, "", false);
    EngineSetup known;
    try {
      known = EngineSetup.of(spark, spec, workers(2), data.sized(300, 3));
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    assertEquals(0, spark.sparkContext().statusTracker().getJobIdsForGroup(group).length);
    assertEquals(300, counted.trainRows());
    assertEquals(3, counted.nIn());
    assertEquals(counted.trainRows(), known.trainRows());
    assertEquals(counted.nIn(), known.nIn());
    assertEquals(counted.batchSize(), known.batchSize());
    assertEquals(counted.configurationJson(), known.configurationJson());
  }
}
