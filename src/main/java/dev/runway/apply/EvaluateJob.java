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
import dev.runway.error.TrainingException;
import dev.runway.eval.Metrics;
import dev.runway.features.Target;
import dev.runway.job.Failures;
import dev.runway.registry.RunOutputs;
import dev.runway.run.EvaluationMetrics;
import dev.runway.run.FittedRun;
import dev.runway.run.KeyedPredictions;
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
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code evaluate} command's work: a committed run measured on labelled rows with the same
 * metrics as training's test split. The output holds {@value RunFiles#METRICS} and, under
 * {@value RunFiles#PREDICTIONS}/, each row's prediction keyed by {@code --row-key} or by a stable
 * hash of the input row, so that two runs' predictions on one holdout join row by row.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  private static final String LABEL_COLUMN = KeyedPredictions.LABEL_COLUMN;

  private EvaluateJob() {}

  /**
   * @param rowKey an input column that identifies a row; null for a hash of the row's values
   */
  public record Request(String input, String output, String rowKey, boolean overwrite) {}

  /**
   * The outcome, printed as one JSON line.
   *
   * @param runUri the run evaluated, for its report's pointer (not printed)
   */
  public record Result(
      String status,
      String runId,
      long rows,
      String outputUri,
      Map<String, Object> metrics,
      String runUri) {
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("run_id", runId);
      m.put("rows", rows);
      m.put("output_uri", outputUri);
      m.put("metrics", metrics);
      return m;
    }
  }

  /**
   * Evaluates into a committed output. {@code run} is loaded only when there is work to do: a
   * scheduler's retry into a committed output returns at once, without loading the run.
   */
  public static Result run(SparkSession spark, Supplier<FittedRun> run, Request request) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    RunDirectory out = RunDirectory.at(hadoop, request.output());
    RunWriter.Outcome<Result> outcome = RunWriter.of(out, "evaluation")
        .write(request.overwrite(), false, dir -> evaluate(spark, run.get(), request, dir));
    return recorded(
        hadoop,
        outcome.alreadyCommitted() ? committed(out) : outcome.value(),
        out,
        !outcome.alreadyCommitted());
  }

  /**
   * The result of the evaluation committed at {@code request.output()}, if there is one to keep
   * (no {@code --overwrite}): what a retry returns, read before any session starts.
   */
  public static Optional<Result> committed(Configuration hadoop, Request request) {
    return RunWriter.of(RunDirectory.at(hadoop, request.output()), "evaluation")
        .committed(request.overwrite())
        .map(out -> recorded(hadoop, committed(out), out, false));
  }

  /**
   * {@code result}, recorded as an output of its run for the run's report; a retry into a
   * committed output ({@code fresh} false) records it too, if it is missing.
   */
  private static Result recorded(
      Configuration hadoop, Result result, RunDirectory out, boolean fresh) {
    RunOutputs.addQuietly(hadoop, result.runUri(), "evaluate", out.uri(), RunFiles.METRICS, fresh);
    return result;
  }

  private static Result committed(RunDirectory out) {
    EvaluationMetrics metrics = Json.read(out.readText(RunFiles.METRICS), EvaluationMetrics.class);
    return new Result(
        "already-committed",
        metrics.runId(),
        metrics.rows(),
        out.uri(),
        headline(metrics.metrics()),
        Json.read(out.readText(RunFiles.LINEAGE), OutputLineage.class).run().uri());
  }

  private static RunWriter.Commit<Result> evaluate(
      SparkSession spark, FittedRun run, Request request, RunDirectory dir) {
    Instant started = Instant.now();
    Target target = run.target();
    spark.sparkContext().setJobDescription("runway evaluate " + run.job() + "/" + run.runId());
    LOG.info("Evaluating run {} on {}", run.uri(), request.input());
    ApplyInputs.requireExists(spark, request.input());
    try (Source source = SourceReader.read(spark, run.settings().source())) {
      Observation in = new Observation("rows_in");
      Dataset<Row> rows = source.rows().observe(in, count(lit(1)).as("rows"));
      KeyedPredictions keyed = KeyedPredictions.of(run, rows, request.rowKey(), request.input());
      String keyedBy = keyed.keyedBy();
      Dataset<Row> predicted = keyed.rows().persist(StorageLevel.MEMORY_AND_DISK());
      try {
        List<Column> written = new ArrayList<>();
        written.add(col(quote(keyed.keyColumn())));
        written.add(col(LABEL_COLUMN));
        written.addAll(NamedPredictions.columns(target));
        Observation out = new Observation("rows_out");
        Dataset<Row> perRow = predicted
            .select(written.toArray(Column[]::new))
            .observe(out, count(lit(1)).as("rows"));
        Failures.guard(DataException::new, "evaluate on " + request.input(), () -> {
          perRow.write().mode(SaveMode.ErrorIfExists).parquet(dir.resolve(RunFiles.PREDICTIONS));
          return null;
        });
        long rowsIn = ApplyInputs.rows(in);
        EvaluationMetrics.UnseenLabels unseen = unseenLabels(predicted);
        Dataset<Row> scoredRows = predicted.filter(col(KeyedPredictions.VALID));
        Map<String, Object> metrics = Failures.guard(
            TrainingException::new,
            "compute metrics",
            () -> Metrics.withCurves(
                scoredRows,
                target,
                run.settings().evaluate(),
                run.settings().split().seed()));

        EvaluationMetrics file = new EvaluationMetrics(
            "evaluate",
            run.job(),
            run.runId(),
            target.task(),
            target.classes(),
            request.input(),
            rowsIn,
            unseen,
            keyedBy,
            metrics);
        dir.writeText(RunFiles.METRICS, Json.pretty(file));

        OutputLineage lineage = new OutputLineage(
            "evaluate",
            RunReference.of(run),
            ApplyInputs.describe(spark, request.input()),
            source.malformedLineage().orElse(null),
            rowsIn,
            ApplyInputs.rows(out),
            List.of(perRow.columns()),
            started.toString(),
            Instant.now().toString(),
            ApplyInputs.sparkFacts(spark));
        dir.writeText(RunFiles.LINEAGE, Json.pretty(lineage));
        LOG.info("Evaluated run {} on {} rows: {}", run.runId(), rowsIn, headline(metrics));
        return new RunWriter.Commit<>(
            ManifestHeader.derived(ManifestHeader.EVALUATION, run.job(), run.runId()),
            new Result("committed", run.runId(), rowsIn, dir.uri(), headline(metrics), run.uri()));
      } finally {
        predicted.unpersist();
      }
    }
  }

  /** How many rows had a label the run cannot score against, and the most frequent such values. */
  private static EvaluationMetrics.UnseenLabels unseenLabels(Dataset<Row> predicted) {
    List<Row> counts = predicted
        .filter(functions.not(col(KeyedPredictions.VALID)))
        .groupBy(col(LABEL_COLUMN).cast("string"))
        .count()
        .orderBy(col("count").desc())
        .collectAsList();
    long total = counts.stream().mapToLong(r -> r.getLong(1)).sum();
    Map<String, Long> values = new LinkedHashMap<>();
    counts.stream()
        .limit(20)
        .forEach(r -> values.put(r.isNullAt(0) ? "null" : r.getString(0), r.getLong(1)));
    if (total > 0) {
      LOG.warn(
          "warning: {} rows have a label the run never saw in training ({}): left out of the metrics",
          total,
          values.keySet());
    }
    return new EvaluationMetrics.UnseenLabels(total, values);
  }

  /** The scalar metrics, for the JSON line. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> headline(Object metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (metrics instanceof Map<?, ?> m) {
      ((Map<String, Object>) m).forEach((k, v) -> {
        if (v instanceof Number) {
          out.put(k, v);
        }
      });
    }
    return out;
  }
}
