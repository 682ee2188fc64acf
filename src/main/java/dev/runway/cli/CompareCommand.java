package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.compare.CompareJob;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Compares two committed runs on one holdout and commits the verdict; prints one JSON line. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = "Compare a candidate run with a baseline on the same labelled rows: paired tests,"
        + " bootstrap intervals and the gate's decision in verdict.json, committed.")
final class CompareCommand implements Callable<Integer> {
  @Option(
      names = "--baseline",
      required = true,
      paramLabel = "URI",
      description = "The committed run to beat (e.g. the one in production).")
  String baseline;

  @Option(
      names = "--candidate",
      required = true,
      paramLabel = "URI",
      description = "The committed run that may replace it. Its job file's compare and gate"
          + " sections (and --set) decide the resamples and the gate.")
  String candidate;

  @Mixin
  HoldoutOptions holdout;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "URI",
      description =
          "Directory of the committed verdict. Re-running into a committed one is a no-op.")
  String output;

  @Option(names = "--overwrite", description = "Replace the output if it is already committed.")
  boolean overwrite;

  @Mixin
  OverrideOptions settings;

  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    CompareJob.Request request = new CompareJob.Request(
        baseline, candidate, holdout.input, output, holdout.rowKey, overwrite);
    CompareJob.Result result = CompareJob.committed(
            sparkOptions.hadoop(settings.overrides), request)
        .orElseGet(() -> {
          SparkSession spark = sparkOptions.session("runway compare", settings.overrides);
          return CompareJob.run(
              spark,
              () -> holdout.load(spark, baseline, settings.overrides),
              () -> holdout.load(spark, candidate, settings.overrides),
              request);
        });
    spec.commandLine().getOut().println(Json.line(result.toJson()));
    return Main.ok();
  }
}
