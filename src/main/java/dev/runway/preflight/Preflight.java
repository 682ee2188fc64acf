package dev.runway.preflight;

import dev.runway.error.JobConfigException;
import dev.runway.job.JobDefinition;
import dev.runway.train.nn.LayerSpec;
import dev.runway.train.nn.NetworkSpec;
import dev.runway.train.nn.NeuralNetworkTrainer;
import dev.runway.train.nn.TrainSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks of what users most often get wrong when a job moves from a laptop to a cluster, made
 * from the settings alone, before any data is read: {@code validate} runs them, and so does
 * {@code train} on the session it is given. Checks that need the data (workers against training
 * rows) run when the engine has counted them. A check that would stop the job can be turned into
 * a warning with preflight.warn-only.
 */
public final class Preflight {
  static final String ND4J_REGISTRATOR = "org.nd4j.kryo.Nd4jRegistrator";
  private static final String KRYO = "org.apache.spark.serializer.KryoSerializer";

  private Preflight() {}

  /** The findings for {@code job} run with {@code facts}; warn-only checks never block. */
  public static List<Finding> check(SparkFacts facts, JobDefinition job) {
    List<Finding> out = new ArrayList<>();
    if (job.trainer() instanceof NeuralNetworkTrainer nn) {
      TrainSettings train = nn.settings();
      run(out, "kryo-registrator", facts, Preflight::kryoRegistrator);
      run(out, "memory-overhead", facts, Preflight::memoryOverhead);
      run(out, "blas-threads", facts, Preflight::networkThreads);
      run(out, "worker-slots", facts, f -> workerSlots(f, train));
      run(out, "peers", facts, f -> peers(f, train));
      run(out, "native-memory", facts, f -> nativeMemory(f, nn.spec()));
    } else {
      run(out, "blas-threads", facts, Preflight::nativeBlasThreads);
    }
    Set<String> warnOnly = Set.copyOf(job.settings().preflightWarnOnly());
    return out.stream()
        .map(f -> f.blocking() && warnOnly.contains(f.check())
            ? new Finding(f.check(), false, f.message())
            : f)
        .toList();
  }

  /**
   * Runs the checks: blocking findings stop the job with one error line each (exit 2); the
   * warnings are returned, for the caller to show and record.
   */
  public static List<Finding> warnings(SparkFacts facts, JobDefinition job) {
    List<Finding> findings = check(facts, job);
    List<String> blocking =
        findings.stream().filter(Finding::blocking).map(Finding::message).toList();
    if (!blocking.isEmpty()) {
      throw new JobConfigException(String.join("\n", blocking));
    }
    return findings;
  }

  private static void run(
      List<Finding> out,
      String name,
      SparkFacts facts,
      Function<SparkFacts, Optional<Finding>> check) {
    try {
      check.apply(facts).ifPresent(out::add);
    } catch (IllegalArgumentException e) {
      // A setting several checks read (spark.task.cpus, say) is reported once.
      String message = "Cannot read the Spark settings: " + e.getMessage();
      if (out.stream().noneMatch(f -> f.message().equals(message))) {
        out.add(new Finding(name, true, message));
      }
    }
  }

  /** Kryo without ND4J's registrator serializes network arrays wrongly (DL4J's docs require it). */
  static Optional<Finding> kryoRegistrator(SparkFacts f) {
    if (!f.conf().getOrDefault("spark.serializer", "").strip().equals(KRYO)) {
      return Optional.empty();
    }
    String registrators = f.conf().getOrDefault("spark.kryo.registrator", "");
    if (List.of(registrators.split(",")).stream()
        .map(String::strip)
        .anyMatch(ND4J_REGISTRATOR::equals)) {
      return Optional.empty();
    }
    return Optional.of(new Finding(
        "kryo-registrator",
        true,
        "spark.serializer is Kryo but spark.kryo.registrator"
            + (registrators.isBlank()
                ? " is not set"
                : " (" + registrators + ") lacks " + ND4J_REGISTRATOR)
            + ": ND4J arrays would not serialize; add spark.kryo.registrator=" + ND4J_REGISTRATOR
            + " or leave spark.serializer unset"));
  }

  /**
   * ND4J keeps network arrays outside the heap, in what Spark calls memory overhead. When the
   * overhead is smaller than ND4J may use, YARN and Kubernetes kill executors mid-training
   * (exit code 137, "container killed ... beyond memory limits"), which users then read as a
   * flaky cluster; elsewhere the host runs short of memory instead.
   */
  static Optional<Finding> memoryOverhead(SparkFacts f) {
    if (f.local()) {
      return Optional.empty();
    }
    long overhead = f.executorOverhead();
    long offHeap = f.executorOffHeapLimit();
    if (overhead >= offHeap) {
      return Optional.empty();
    }
    boolean explicit =
        f.conf().getOrDefault("spark.executor.extraJavaOptions", "").contains("javacpp.maxbytes");
    return Optional.of(new Finding(
        "memory-overhead",
        f.enforcesContainerMemory(),
        "spark.executor.memoryOverhead (" + mib(overhead)
            + ") is smaller than ND4J's off-heap limit on executors ("
            + mib(offHeap)
            + (explicit
                ? ", -Dorg.bytedeco.javacpp.maxbytes"
                : ", the heap size: no"
                    + " -Dorg.bytedeco.javacpp.maxbytes in spark.executor.extraJavaOptions")
            + ")"
            + (f.enforcesContainerMemory()
                ? ": the cluster manager would kill executors that use it"
                : "")
            + "; raise spark.executor.memoryOverhead or lower -Dorg.bytedeco.javacpp.maxbytes"));
  }

  /** A cap this far above the heap is JavaCPP's default or near it: no bound for a CNN. */
  static final long NATIVE_HEADROOM_BYTES = 4L << 30;

  /**
   * A convolutional network trained in this JVM (local mode) without a native-memory cap near the
   * heap. Deeplearning4j's convolutions leave native scratch arrays at every step, which ND4J frees
   * only as the collector finds their Java objects, and JavaCPP collects only past its cap: by
   * default 16 GB on a 4 GB heap, which the CNN example reached in two epochs (7.6 GB with the
   * heap + 3 GB, no slower; README, Memory). scripts/run sets that cap; spark-submit in local
   * mode or a notebook may not. Executors get their options from whoever starts them.
   */
  static Optional<Finding> nativeMemory(SparkFacts f, NetworkSpec spec) {
    long cap = f.nativeCapBytes();
    boolean convolutional =
        spec.layers().stream().anyMatch(l -> l instanceof LayerSpec.Convolution);
    if (!convolutional || !f.local() || (cap > 0 && cap <= f.heapBytes() + NATIVE_HEADROOM_BYTES)) {
      return Optional.empty();
    }
    long suggestedGb = (f.heapBytes() + (3L << 30) + (1L << 29)) >> 30;
    return Optional.of(new Finding(
        "native-memory",
        false,
        "a convolutional network in a JVM whose native memory is "
            + (cap <= 0 ? "not capped" : String.format(Locale.ROOT, "capped at %,d MB", cap >> 20))
            + ": its native scratch arrays are freed only as the collector finds them, and"
            + " resident memory grows toward that; cap it near the heap with"
            + " -Dorg.bytedeco.javacpp.maxphysicalbytes=" + suggestedGb
            + "g (scripts/run sets the heap + 3 GB)"));
  }

  /**
   * Workers running at once, times the BLAS threads each uses, must not exceed the cores: two
   * workers with two threads each on two cores ran every minibatch about six times slower. Both
   * engines give each worker spark.task.cpus threads, so workers x threads equal an executor's
   * cores, unless local mode is given more task slots than the machine has cores.
   */
  static Optional<Finding> networkThreads(SparkFacts f) {
    int cores = f.executorCores().orElse(0);
    if (!f.local() || cores <= f.hostCores()) {
      return Optional.empty();
    }
    return Optional.of(new Finding(
        "blas-threads",
        false,
        f.master() + " runs " + cores
            + " workers at once on this machine's " + f.hostCores()
            + " cores, each with spark.task.cpus = "
            + f.taskCpus() + " BLAS threads: they would share cores; use local[" + f.hostCores()
            + "] or local[*]"));
  }

  /**
   * MLlib's native BLAS (OpenBLAS through netlib) starts as many threads as the host has cores in
   * every task unless OMP_NUM_THREADS says otherwise, so several tasks on a multi-core executor
   * oversubscribe it; Spark's MLlib guide recommends one thread per task. Checked on clusters,
   * where scripts/submit sets it and plain spark-submit does not.
   */
  static Optional<Finding> nativeBlasThreads(SparkFacts f) {
    Optional<Integer> cores = f.executorCores();
    if (f.local() || cores.isEmpty() || cores.get() / f.taskCpus() < 2) {
      return Optional.empty();
    }
    Optional<Integer> threads = f.executorOmpThreads();
    if (threads.isPresent() && threads.get() * (cores.get() / f.taskCpus()) <= cores.get()) {
      return Optional.empty();
    }
    return Optional.of(new Finding(
        "blas-threads",
        false,
        cores.get() / f.taskCpus() + " tasks per executor"
            + " each start "
            + threads
                .map(t -> t + " native BLAS threads")
                .orElse("a native BLAS thread per core"
                    + " (spark.executorEnv.OMP_NUM_THREADS is not set)")
            + " on " + cores.get() + " cores: set"
            + " spark.executorEnv.OMP_NUM_THREADS=1, as Spark's MLlib guide recommends"));
  }

  /** More workers than task slots: each averaging round then runs in waves, one after another. */
  static Optional<Finding> workerSlots(SparkFacts f, TrainSettings train) {
    Optional<Integer> slots = f.slots();
    if (train.workers() == 0 || slots.isEmpty() || train.workers() <= slots.get()) {
      return Optional.empty();
    }
    return Optional.of(new Finding(
        "worker-slots",
        false,
        "train.workers = " + train.workers()
            + " but the job has " + slots.get() + " task slots: each averaging round would run in "
            + (train.workers() + slots.get() - 1) / slots.get()
            + " waves; set train.workers = 0 (one per slot)"
            + " or at most " + slots.get()));
  }

  /**
   * train.aggregation = peers runs an epoch's worker tasks as one barrier stage: all at once, on a
   * fixed set of executors. Spark refuses a barrier stage under dynamic allocation, and one with
   * more tasks than slots waits for slots that never come.
   */
  static Optional<Finding> peers(SparkFacts f, TrainSettings train) {
    if (train.aggregation() != TrainSettings.Aggregation.PEERS) {
      return Optional.empty();
    }
    if (Boolean.parseBoolean(f.conf().getOrDefault("spark.dynamicAllocation.enabled", "false"))) {
      return Optional.of(new Finding(
          "peers",
          true,
          "train.aggregation = peers runs each epoch's workers as one Spark barrier stage, which"
              + " Spark does not allow with spark.dynamicAllocation.enabled = true: set"
              + " train.aggregation = auto, or turn dynamic allocation off"));
    }
    Optional<Integer> slots = f.slots();
    if (train.workers() > 1 && slots.isPresent() && train.workers() > slots.get()) {
      return Optional.of(new Finding(
          "peers",
          true,
          "train.aggregation = peers runs all " + train.workers()
              + " workers' tasks at once, but the job has " + slots.get()
              + " task slots: set train.workers to at most " + slots.get()
              + ", or train.aggregation = auto"));
    }
    return Optional.empty();
  }

  private static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }
}
