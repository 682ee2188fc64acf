package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.monitor.DriftJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Checks a batch of rows for drift against a run's reference profile; prints one JSON line. */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    description = "Compare new rows with the data a run was trained on, column by column:"
        + " drift.json with the tests, the bins side by side and whether to retrain, committed.")
final class DriftCommand implements Callable<Integer> {
  @Mixin
  ApplyOptions apply;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    DriftJob.Request request = new DriftJob.Request(apply.input, apply.output, apply.overwrite);
    // The run's source filter applies, as in training: the profile is of the rows that pass it.
    DriftJob.Result result = apply.committedOr(
        hadoop -> DriftJob.committed(hadoop, request),
        "drift",
        true,
        (spark, run) -> DriftJob.run(spark, run, request));
    spec.commandLine().getOut().println(Json.line(result.toJson()));
    return Main.ok();
  }
}
