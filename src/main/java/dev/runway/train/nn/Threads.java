package dev.runway.train.nn;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BLAS and OpenMP threads for network work inside a Spark task. Spark runs as many tasks at once
 * as an executor has cores divided by spark.task.cpus, so giving each task spark.task.cpus
 * threads keeps workers x threads at the executor's cores: more would oversubscribe them (two
 * workers with two threads each on two cores ran each minibatch about 6x slower).
 */
final class Threads {
  private Threads() {}

  /** Sets ND4J's threads for the calling task; outside a task, leaves them alone. */
  static void forCurrentTask() {
    TaskContext task = TaskContext.get();
    if (task != null) {
      set(Math.max(1, task.cpus()));
    }
  }

  static void set(int threads) {
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
  }
}
