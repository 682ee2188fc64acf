package dev.runway.apply;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static dev.runway.features.Columns.RAW;
import static dev.runway.features.Columns.ROW_KEY;
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
import dev.runway.run.EvaluationMetrics;
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
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
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
  /** The row key's column in the predictions when no --row-key names one. */
  public static final String ROW_KEY_COLUMN = "row_key";
  /** The true label's column in the predictions. */
  public static final String LABEL_COLUMN = "label";
  /** Seed of the row hash: fixed, so the key of a row is the same for every run and every day. */
  private static final long ROW_KEY_SEED = 42L;

  private EvaluateJob() {}

  /**
   * @param rowKey an input column that identifies a row; null for a hash of the row's values
   */
  public record Request(String input, String output, String rowKey, boolean overwrite) {}

  /** The outcome, printed as one JSON line. */
  public record Result(
      String status, String runId, long rows, String outputUri, Map<String, Object> metrics) {
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
    RunDirectory out =
        RunDirectory.at(spark.sparkContext().hadoopConfiguration(), request.output());
    RunWriter.Outcome<Result> outcome = RunWriter.of(out, "evaluation")
        .write(request.overwrite(), false, dir -> evaluate(spark, run.get(), request, dir));
    if (outcome.alreadyCommitted()) {
      EvaluationMetrics metrics =
          Json.read(out.readText(RunFiles.METRICS), EvaluationMetrics.class);
      return new Result(
          outcome.status(),
          metrics.runId(),
          metrics.rows(),
          out.uri(),
          headline(metrics.metrics()));
    }
    return outcome.value();
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
      String key = request.rowKey() == null ? ROW_KEY : request.rowKey();
      if (request.rowKey() == null) {
        rows = rows.withColumn(ROW_KEY, rowHash(rows, List.of(rows.columns())));
      } else if (!List.of(rows.columns()).contains(request.rowKey())) {
        throw new DataException("Cannot key rows by column '" + request.rowKey()
            + "' (--row-key): input " + request.input() + " has no such column (it has: "
            + String.join(", ", source.rows().columns()) + ")");
      }
      Dataset<Row> applied = run.apply(rows, true, request.input());
      String keyedBy =
          request.rowKey() == null ? "xxhash64 of the input row's values" : request.rowKey();
      if (!List.of(applied.columns()).contains(key)) {
        if (request.rowKey() != null) {
          throw new DataException(
              "Cannot key rows by column '" + key + "' (--row-key): the run's features.sql"
                  + " does not pass it through to its training table (select it there, e.g. SELECT *, ...)");
        }
        // The statements select their own columns: the input row is gone by now, so the key is
        // a hash of the training-table row (the label left out). Stable for the same job's SQL;
        // to join runs whose SQL differs, name a --row-key column both pass through.
        List<String> tableColumns = new ArrayList<>(
            List.of(run.table(source.rows(), true, request.input()).columns()));
        tableColumns.removeIf(c -> c.startsWith("_") || c.equals(target.column()));
        applied = applied.withColumn(ROW_KEY, rowHash(applied, tableColumns));
        keyedBy =
            "xxhash64 of the training-table row's values (the run's SQL does not pass the input row through)";
        LOG.warn(
            "warning: the run's features.sql drops input columns: rows are keyed by a hash of the"
                + " training-table row; pass --row-key COLUMN (kept by the SQL) to join runs with other SQL");
      }
      Column valid = validLabel(target);
      Dataset<Row> predicted = applied
          .select(
              col(quote(key)).as(request.rowKey() == null ? ROW_KEY_COLUMN : key),
              col(quote(target.column())).as(LABEL_COLUMN),
              col(LABEL),
              col(PREDICTION),
              target.classification() ? col(PROBABILITY) : lit(null).as(PROBABILITY),
              target.classification() ? col(RAW) : lit(null).as(RAW),
              valid.as("_valid"))
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        List<Column> written = new ArrayList<>();
        written.add(col(quote(request.rowKey() == null ? ROW_KEY_COLUMN : key)));
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
        Dataset<Row> scoredRows = predicted.filter(col("_valid"));
        Map<String, Object> metrics = Failures.guard(
            TrainingException::new,
            "compute metrics",
            () -> Metrics.of(
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
            new Result("committed", run.runId(), rowsIn, dir.uri(), headline(metrics)));
      } finally {
        predicted.unpersist();
      }
    }
  }

  /**
   * A label the run can score against: for classification one of its classes (a value never seen
   * in training has no index, or one out of range when labels are indices); for regression a
   * finite number.
   */
  private static Column validLabel(Target target) {
    Column label = col(LABEL);
    if (target.classification()) {
      return label
          .isNotNull()
          .and(label.geq(0))
          .and(label.lt(target.classes().size()))
          .and(label.equalTo(functions.floor(label)));
    }
    return label
        .isNotNull()
        .and(functions.not(functions.isnan(label)))
        .and(functions.abs(label).notEqual(Double.POSITIVE_INFINITY));
  }

  /** How many rows had a label the run cannot score against, and the most frequent such values. */
  private static EvaluationMetrics.UnseenLabels unseenLabels(Dataset<Row> predicted) {
    List<Row> counts = predicted
        .filter(functions.not(col("_valid")))
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

  /** A seeded 64-bit hash of every column of a simple type: the same row gives the same key. */
  private static Column rowHash(Dataset<Row> rows, List<String> columns) {
    List<Column> hashed = new ArrayList<>();
    hashed.add(lit(ROW_KEY_SEED));
    for (StructField f : rows.schema().fields()) {
      // Membership and type both decide: without the parentheses (as first written) every string,
      // boolean, date or binary column was hashed whether listed or not, so a string label the
      // training-table key leaves out still went in, and a relabelled row changed its key.
      if (columns.contains(f.name())
          && (f.dataType() instanceof NumericType
              || f.dataType() instanceof StringType
              || f.dataType() instanceof BooleanType
              || f.dataType() instanceof DateType
              || f.dataType() instanceof TimestampType
              || f.dataType() instanceof BinaryType)) {
        hashed.add(col(quote(f.name())));
      }
    }
    return functions.xxhash64(hashed.toArray(Column[]::new));
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

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
