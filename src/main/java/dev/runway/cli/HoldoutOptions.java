package dev.runway.cli;

import dev.runway.run.FittedRun;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** What compare and promote share: the labelled holdout both runs predict, and how to read it. */
final class HoldoutOptions {
  @Option(
      names = "--input",
      required = true,
      paramLabel = "URI",
      description = "The labelled holdout, read like each run's training source.")
  String input;

  @Option(
      names = "--row-key",
      paramLabel = "COLUMN",
      description =
          "Input column that identifies a row (default: a stable hash of the row's values).")
  String rowKey;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "Read the holdout as parquet, csv or json instead of the training source's"
          + " format (then without its reader options and schema).")
  String format;

  @Option(
      names = "--batch-rows",
      paramLabel = "N",
      defaultValue = "1024",
      description =
          "Most rows per minibatch when a neural network predicts (default: ${DEFAULT-VALUE}); fewer"
              + " where one pass over them would take more than 16 MB, as in convolutional networks.")
  int batchRows;

  /** Loads a run pointed at the holdout (its source filter applies, as in evaluate). */
  FittedRun load(SparkSession spark, String run, List<String> sets) {
    return ApplyOptions.load(spark, run, input, format, true, batchRows, sets);
  }
}
