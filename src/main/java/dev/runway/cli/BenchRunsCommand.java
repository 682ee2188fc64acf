package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.bench.RegistryBench;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The registry benchmark's in-process half (scripts/bench-runs): one JSON line per figure. */
@Command(
    name = "bench-runs",
    mixinStandardHelpOptions = true,
    description = "Commit stub runs, index them, and time reading the index back.")
final class BenchRunsCommand implements Callable<Integer> {
  @Option(names = "--root", required = true, paramLabel = "URI", description = "Output root.")
  String root;

  @Option(names = "--runs", paramLabel = "N", description = "Stub runs (default 10000).")
  int runs = 10_000;

  @Option(
      names = "--live-adds",
      paramLabel = "N",
      description = "Runs added through the live path afterwards (default 20).")
  int liveAdds = 20;

  @Mixin
  OverrideOptions settings;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    List<RegistryBench.Figure> figures = RegistryBench.run(settings.hadoop(), root, runs, liveAdds);
    figures.forEach(f -> spec.commandLine().getOut().println(Json.line(RegistryBench.toJson(f))));
    return Main.ok();
  }
}
