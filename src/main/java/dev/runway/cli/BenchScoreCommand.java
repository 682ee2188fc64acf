package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.bench.ScoreBench;
import dev.runway.bench.ScoreBench.Timing;
import dev.runway.error.JobConfigException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The scoring benchmark (scripts/bench-score): {@code score} against the bare Spark path per run,
 * and a network's minibatch scoring against one row at a time. Prints a table, then a JSON line
 * per row.
 */
@Command(
    name = "bench-score",
    mixinStandardHelpOptions = true,
    description =
        "Time the score command against bare Spark scoring of the same runs, in one session.")
final class BenchScoreCommand implements Callable<Integer> {
  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--run",
      required = true,
      paramLabel = "URI",
      description = "A committed logistic-regression or neural-network run (repeatable).")
  List<String> runs;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "URI",
      description = "Parquet rows to score (throughput).")
  String input;

  @Option(
      names = "--small-input",
      required = true,
      paramLabel = "URI",
      description =
          "A smaller Parquet input of the same shape: the warm-up, and the batching comparison.")
  String smallInput;

  @Option(
      names = "--work",
      required = true,
      paramLabel = "DIR",
      description = "Where outputs go (each is deleted once timed).")
  String work;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "Timed repeats of each path (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--batching-repeats",
      defaultValue = "3",
      description =
          "Timed repeats of each batch size; 0 leaves the comparison out (default: ${DEFAULT-VALUE}).")
  int batchingRepeats;

  @Option(
      names = "--batch-rows",
      defaultValue = "1024",
      description = "Most rows per minibatch of network scoring (default: ${DEFAULT-VALUE}).")
  int batchRows;

  @Override
  public Integer call() {
    if (repeats < 1 || batchingRepeats < 0 || batchRows < 1) {
      throw new JobConfigException(
          "--repeats and --batch-rows must be at least 1, --batching-repeats at least 0");
    }
    SparkSession spark = sparkOptions.session("runway bench-score", Map.of(), Map.of());
    String master = spark.sparkContext().master();
    double loadBefore = ScoreBench.loadAverage();
    ScoreBench bench =
        new ScoreBench(spark, (run, in, out, batch) -> score(master, run, in, out, batch), work);
    List<Timing> results = new ArrayList<>();
    for (String run : runs) {
      results.addAll(bench.throughput(run, input, smallInput, repeats, batchRows));
    }
    for (String run : runs) {
      if (batchingRepeats > 0 && bench.modelKind(run).equals("neural-network")) {
        results.addAll(bench.batching(run, smallInput, batchingRepeats, batchRows));
      }
    }
    print(
        spec.commandLine().getOut(),
        results,
        master,
        ScoreBench.blas(),
        loadBefore,
        ScoreBench.loadAverage());
    return Main.ok();
  }

  /** The real {@code score} command, in this JVM and session. */
  private static long score(String master, String run, String input, String output, int batchRows) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        "score",
        "--run",
        run,
        "--input",
        input,
        "--output",
        output,
        "--batch-rows",
        Integer.toString(batchRows),
        "--master",
        master);
    if (code != 0) {
      throw new IllegalStateException("score exited " + code + ": " + err);
    }
    return ((Number) Json.parse(out.toString().strip()).get("rows")).longValue();
  }

  static void print(
      PrintWriter out,
      List<Timing> results,
      String master,
      String blas,
      double loadBefore,
      double loadAfter) {
    int cores = Runtime.getRuntime().availableProcessors();
    out.printf(
        Locale.ROOT,
        "machine: %s, %d cores, %s, Java %s, Spark master %s; BLAS: %s; load average %.1f before, %.1f after%n",
        BenchCommand.cpuModel(),
        cores,
        System.getProperty("os.arch"),
        System.getProperty("java.version"),
        master,
        blas,
        loadBefore,
        loadAfter);
    out.printf(
        Locale.ROOT,
        "%-10s %-19s %-5s %5s %9s %8s %8s %8s %10s %7s  %s%n",
        "measure",
        "model",
        "path",
        "batch",
        "rows",
        "best_s",
        "median_s",
        "cpu_s",
        "rows/s",
        "ratio",
        "ratio of");
    List<Map<String, Object>> lines = new ArrayList<>();
    for (Timing t : results) {
      Timing base = baseline(t, results);
      double ratio = t.rowsPerSecond() / base.rowsPerSecond();
      String of = t.measure().equals("throughput") ? "rows/s to bare" : "rows/s to batch 1";
      out.printf(
          Locale.ROOT,
          "%-10s %-19s %-5s %5s %9d %8.2f %8.2f %8.2f %10.0f %7.2f  %s%n",
          t.measure(),
          t.model(),
          t.path(),
          t.batchRows() == 0 ? "-" : Integer.toString(t.batchRows()),
          t.rows(),
          t.best(),
          t.median(),
          t.medianCpu(),
          t.rowsPerSecond(),
          ratio,
          of);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("measure", t.measure());
      line.put("model", t.model());
      line.put("path", t.path());
      line.put("batch_rows", t.batchRows() == 0 ? null : t.batchRows());
      line.put("rows", t.rows());
      line.put(
          "seconds", t.seconds().stream().map(s -> Math.round(s * 100) / 100.0).toList());
      line.put("best_s", Math.round(t.best() * 100) / 100.0);
      line.put("median_s", Math.round(t.median() * 100) / 100.0);
      line.put(
          "cpu_seconds",
          t.cpuSeconds().stream().map(s -> Math.round(s * 100) / 100.0).toList());
      line.put("rows_per_s", Math.round(t.rowsPerSecond()));
      line.put(
          t.measure().equals("throughput") ? "ratio_to_bare" : "ratio_to_batch_1",
          Math.round(ratio * 100) / 100.0);
      line.put("cpu_ratio", Math.round(base.medianCpu() / t.medianCpu() * 100) / 100.0);
      line.put("cores", cores);
      line.put("blas", blas);
      lines.add(line);
    }
    lines.forEach(l -> out.println(Json.line(l)));
    out.flush();
  }

  /** What a row is held against: bare for throughput, one row per batch for batching. */
  private static Timing baseline(Timing t, List<Timing> results) {
    return results.stream()
        .filter(b -> b.measure().equals(t.measure())
            && b.model().equals(t.model())
            && (t.measure().equals("throughput") ? b.path().equals("bare") : b.batchRows() == 1))
        .findFirst()
        .orElse(t);
  }
}
