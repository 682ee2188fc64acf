package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.error.JobConfigException;
import dev.runway.train.nn.ScaleProbe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The averaging sweep's in-process half (scripts/bench-scale): for each network size and
 * aggregation path, a few rounds of the parameter-averaging engine on the session's executors,
 * one JSON line of medians each.
 */
@Command(
    name = "bench-scale",
    mixinStandardHelpOptions = true,
    description = "Time averaging rounds by part for network sizes and aggregation paths.")
final class BenchScaleCommand implements Callable<Integer> {
  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--sizes",
      defaultValue = "256x128;1200x1200;4600x4600",
      description = "Hidden layers per network, 'x' between layers, ';' between networks"
          + " (default: ${DEFAULT-VALUE}: about 0.25M, 2.5M and 25M parameters).")
  String sizes;

  @Option(
      names = "--aggregations",
      defaultValue = "direct,tree,peers",
      description = "Paths to time (default: ${DEFAULT-VALUE}).")
  String aggregations;

  @Option(names = "--workers", required = true, description = "Workers (one per executor core).")
  int workers;

  @Option(names = "--batch", defaultValue = "32", description = "Minibatch rows (default 32).")
  int batch;

  @Option(names = "--rounds", defaultValue = "5", description = "Rounds, the first untimed.")
  int rounds;

  @Override
  public Integer call() {
    if (workers < 1 || batch < 1 || rounds < 2) {
      throw new JobConfigException("--workers and --batch must be at least 1, --rounds at least 2");
    }
    SparkSession spark = sparkOptions.session("runway bench-scale", Map.of(), Map.of());
    for (String size : sizes.split(";")) {
      List<Integer> hidden = new ArrayList<>();
      Arrays.stream(size.split("x")).map(String::strip).map(Integer::valueOf).forEach(hidden::add);
      for (String path : aggregations.split(",")) {
        if (workers == 1 && path.strip().equals("peers")) {
          continue; // one worker has no peers: it would train on the direct path, timed already
        }
        ScaleProbe.Figures f = ScaleProbe.run(spark, hidden, workers, path.strip(), batch, rounds);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("master", spark.sparkContext().master());
        line.put("hidden", hidden);
        line.put("workers", f.workers());
        line.put("aggregation", f.aggregation());
        line.put("parameters", f.parameters());
        line.put("state_floats", f.stateFloats());
        line.put("rounds", f.rounds());
        line.put("round_s", f.roundS());
        line.put("broadcast_s", f.broadcastS());
        line.put("setup_s", f.setupS());
        line.put("compute_s", f.computeS());
        line.put("aggregate_s", f.aggregateS());
        line.put("driver_s", f.driverS());
        line.put("driver_heap_peak_mb", f.driverHeapPeakBytes() / 1e6);
        line.put("epoch_s", f.epochS());
        line.put("epoch_rounds", f.epochRounds());
        spec.commandLine().getOut().println(Json.line(line));
        spec.commandLine().getOut().flush();
      }
    }
    return Main.ok();
  }
}
