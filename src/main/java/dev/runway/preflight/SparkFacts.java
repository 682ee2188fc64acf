package dev.runway.preflight;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;
import scala.Tuple2;

/**
 * The Spark settings a job will run with, as the pre-flight checks read them: the settings
 * spark-submit passed (spark.* system properties), the job's spark.conf on top, and the master;
 * plus this machine's cores, heap and native-memory cap, which are the executors' in local mode.
 *
 * @param conf effective Spark settings, including spark.master when known
 * @param hostCores cores of this machine
 * @param heapBytes this JVM's maximum heap
 * @param nativeCapBytes JavaCPP's cap on this JVM's resident memory, past which it collects to
 *     free ND4J's dead native arrays ({@code org.bytedeco.javacpp.maxphysicalbytes}); 0 for none
 */
public record SparkFacts(
    Map<String, String> conf, int hostCores, long heapBytes, long nativeCapBytes) {
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");
  private static final Pattern MAX_BYTES =
      Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.maxbytes=(\\S+)");

  /** Settings {@code base} (a live session's, or spark-submit's) with the job's on top. */
  public static SparkFacts of(SparkConf base, Map<String, String> jobConf) {
    Map<String, String> conf = new LinkedHashMap<>();
    for (Tuple2<String, String> kv : base.getAll()) {
      conf.put(kv._1(), kv._2());
    }
    conf.putAll(jobConf);
    long heap = Runtime.getRuntime().maxMemory();
    return new SparkFacts(
        conf,
        Runtime.getRuntime().availableProcessors(),
        heap,
        javacppCap(System::getProperty, heap));
  }

  /**
   * JavaCPP's cap on resident memory, as its {@code Pointer} computes it (1.5.7): {@code
   * maxphysicalbytes} if set, else {@code maxbytes} (default: the heap) + 3 x the heap, 16 GB on
   * a 4 GB heap. Computed from the options rather than asked of JavaCPP, whose classes would load
   * its native library into every job, networks or not.
   */
  public static long javacppCap(Function<String, String> properties, long heap) {
    String cap = javacppOption(properties, "maxphysicalbytes", "maxPhysicalBytes");
    if (cap != null) {
      return JavaUtils.byteStringAsBytes(cap.strip());
    }
    String max = javacppOption(properties, "maxbytes", "maxBytes");
    return (max != null ? JavaUtils.byteStringAsBytes(max.strip()) : heap) + 3 * heap;
  }

  /** A JavaCPP option, under either of the spellings JavaCPP reads. */
  private static String javacppOption(
      Function<String, String> properties, String lower, String camel) {
    String v = properties.apply("org.bytedeco.javacpp." + lower);
    return v != null ? v : properties.apply("org.bytedeco.javacpp." + camel);
  }

  public String master() {
    return conf.getOrDefault("spark.master", "");
  }

  public boolean local() {
    return LOCAL.matcher(master()).matches();
  }

  /** YARN and Kubernetes kill an executor whose process outgrows heap plus overhead. */
  public boolean enforcesContainerMemory() {
    return master().equals("yarn") || master().startsWith("k8s://");
  }

  public int taskCpus() {
    return number("spark.task.cpus", "1");
  }

  /** Cores one executor runs tasks on: local[N]'s N; spark.executor.cores on a cluster, if set. */
  public Optional<Integer> executorCores() {
    Matcher m = LOCAL.matcher(master());
    if (m.matches()) {
      String n = m.group(1);
      return Optional.of(n == null ? 1 : n.equals("*") ? hostCores : Integer.parseInt(n));
    }
    if (conf.containsKey("spark.executor.cores")) {
      return Optional.of(number("spark.executor.cores", null));
    }
    // YARN's default is one core per executor; standalone gives an executor all of a worker's.
    return master().equals("yarn") ? Optional.of(1) : Optional.empty();
  }

  /** Task slots of the whole job, when the settings tell. */
  public Optional<Integer> slots() {
    Optional<Integer> cores = executorCores();
    if (local()) {
      return cores.map(c -> c / taskCpus());
    }
    if (conf.containsKey("spark.executor.instances")
        && cores.isPresent()
        && !Boolean.parseBoolean(conf.getOrDefault("spark.dynamicAllocation.enabled", "false"))) {
      return Optional.of(number("spark.executor.instances", null) * (cores.get() / taskCpus()));
    }
    if (conf.containsKey("spark.cores.max")) {
      return Optional.of(number("spark.cores.max", null) / taskCpus());
    }
    return Optional.empty();
  }

  /** A whole-number setting; a value that is not one is named. */
  private int number(String key, String fallback) {
    String v = conf.getOrDefault(key, fallback);
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " = " + v + " is not a whole number", e);
    }
  }

  /** Executor heap in bytes (spark.executor.memory, MiB without a unit; Spark's default 1g). */
  public long executorMemory() {
    return JavaUtils.byteStringAsMb(
            conf.getOrDefault("spark.executor.memory", "1g").strip())
        << 20;
  }

  /** Executor memory overhead in bytes: the setting, or Spark's max(384 MiB, factor x heap). */
  public long executorOverhead() {
    String set = conf.get("spark.executor.memoryOverhead");
    if (set != null) {
      return JavaUtils.byteStringAsMb(set.strip()) << 20;
    }
    double factor = Double.parseDouble(
        conf.getOrDefault("spark.executor.memoryOverheadFactor", "0.1").strip());
    return Math.max(384L << 20, (long) (factor * executorMemory()));
  }

  /**
   * ND4J's off-heap limit on an executor: -Dorg.bytedeco.javacpp.maxbytes in
   * spark.executor.extraJavaOptions (bytes without a unit), or JavaCPP's default, the heap size.
   */
  public long executorOffHeapLimit() {
    Matcher m = MAX_BYTES.matcher(conf.getOrDefault("spark.executor.extraJavaOptions", ""));
    return m.find() ? JavaUtils.byteStringAsBytes(m.group(1)) : executorMemory();
  }

  /** OMP_NUM_THREADS as executors on a cluster see it, if set. */
  public Optional<Integer> executorOmpThreads() {
    String v = conf.get("spark.executorEnv.OMP_NUM_THREADS");
    try {
      return v == null || v.isBlank() ? Optional.empty() : Optional.of(Integer.parseInt(v.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
