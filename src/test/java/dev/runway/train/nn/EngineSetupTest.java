package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runway.error.JobConfigException;
import org.junit.jupiter.api.Test;

/** The pre-flight checks that need the training rows: workers against the data. */
class EngineSetupTest {
  private static TrainSettings workers(int n) {
    return new TrainSettings("parameter-averaging", n, 128, 20, 1, "validation-loss", 0, 32L << 20);
  }

  @Test
  void moreWorkersThanTrainingRowsIsRefused() {
    JobConfigException e = assertThrows(JobConfigException.class, () -> EngineSetup.workers(workers(8), 8, 5));
    assertEquals("Cannot train with train.workers = 8 on 5 training rows: some workers would have none;"
        + " set train.workers to at most 5", e.getMessage());
  }

  @Test
  void defaultWorkersFollowTheSlotsButNeverExceedTheRows() {
    assertEquals(4, EngineSetup.workers(workers(0), 4, 60_000));
    assertEquals(3, EngineSetup.workers(workers(0), 4, 3));
    assertEquals(6, EngineSetup.workers(workers(6), 4, 60_000), "explicit workers above the slots: a warning only");
  }
}
