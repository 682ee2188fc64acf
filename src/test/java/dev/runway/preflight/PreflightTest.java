package dev.runway.preflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.job.JobDefinition;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pre-flight checks on settings alone, and as validate shows them. */
class PreflightTest {
  private static final String MLP =
      TestData.repo().resolve("conf/jobs/fashion-mnist-mlp.conf").toString();

  private static final String CNN =
      TestData.repo().resolve("conf/jobs/fashion-mnist-cnn.conf").toString();
  private static final long GB = 1L << 30;

  private static JobDefinition mlp(String... sets) {
    return JobDefinition.load(MLP, List.of(sets));
  }

  /**
   * Settings as a cluster would give them, on a machine with {@code hostCores} cores, in a JVM
   * as scripts/run starts it (a 4 GB heap, native memory capped at the heap + 3 GB).
   */
  private static SparkFacts facts(int hostCores, String... kv) {
    return jvm(hostCores, 4 * GB, 7 * GB, kv);
  }

  private static SparkFacts jvm(int hostCores, long heap, long nativeCap, String... kv) {
    Map<String, String> conf = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      conf.put(kv[i], kv[i + 1]);
    }
    return new SparkFacts(conf, hostCores, heap, nativeCap);
  }

  private static SparkFacts facts(String... kv) {
    return facts(8, kv);
  }

  private static List<String> checks(List<Finding> findings) {
    return findings.stream()
        .map(f -> f.check() + (f.blocking() ? ":error" : ":warning"))
        .toList();
  }

  @Test
  void whatScriptsSubmitSetsPassEveryCheck() {
    SparkFacts submit = facts(
        "spark.master",
        "spark://host:7077",
        "spark.executor.memory",
        "1g",
        "spark.executor.memoryOverhead",
        "1g",
        "spark.executor.cores",
        "4",
        "spark.executor.extraJavaOptions",
        "-Dorg.bytedeco.javacpp.maxbytes=768m -Dorg.bytedeco.javacpp.maxphysicalbytes=2g",
        "spark.executorEnv.OMP_NUM_THREADS",
        "1");
    assertEquals(List.of(), Preflight.check(submit, mlp()));
    assertEquals(List.of(), Preflight.check(facts(2, "spark.master", "local[2]"), mlp()));
    JobDefinition cnn = JobDefinition.load(CNN, List.of());
    assertEquals(List.of(), Preflight.check(facts(2, "spark.master", "local[2]"), cnn));
    assertEquals(List.of(), Preflight.check(submit, cnn));
  }

  @Test
  void kryoWithoutNd4jsRegistratorStopsTheJob() {
    List<Finding> f = Preflight.check(
        facts(
            "spark.master",
            "local[2]",
            "spark.serializer",
            "org.apache.spark.serializer.KryoSerializer",
            "spark.kryo.registrator",
            "com.acme.Reg"),
        mlp());
    assertEquals(List.of("kryo-registrator:error"), checks(f));
    assertEquals(
        "spark.serializer is Kryo but spark.kryo.registrator (com.acme.Reg) lacks org.nd4j.kryo.Nd4jRegistrator:"
            + " ND4J arrays would not serialize; add spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator or leave"
            + " spark.serializer unset",
        f.get(0).message());
    assertEquals(
        List.of(),
        Preflight.check(
            facts(
                "spark.master",
                "local[2]",
                "spark.serializer",
                "org.apache.spark.serializer.KryoSerializer",
                "spark.kryo.registrator",
                "com.acme.Reg, org.nd4j.kryo.Nd4jRegistrator"),
            mlp()));
    // The MLlib trainers have no ND4J arrays to serialize.
    assertEquals(
        List.of(),
        Preflight.check(
            facts("spark.serializer", "org.apache.spark.serializer.KryoSerializer"),
            JobDefinition.load(
                TestData.repo().resolve("conf/jobs/cars-mpg.conf").toString(), List.of())));
  }

  @Test
  void overheadBelowNd4jsOffHeapLimitStopsTheJobWhereContainersAreKilled() {
    // Spark's defaults: 1 GiB heap, 384 MiB overhead; JavaCPP's default limit is the heap.
    List<Finding> yarn = Preflight.check(facts("spark.master", "yarn"), mlp());
    assertEquals(List.of("memory-overhead:error"), checks(yarn));
    assertEquals(
        "spark.executor.memoryOverhead (384 MiB) is smaller than ND4J's off-heap limit on executors"
            + " (1024 MiB, the heap size: no -Dorg.bytedeco.javacpp.maxbytes in spark.executor.extraJavaOptions): the"
            + " cluster manager would kill executors that use it; raise spark.executor.memoryOverhead or lower"
            + " -Dorg.bytedeco.javacpp.maxbytes",
        yarn.get(0).message());
    assertEquals(
        List.of("memory-overhead:error"),
        checks(Preflight.check(
            facts(
                "spark.master",
                "k8s://https://api:6443",
                "spark.executor.memory",
                "8g",
                "spark.executor.memoryOverhead",
                "2048",
                "spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxbytes=4g"),
            mlp())));
    assertEquals(
        List.of(),
        Preflight.check(
            facts(
                "spark.master",
                "k8s://https://api:6443",
                "spark.executor.memory",
                "8g",
                "spark.executor.memoryOverhead",
                "4096",
                "spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxbytes=4g"),
            mlp()));
    // Standalone does not enforce it: a warning. warn-only turns the error into one too.
    assertEquals(
        List.of("memory-overhead:warning"),
        checks(Preflight.check(facts("spark.master", "spark://h:7077"), mlp())));
    assertEquals(
        List.of("memory-overhead:warning"),
        checks(Preflight.check(
            facts("spark.master", "yarn"), mlp("preflight.warn-only=[memory-overhead]"))));
  }

  @Test
  void workersTimesBlasThreadsAboveTheCoresIsAWarning() {
    // Both engines give each worker spark.task.cpus threads; local[8] on 2 cores still shares them.
    List<Finding> local = Preflight.check(facts(2, "spark.master", "local[8]"), mlp());
    assertEquals(List.of("blas-threads:warning"), checks(local));
    assertEquals(
        "local[8] runs 8 workers at once on this machine's 2 cores, each with spark.task.cpus = 1 BLAS"
            + " threads: they would share cores; use local[2] or local[*]",
        local.get(0).message());
    assertEquals(
        List.of(),
        Preflight.check(facts(2, "spark.master", "local[*]"), mlp("train.engine=dl4j-spark")));

    // MLlib's native BLAS: one thread per core in every task unless OMP_NUM_THREADS says.
    JobDefinition cars = JobDefinition.load(
        TestData.repo().resolve("conf/jobs/cars-mpg.conf").toString(), List.of());
    List<Finding> mllib =
        Preflight.check(facts("spark.master", "yarn", "spark.executor.cores", "4"), cars);
    assertEquals(List.of("blas-threads:warning"), checks(mllib));
    assertEquals(
        "4 tasks per executor each start a native BLAS thread per core (spark.executorEnv.OMP_NUM_THREADS"
            + " is not set) on 4 cores: set spark.executorEnv.OMP_NUM_THREADS=1, as Spark's MLlib guide recommends",
        mllib.get(0).message());
    assertEquals(
        List.of("blas-threads:warning"),
        checks(Preflight.check(
            facts(
                "spark.master",
                "yarn",
                "spark.executor.cores",
                "4",
                "spark.executorEnv.OMP_NUM_THREADS",
                "2"),
            cars)));
    assertEquals(
        List.of(),
        Preflight.check(
            facts(
                "spark.master",
                "yarn",
                "spark.executor.cores",
                "4",
                "spark.executorEnv.OMP_NUM_THREADS",
                "1"),
            cars));
    assertEquals(
        List.of(),
        Preflight.check(facts("spark.master", "yarn"), cars),
        "YARN's default: one core");
  }

  @Test
  void moreWorkersThanTaskSlotsIsAWarning() {
    List<Finding> f = Preflight.check(
        facts(8, "spark.master", "local[4]", "spark.task.cpus", "2"), mlp("train.workers=3"));
    assertEquals(List.of("worker-slots:warning"), checks(f));
    assertEquals(
        "train.workers = 3 but the job has 2 task slots: each averaging round would run in 2 waves;"
            + " set train.workers = 0 (one per slot) or at most 2",
        f.get(0).message());
    assertEquals(
        List.of(),
        Preflight.check(
            facts(
                "spark.master",
                "yarn",
                "spark.executor.instances",
                "4",
                "spark.executor.cores",
                "2",
                "spark.executor.memoryOverhead",
                "2g"),
            mlp("train.workers=8")));
  }

  @Test
  void peersWithMoreWorkersThanSlotsOrUnderDynamicAllocationStopTheJob() {
    List<Finding> f = Preflight.check(
        facts(8, "spark.master", "local[4]", "spark.task.cpus", "2"),
        mlp("train.workers=3", "train.aggregation=peers"));
    assertEquals(List.of("worker-slots:warning", "peers:error"), checks(f));
    assertEquals(
        "train.aggregation = peers runs all 3 workers' tasks at once, but the job has 2 task"
            + " slots: set train.workers to at most 2, or train.aggregation = auto",
        f.get(1).message());
    List<Finding> dynamic = Preflight.check(
        facts(
            "spark.master",
            "yarn",
            "spark.dynamicAllocation.enabled",
            "true",
            "spark.executor.memoryOverhead",
            "2g"),
        mlp("train.aggregation=peers"));
    assertEquals(List.of("peers:error"), checks(dynamic));
    assertTrue(dynamic.get(0).message().contains("spark.dynamicAllocation.enabled = true"));
    // auto never asks for what cannot run: it falls back to direct.
    assertEquals(
        List.of("worker-slots:warning"),
        checks(Preflight.check(
            facts(8, "spark.master", "local[4]", "spark.task.cpus", "2"), mlp("train.workers=3"))));
  }

  @Test
  void unreadableNumbersAreNamed() {
    List<Finding> f = Preflight.check(
        facts("spark.master", "local[4]", "spark.task.cpus", "two"), mlp("train.workers=2"));
    assertEquals(1, f.size(), "reported once, by the first check that reads it: " + f);
    assertTrue(f.get(0).blocking());
    assertEquals(
        "Cannot read the Spark settings: spark.task.cpus = two is not a whole number",
        f.get(0).message());
  }

  @Test
  void trainStopsBeforeReadingDataAndWritesNothing(@TempDir Path runs) {
    Cli.Result r = Cli.run(
        "train",
        "--job",
        MLP,
        "--master",
        "local[2]",
        "--run-id",
        "k",
        "--set",
        "output.root=\"" + runs + "\"",
        "--set",
        "source.path=\"" + runs.resolve("no-data-needed") + "\"",
        "--set",
        "spark.conf.\"spark.serializer\"=org.apache.spark.serializer.KryoSerializer");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("error: spark.serializer is Kryo"), r.err());
    assertEquals(0, runs.toFile().list().length, "nothing written");
  }

  @Test
  void validateRunsTheChecksWithItsMasterAndTheJobsSparkConf() {
    Cli.Result bad = Cli.run(
        "validate",
        "--job",
        MLP,
        "--master",
        "local[2]",
        "--set",
        "spark.conf.\"spark.serializer\"=org.apache.spark.serializer.KryoSerializer");
    assertEquals(2, bad.code(), bad.err());
    assertEquals(
        List.of(
            "error: spark.serializer is Kryo but spark.kryo.registrator is not set: ND4J arrays would not"
                + " serialize; add spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator or leave spark.serializer unset"),
        bad.errLines());

    Cli.Result warned = Cli.run("validate", "--job", MLP, "--master", "spark://h:7077");
    assertEquals(0, warned.code(), warned.err());
    assertTrue(
        warned.err().startsWith("warning: spark.executor.memoryOverhead (384 MiB)"), warned.err());
    assertTrue(
        warned.out().contains("\"warnings\":[\"spark.executor.memoryOverhead (384 MiB)"),
        warned.out());

    Cli.Result typo =
        Cli.run("validate", "--job", MLP, "--set", "preflight.warn-only=[memory-overheads]");
    assertEquals(2, typo.code());
    assertTrue(
        typo.err()
            .contains("'memory-overheads' is not a check: the checks are kryo-registrator,"
                + " memory-overhead, blas-threads, worker-slots"),
        typo.err());
  }

  @Test
  void aConvolutionalNetworkInALocalJvmWithoutACapNearItsHeapIsWarned() {
    JobDefinition cnn = JobDefinition.load(CNN, List.of());
    // JavaCPP's default on a 4 GB heap: maxbytes (the heap) + 3 x the heap.
    List<Finding> found = Preflight.check(jvm(2, 4 * GB, 16 * GB, "spark.master", "local[2]"), cnn);
    assertEquals(List.of("native-memory:warning"), checks(found));
    assertEquals(
        "a convolutional network in a JVM whose native memory is capped at 16,384 MB: its native"
            + " scratch arrays are freed only as the collector finds them, and resident memory"
            + " grows toward that; cap it near the heap with"
            + " -Dorg.bytedeco.javacpp.maxphysicalbytes=7g (scripts/run sets the heap + 3 GB)",
        found.get(0).message());
    String uncapped =
        Preflight.check(jvm(2, GB, 0, "spark.master", "local[*]"), cnn).get(0).message();
    assertTrue(uncapped.contains("is not capped: "), uncapped);
    assertTrue(uncapped.contains("maxphysicalbytes=4g"), uncapped);
    // A cap within 4 GB of the heap, a dense network, or training on executors: nothing.
    assertEquals(
        List.of(), Preflight.check(jvm(2, 4 * GB, 8 * GB, "spark.master", "local[2]"), cnn));
    assertEquals(
        List.of(), Preflight.check(jvm(2, 4 * GB, 16 * GB, "spark.master", "local[2]"), mlp()));
    assertTrue(
        !checks(Preflight.check(jvm(2, 4 * GB, 16 * GB, "spark.master", "spark://host:7077"), cnn))
            .contains("native-memory:warning"));
  }

  @Test
  void theNativeCapIsComputedAsJavaCppComputesIt() {
    // This JVM sets no JavaCPP option: both must give maxbytes (the heap) + 3 x the heap.
    long heap = Runtime.getRuntime().maxMemory();
    assertEquals(4 * heap, SparkFacts.javacppCap(k -> null, heap));
    assertEquals(
        Pointer.maxPhysicalBytes(),
        SparkFacts.of(new SparkConf(false), Map.of()).nativeCapBytes());
    assertEquals(
        7L << 30,
        SparkFacts.javacppCap(Map.of("org.bytedeco.javacpp.maxphysicalbytes", "7g")::get, 4 * GB));
    assertEquals(
        6 * GB, SparkFacts.javacppCap(Map.of("org.bytedeco.javacpp.maxBytes", "3g")::get, GB));
  }
}
