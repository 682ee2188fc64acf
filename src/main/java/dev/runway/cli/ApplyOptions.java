package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.compare.AliasedRun;
import dev.runway.error.JobConfigException;
import dev.runway.run.FittedRun;
import dev.runway.run.OutputLineage.AliasReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code score} and {@code evaluate} share: the run, the input, the output and how to read. */
final class ApplyOptions {
  @Option(
      names = "--run",
      required = true,
      paramLabel = "URI",
      description = "The committed run to apply, or alias:NAME@ROOT_URI for the run an alias"
          + " of that output root points at (e.g. alias:champion@s3a://bucket/runs).")
  String run;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "URI",
      description =
          "Rows to apply it to, read like the run's training source (format, options, schema).")
  String input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "URI",
      description =
          "Directory of the committed output. Re-running into a committed one is a no-op.")
  String output;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "Read the input as parquet, csv or json instead of the training source's format"
          + " (then without its reader options and schema: add --set source.options.* as needed).")
  String format;

  @Option(names = "--overwrite", description = "Replace the output if it is already committed.")
  boolean overwrite;

  @Option(
      names = "--batch-rows",
      paramLabel = "N",
      defaultValue = "1024",
      description =
          "Most rows per minibatch when a neural network scores (default: ${DEFAULT-VALUE}); fewer"
              + " where one pass over them would take more than 16 MB, as in convolutional networks.")
  int batchRows;

  @Mixin
  OverrideOptions settings;

  @Mixin
  SparkOptions sparkOptions;

  /** A session whose storage settings reach the run, the input and the output. */
  SparkSession session(String command) {
    return sparkOptions.session("runway " + command, settings.overrides);
  }

  /**
   * A retry's committed result, read before any session starts, or else the work: {@code work}
   * gets a session and the run, loaded only if it asks (see {@link #load(SparkSession,
   * boolean)}).
   */
  <R> R committedOr(
      Function<Configuration, Optional<R>> committed,
      String command,
      boolean applyFilter,
      BiFunction<SparkSession, Supplier<FittedRun>, R> work) {
    return committed.apply(sparkOptions.hadoop(settings.overrides)).orElseGet(() -> {
      SparkSession spark = session(command);
      return work.apply(spark, () -> load(spark, applyFilter));
    });
  }

  /** Loads the run, its saved source settings pointed at the input. */
  FittedRun load(SparkSession spark, boolean applyFilter) {
    return load(spark, run, input, format, applyFilter, batchRows, settings.overrides);
  }

  /**
   * Loads the run at {@code uri} with its saved source settings pointed at {@code input}: what
   * score, evaluate, compare and promote share.
   *
   * @param format the input's format when it differs from the training source's; null if not
   * @param applyFilter whether the source's filter applies (not when scoring: every row gets a
   *     prediction)
   */
  static FittedRun load(
      SparkSession spark,
      String uri,
      String input,
      String format,
      boolean applyFilter,
      int batchRows,
      List<String> sets) {
    if (batchRows < 1) {
      throw new JobConfigException("--batch-rows must be at least 1, not " + batchRows);
    }
    List<String> overrides = new ArrayList<>();
    overrides.add("source.path = " + Json.line(input));
    if (format != null) {
      overrides.add("source.format = " + Json.line(format));
      overrides.add("source.options = {}");
      overrides.add("source.schema = \"\"");
    }
    if (!applyFilter) {
      overrides.add("source.filter = \"\"");
    }
    overrides.addAll(sets);
    Optional<AliasedRun> aliased = AliasedRun.parse(uri);
    if (aliased.isEmpty()) {
      return FittedRun.load(spark, uri, overrides, batchRows);
    }
    AliasReference alias = aliased.get().resolve(spark.sparkContext().hadoopConfiguration());
    return FittedRun.load(spark, alias.runUri(), overrides, batchRows).namedBy(alias);
  }
}
