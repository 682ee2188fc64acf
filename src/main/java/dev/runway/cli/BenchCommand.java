package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.bench.Benchmark;
import dev.runway.bench.Benchmark.Measurement;
import dev.runway.config.ConfigReader;
import dev.runway.error.JobConfigException;
import dev.runway.job.JobDefinition;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints a table of train time, throughput and accuracy per system, then a JSON line each. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Train a neural-network job's network with every system and compare them.")
final class BenchCommand implements Callable<Integer> {
  @Mixin
  JobOptions jobOptions;

  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    JobDefinition runway = JobDefinition.load(
        jobOptions.job, with(jobOptions.overrides, "train.engine=parameter-averaging"));
    JobDefinition oneWorker = JobDefinition.load(
        jobOptions.job,
        with(with(jobOptions.overrides, "train.engine=parameter-averaging"), "train.workers=1"));
    if (!runway.trainer().type().equals("neural-network")) {
      throw new JobConfigException("Cannot benchmark model.type = "
          + runway.trainer().type() + ": the benchmark compares neural-network training systems");
    }
    // bench.* is not part of a job: reference.conf, then any --set bench.systems=[...].
    ConfigReader defaults = DatasetDefaults.reader(jobOptions.overrides);
    List<String> systems = defaults.stringList("bench.systems");
    int iterations = defaults.intIn("bench.mllib-iterations", 1, 100_000);
    for (String s : systems) {
      if (!Benchmark.SYSTEMS.contains(s)) {
        defaults.problem("bench.systems", "unknown system " + s + "; known: " + Benchmark.SYSTEMS);
      }
    }
    defaults.throwIfProblems();
    // Only when it runs: a job the TrainingMaster cannot train (train.augment) still benches the
    // other systems.
    JobDefinition dl4jSpark = systems.contains("dl4j-spark")
        ? JobDefinition.load(jobOptions.job, with(jobOptions.overrides, "train.engine=dl4j-spark"))
        : null;
    SparkSession spark = sparkOptions.session(
        "runway bench", runway.settings().sparkConf(), runway.settings().hadoopConf());
    int cores = Runtime.getRuntime().availableProcessors();
    List<Measurement> results =
        Benchmark.run(spark, runway, oneWorker, dl4jSpark, systems, iterations, cores);
    print(spec.commandLine().getOut(), results, spark.sparkContext().master(), cores);
    return Main.ok();
  }

  private static List<String> with(List<String> overrides, String last) {
    List<String> all = new ArrayList<>(overrides);
    all.add(last);
    return all;
  }

  /**
   * The table and the JSON lines. The baseline is the faster plain-DL4J row (1 BLAS thread or
   * all of them). A runway row's fraction of the ceiling compares it with what this machine can
   * do for as many workers without any averaging: plain DL4J on one thread for one worker, the
   * ceiling row (two single-thread trainings at once) for two.
   */
  static void print(PrintWriter out, List<Measurement> results, String master, int cores) {
    double plain = results.stream()
        .filter(m -> m.system().equals("plain-dl4j"))
        .mapToDouble(Measurement::examplesPerSecond)
        .max()
        .orElse(Double.NaN);
    out.printf(
        Locale.ROOT,
        "machine: %s, %d cores, %s, Java %s, Spark master %s%n",
        cpuModel(),
        cores,
        System.getProperty("os.arch"),
        System.getProperty("java.version"),
        master);
    out.printf(
        Locale.ROOT,
        "%-11s %7s %7s %9s %9s %13s %14s %9s %11s  %s%n",
        "system",
        "workers",
        "threads",
        "prepare_s",
        "train_s",
        "examples/s",
        "test_accuracy",
        "ratio",
        "of_ceiling",
        "what ran");
    for (Measurement m : results) {
      Double ofCeiling = fractionOfCeiling(m, results);
      out.printf(
          Locale.ROOT,
          "%-11s %7d %7d %9s %9.1f %13.0f %14.4f %9.2f %11s  %s%s%n",
          m.system(),
          m.workers(),
          m.threads(),
          Double.isNaN(m.prepareSeconds())
              ? "-"
              : String.format(Locale.ROOT, "%.1f", m.prepareSeconds()),
          m.trainSeconds(),
          m.examplesPerSecond(),
          m.testAccuracy(),
          m.examplesPerSecond() / plain,
          ofCeiling == null ? "" : String.format(Locale.ROOT, "%.2f", ofCeiling),
          m.detail(),
          m.isDefault() ? " (default engine)" : "");
    }
    for (Measurement m : results) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("system", m.system());
      line.put("workers", m.workers());
      line.put("threads", m.threads());
      line.put(
          "prepare_s",
          Double.isNaN(m.prepareSeconds()) ? null : Math.round(m.prepareSeconds() * 100) / 100.0);
      line.put("train_s", Math.round(m.trainSeconds() * 100) / 100.0);
      line.put("examples_per_s", Math.round(m.examplesPerSecond()));
      line.put("test_accuracy", Math.round(m.testAccuracy() * 10_000) / 10_000.0);
      line.put(
          "ratio_to_plain_dl4j",
          Double.isNaN(plain) ? null : Math.round(m.examplesPerSecond() / plain * 100) / 100.0);
      if (m.system().equals("runway")) {
        Double ofCeiling = fractionOfCeiling(m, results);
        line.put(
            "fraction_of_ceiling", ofCeiling == null ? null : Math.round(ofCeiling * 100) / 100.0);
      }
      line.put("default", m.isDefault());
      out.println(Json.line(line));
    }
    out.flush();
  }

  private static Double fractionOfCeiling(Measurement m, List<Measurement> results) {
    if (!m.system().equals("runway")) {
      return null;
    }
    return results.stream()
        .filter(c -> m.workers() == 1
            ? c.system().equals("plain-dl4j") && c.threads() == 1
            : c.system().equals("ceiling") && c.workers() == m.workers())
        .findFirst()
        .map(c -> m.examplesPerSecond() / c.examplesPerSecond())
        .orElse(null);
  }

  static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}
