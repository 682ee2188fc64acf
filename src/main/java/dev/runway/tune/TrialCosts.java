package dev.runway.tune;

import dev.runway.job.TaskWatch;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * Executor time per trial: the run time of every task of the jobs a trial's threads submitted
 * (local property {@link TaskWatch#SCOPE}), summed. What a tune's trials cost the cluster, the
 * figure successive halving saves; the driver's own time is not in it.
 */
final class TrialCosts extends SparkListener implements AutoCloseable {
  private final SparkSession spark;
  private final Map<Integer, String> stageTrial = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> millis = new ConcurrentHashMap<>();

  private TrialCosts(SparkSession spark) {
    this.spark = spark;
  }

  static TrialCosts watch(SparkSession spark) {
    TrialCosts costs = new TrialCosts(spark);
    spark.sparkContext().addSparkListener(costs);
    return costs;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    String trial =
        start.properties() == null ? null : start.properties().getProperty(TaskWatch.SCOPE);
    if (trial != null) {
      for (Object id : JavaConverters.seqAsJavaList(start.stageIds())) {
        stageTrial.put((Integer) id, trial);
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    String trial = stageTrial.get(end.stageId());
    if (trial != null && end.taskMetrics() != null) {
      millis
          .computeIfAbsent(trial, t -> new AtomicLong())
          .addAndGet(end.taskMetrics().executorRunTime());
    }
  }

  /** The executor seconds of {@code trial}'s tasks so far. */
  double seconds(String trial) {
    AtomicLong m = millis.get(trial);
    return m == null ? 0 : m.get() / 1e3;
  }

  @Override
  public void close() {
    spark.sparkContext().removeSparkListener(this);
  }
}
