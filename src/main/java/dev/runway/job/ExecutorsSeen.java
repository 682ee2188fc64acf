package dev.runway.job;

import dev.runway.preflight.SparkFacts;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Which executor processes a step's tasks ran in: executor id, host, process id, task count, peak
 * resident memory, heap and JavaCPP's cap on resident memory, recorded in metrics.json so a run
 * shows that training really was distributed (in local mode the only "executor" is the driver
 * itself).
 */
final class ExecutorsSeen extends TaskWatch {
  /** The executor id Spark gives the driver (SparkContext.DRIVER_IDENTIFIER, not public API). */
  private static final String DRIVER = "driver";

  private final Map<String, AtomicLong> tasks = new ConcurrentHashMap<>();
  private final Map<String, String> hosts = new ConcurrentHashMap<>();

  private ExecutorsSeen(SparkSession spark) {
    super(spark);
  }

  /** Starts recording the tasks that end from now on. */
  static ExecutorsSeen watch(SparkSession spark) {
    return start(new ExecutorsSeen(spark));
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (!sees(end)) {
      return;
    }
    tasks.computeIfAbsent(end.taskInfo().executorId(), id -> new AtomicLong()).incrementAndGet();
    hosts.putIfAbsent(end.taskInfo().executorId(), end.taskInfo().host());
  }

  /**
   * The executors seen, each with its process id. Process ids come from a small probe job (a
   * listener only knows executor ids); an executor the probe did not reach shows pid null.
   */
  List<Map<String, Object>> executors() {
    Map<String, ProcessSeen> processes = probe();
    List<Map<String, Object>> out = new ArrayList<>();
    new TreeMap<>(tasks).forEach((id, count) -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("executor_id", id);
      e.put("host", hosts.get(id));
      ProcessSeen.putInto(e, processes.get(id));
      e.put("tasks", count.get());
      out.add(e);
    });
    return out;
  }

  /** This process: the driver. */
  static Map<String, Object> driver() {
    Map<String, Object> d = new LinkedHashMap<>();
    ProcessSeen here = ProcessSeen.here(DRIVER);
    d.put("pid", here.pid()); // the key first, as in every metrics.json before
    d.put(
        "host",
        SparkEnv.get() == null
            ? null
            : SparkEnv.get().blockManager().blockManagerId().host());
    ProcessSeen.putInto(d, here);
    return d;
  }

  /**
   * The peak resident memory of this process so far (Linux's VmHWM), in bytes; null where the
   * kernel does not report it. What a container limit or the OOM killer compares against.
   */
  static Long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: no figure.
    }
    return null;
  }

  /** One executor's process, as the probe job saw it. */
  private record ProcessSeen(
      String executorId, long pid, Long peakRssBytes, long heapMaxBytes, long nativeCapBytes)
      implements Serializable {
    static ProcessSeen here(String executorId) {
      long heap = Runtime.getRuntime().maxMemory();
      // JavaCPP's cap on resident memory, past which it collects ND4J's dead native arrays
      // (scripts/run sets the heap + 3 GB, scripts/submit an executor's heap + overhead; JavaCPP's
      // default is maxbytes + 3 x the heap).
      return new ProcessSeen(
          executorId,
          ProcessHandle.current().pid(),
          peakRss(),
          heap,
          SparkFacts.javacppCap(System::getProperty, heap));
    }

    /**
     * A process's figures into a metrics.json entry, under their keys; nulls for a process the
     * probe did not reach (a lost executor).
     */
    static void putInto(Map<String, Object> entry, ProcessSeen p) {
      entry.put("pid", p == null ? null : p.pid());
      entry.put("peak_rss_bytes", p == null ? null : p.peakRssBytes());
      entry.put("heap_max_bytes", p == null ? null : p.heapMaxBytes());
      entry.put("native_cap_bytes", p == null ? null : p.nativeCapBytes());
    }
  }

  private Map<String, ProcessSeen> probe() {
    if (tasks.keySet().equals(Set.of(DRIVER))) {
      // Local mode: the driver ran every task; no job needed to learn about its own process.
      return Map.of(DRIVER, ProcessSeen.here(DRIVER));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = Math.max(4, 4 * tasks.size());
    jsc.setJobDescription("runway: which processes ran the executors");
    Map<String, ProcessSeen> processes = new LinkedHashMap<>();
    for (ProcessSeen p : jsc.parallelize(Collections.nCopies(slices, 0), slices)
        .mapPartitions(ExecutorsSeen::whoAmI)
        .collect()) {
      processes.put(p.executorId(), p);
    }
    return processes;
  }

  private static Iterator<ProcessSeen> whoAmI(Iterator<Integer> ignored) {
    return List.of(ProcessSeen.here(SparkEnv.get().executorId())).iterator();
  }
}
