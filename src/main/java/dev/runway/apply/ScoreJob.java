package dev.runway.apply;

import static dev.runway.features.Columns.quote;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.data.Source;
import dev.runway.data.SourceReader;
import dev.runway.error.DataException;
import dev.runway.job.Failures;
import dev.runway.run.FittedRun;
import dev.runway.run.ManifestHeader;
import dev.runway.run.NamedPredictions;
import dev.runway.run.OutputLineage;
import dev.runway.run.OutputLineage.RunReference;
import dev.runway.run.RunFiles;
import dev.runway.run.RunWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code score} command's work: a committed run applied to new rows, the predictions written
 * as a Parquet data set under {@value #DATA}/ of a committed output (see {@link RunWriter}).
 * Every input row is scored: the training source's filter is not applied.
 */
public final class ScoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);
  /** Where in the output the Parquet files are. */
  public static final String DATA = "data";

  private ScoreJob() {}

  /**
   * What to score and where.
   *
   * @param input the input's URI, as the run's source.path would be
   * @param output the output directory's URI
   * @param keep input columns carried next to the predictions; null for every one the run's SQL
   *     passes through
   * @param overwrite replace a committed output
   */
  public record Request(String input, String output, List<String> keep, boolean overwrite) {}

  /** The outcome, printed as one JSON line. */
  public record Result(String status, String runId, long rows, String outputUri) {
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("run_id", runId);
      m.put("rows", rows);
      m.put("output_uri", outputUri);
      return m;
    }
  }

  /**
   * Scores into a committed output. {@code run} is loaded only when there is work to do: a
   * scheduler's retry into a committed output returns at once, without loading the run.
   */
  public static Result run(SparkSession spark, Supplier<FittedRun> run, Request request) {
    RunDirectory out =
        RunDirectory.at(spark.sparkContext().hadoopConfiguration(), request.output());
    RunWriter.Outcome<Result> outcome = RunWriter.of(out, "scores")
        .write(request.overwrite(), false, dir -> score(spark, run.get(), request, dir));
    return outcome.alreadyCommitted() ? committed(out) : outcome.value();
  }

  /**
   * The result of the output committed at {@code request.output()}, if there is one to keep (no
   * {@code --overwrite}): what a retry returns, read before any session starts.
   */
  public static Optional<Result> committed(Configuration hadoop, Request request) {
    return RunWriter.of(RunDirectory.at(hadoop, request.output()), "scores")
        .committed(request.overwrite())
        .map(ScoreJob::committed);
  }

  private static Result committed(RunDirectory out) {
    OutputLineage lineage = Json.read(out.readText(RunFiles.LINEAGE), OutputLineage.class);
    return new Result("already-committed", lineage.run().runId(), lineage.rowsOut(), out.uri());
  }

  private static RunWriter.Commit<Result> score(
      SparkSession spark, FittedRun run, Request request, RunDirectory dir) {
    Instant started = Instant.now();
    spark.sparkContext().setJobDescription("runway score with " + run.job() + "/" + run.runId());
    LOG.info("Scoring {} with run {}", request.input(), run.uri());
    ApplyInputs.requireExists(spark, request.input());
    try (Source source = SourceReader.read(spark, run.settings().source())) {
      Observation in = new Observation("rows_in");
      Dataset<Row> rows = source.rows().observe(in, count(lit(1)).as("rows"));
      List<String> keep = kept(source.rows(), run, request);
      Dataset<Row> applied = run.apply(rows, false, request.input());
      List<Column> columns = new ArrayList<>();
      keep.forEach(c -> columns.add(col(quote(c))));
      columns.addAll(NamedPredictions.columns(run.target()));
      Observation out = new Observation("rows_out");
      Dataset<Row> scored = applied
          .select(columns.toArray(Column[]::new))
          .observe(out, count(lit(1)).as("rows"));
      Failures.guard(DataException::new, "score " + request.input(), () -> {
        scored.write().mode(SaveMode.ErrorIfExists).parquet(dir.resolve(DATA));
        return null;
      });
      long rowsIn = ApplyInputs.rows(in);
      long rowsOut = ApplyInputs.rows(out);
      OutputLineage lineage = new OutputLineage(
          "score",
          RunReference.of(run),
          ApplyInputs.describe(spark, request.input()),
          source.malformedLineage().orElse(null),
          rowsIn,
          rowsOut,
          List.of(scored.columns()),
          started.toString(),
          Instant.now().toString(),
          ApplyInputs.sparkFacts(spark));
      dir.writeText(RunFiles.LINEAGE, Json.pretty(lineage));
      LOG.info("Scored {} of {} rows into {}", rowsOut, rowsIn, dir.uri());
      return new RunWriter.Commit<>(
          ManifestHeader.derived(ManifestHeader.SCORES, run.job(), run.runId()),
          new Result("committed", run.runId(), rowsOut, dir.uri()));
    }
  }

  /**
   * The input columns to carry: {@code --keep}, each of which must be in the input and pass
   * through the run's SQL; by default every input column the SQL passes through.
   */
  private static List<String> kept(Dataset<Row> input, FittedRun run, Request request) {
    List<String> inputColumns = List.of(input.columns());
    List<String> table = List.of(run.table(input, false, request.input()).columns());
    if (request.keep() == null) {
      return inputColumns.stream().filter(table::contains).toList();
    }
    List<String> notInInput =
        request.keep().stream().filter(c -> !inputColumns.contains(c)).toList();
    if (!notInInput.isEmpty()) {
      throw new DataException("Cannot keep column" + (notInInput.size() == 1 ? " " : "s ")
          + String.join(", ", notInInput) + " (--keep): input " + request.input()
          + " has no such column (it has: " + String.join(", ", inputColumns) + ")");
    }
    List<String> dropped =
        request.keep().stream().filter(c -> !table.contains(c)).toList();
    if (!dropped.isEmpty()) {
      throw new DataException(
          "Cannot keep column" + (dropped.size() == 1 ? " " : "s ") + String.join(", ", dropped)
              + " (--keep): the run's features.sql does not pass "
              + (dropped.size() == 1 ? "it" : "them")
              + " through to its training table (select it there, e.g. SELECT *, ...)");
    }
    return request.keep();
  }
}
