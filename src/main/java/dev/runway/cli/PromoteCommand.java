package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.compare.PromoteJob;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Compares a candidate with the run an alias points at and moves the alias only if the gate
 * passes; prints one JSON line whose status is promoted or rejected (exit code 0 for both).
 */
@Command(
    name = "promote",
    mixinStandardHelpOptions = true,
    description = "Compare a candidate run with the alias's run on a holdout and move the alias"
        + " to it only if the gate passes. Exit code 0 whether promoted or rejected: the JSON"
        + " line's status and verdict.json's decision say which.")
final class PromoteCommand implements Callable<Integer> {
  @Option(
      names = "--candidate",
      required = true,
      paramLabel = "URI",
      description = "The committed run to promote. The alias lives in its output root.")
  String candidate;

  @Option(
      names = "--alias",
      required = true,
      paramLabel = "NAME",
      description = "The alias to move, e.g. champion.")
  String alias;

  @Mixin
  HoldoutOptions holdout;

  @Option(
      names = "--output",
      paramLabel = "URI",
      description = "Directory of the committed verdict (default: ROOT/_verdicts/ALIAS/"
          + "TIME-JOB-RUN_ID, in the output root).")
  String output;

  @Mixin
  OverrideOptions settings;

  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PromoteJob.Request request =
        new PromoteJob.Request(candidate, alias, holdout.input, output, holdout.rowKey);
    PromoteJob.Result result = PromoteJob.committed(
            sparkOptions.hadoop(settings.overrides), request)
        .orElseGet(() -> PromoteJob.run(
            sparkOptions.session("runway promote", settings.overrides),
            (s, uri) -> holdout.load(s, uri, settings.overrides),
            request));
    spec.commandLine().getOut().println(Json.line(result.toJson()));
    return Main.ok();
  }
}
