package dev.runway.cli;

import dev.runway.apply.EvaluateJob;
import dev.runway.artifacts.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Measures a committed run on labelled rows and commits its metrics and predictions; prints one JSON line. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Measure a committed run on labelled data: metrics.json and per-row predictions, committed.")
final class EvaluateCommand implements Callable<Integer> {
  @Mixin
  ApplyOptions apply;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--row-key",
      paramLabel = "COLUMN",
      description =
          "Input column that identifies a row (default: a stable hash of the row's values).")
  String rowKey;

  @Override
  public Integer call() {
    EvaluateJob.Request request =
        new EvaluateJob.Request(apply.input, apply.output, rowKey, apply.overwrite);
    EvaluateJob.Result result = apply.committedOr(
        hadoop -> EvaluateJob.committed(hadoop, request),
        "evaluate",
        true,
        (spark, run) -> EvaluateJob.run(spark, run, request));
    spec.commandLine().getOut().println(Json.line(result.toJson()));
    return Main.ok();
  }
}
