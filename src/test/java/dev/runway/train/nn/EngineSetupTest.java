package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runway.error.JobConfigException;
import dev.runway.train.nn.TrainSettings.Engine;
import dev.runway.train.nn.TrainSettings.StopMetric;
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
}
