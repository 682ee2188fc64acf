package dev.runway.cli;

import dev.runway.apply.ScoreJob;
import dev.runway.artifacts.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Applies a committed run to new rows and commits the predictions; prints one JSON line. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = "Score new rows with a committed run into a committed Parquet output.")
final class ScoreCommand implements Callable<Integer> {
  @Mixin
  ApplyOptions apply;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--keep",
      split = ",",
      paramLabel = "COLUMN",
      description =
          "Input columns to carry next to the predictions (default: every one the run's SQL passes through).")
  List<String> keep;

  @Override
  public Integer call() {
    ScoreJob.Request request =
        new ScoreJob.Request(apply.input, apply.output, keep, apply.overwrite);
    ScoreJob.Result result = apply.committedOr(
        hadoop -> ScoreJob.committed(hadoop, request),
        "score",
        false,
        (spark, run) -> ScoreJob.run(spark, run, request));
    spec.commandLine().getOut().println(Json.line(result.toJson()));
    return Main.ok();
  }
}
