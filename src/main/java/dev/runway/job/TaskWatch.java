package dev.runway.job;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * A listener that watches one span of a job's work: attached by {@link #start}, detached when
 * closed, so a try-with-resources block is exactly the span it sees.
 *
 * <p>Started in a thread that set the local property {@value #SCOPE} (a tune's trial), it sees
 * only the tasks of the jobs that thread and its children submitted: several trainings running
 * at once in one application each count their own tasks. Without the property it sees every task.
 */
public abstract class TaskWatch extends SparkListener implements AutoCloseable {
  /** The Spark local property that names whose jobs a thread submits. */
  public static final String SCOPE = "runway.scope";

  final SparkSession spark;
  private final String scope;
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();

  TaskWatch(SparkSession spark) {
    this.spark = spark;
    this.scope = spark.sparkContext().getLocalProperty(SCOPE);
  }

  /**
   * Attaches a fully constructed watch: attaching in the constructor would let Spark's listener
   * thread call it before a subclass's fields exist.
   */
  static <T extends TaskWatch> T start(T watch) {
    watch.spark.sparkContext().addSparkListener(watch);
    return watch;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    // The listener bus delivers a job's start before any of its tasks' ends.
    if (scope != null
        && start.properties() != null
        && scope.equals(start.properties().getProperty(SCOPE))) {
      for (Object id : JavaConverters.seqAsJavaList(start.stageIds())) {
        stages.add((Integer) id);
      }
    }
  }

  /** Whether {@code end} is a task of this watch's scope. */
  final boolean sees(SparkListenerTaskEnd end) {
    return scope == null || stages.contains(end.stageId());
  }

  @Override
  public void close() {
    spark.sparkContext().removeSparkListener(this);
  }
}
