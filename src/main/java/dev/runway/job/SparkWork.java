package dev.runway.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * What a job cost Spark, summed over its tasks: bytes through the shuffle and bytes spilled from
 * memory to disk. Recorded in metrics.json so a run on big data shows where its time and disk
 * went. Counts are what Spark had reported when the run was written (its listener bus delivers
 * task ends asynchronously, so the last few tasks' figures may be missing).
 */
final class SparkWork extends TaskWatch {
  private final AtomicLong tasks = new AtomicLong();
  private final AtomicLong shuffleWrite = new AtomicLong();
  private final AtomicLong shuffleRead = new AtomicLong();
  private final AtomicLong spilledMemory = new AtomicLong();
  private final AtomicLong spilledDisk = new AtomicLong();

  private SparkWork(SparkSession spark) {
    super(spark);
  }

  /** Starts counting the tasks that end from now on. */
  static SparkWork watch(SparkSession spark) {
    return start(new SparkWork(spark));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (!sees(end)) {
      return;
    }
    tasks.incrementAndGet();
    TaskMetrics m = end.taskMetrics();
    if (m == null) {
      return;
    }
    shuffleWrite.addAndGet(m.shuffleWriteMetrics().bytesWritten());
    shuffleRead.addAndGet(m.shuffleReadMetrics().totalBytesRead());
    spilledMemory.addAndGet(m.memoryBytesSpilled());
    spilledDisk.addAndGet(m.diskBytesSpilled());
  }

  Map<String, Object> asMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tasks", tasks.get());
    out.put("shuffle_write_bytes", shuffleWrite.get());
    out.put("shuffle_read_bytes", shuffleRead.get());
    out.put("spilled_memory_bytes", spilledMemory.get());
    out.put("spilled_disk_bytes", spilledDisk.get());
    return out;
  }
}
