package dev.runway.monitor;

import static org.apache.spark.sql.functions.col;

import dev.runway.apply.ApplyInputs;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.config.MonitorSettings;
import dev.runway.data.Source;
import dev.runway.data.SourceReader;
import dev.runway.error.DataException;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import dev.runway.job.Failures;
import dev.runway.profile.ColumnProfile;
import dev.runway.profile.Profiler;
import dev.runway.profile.ReferenceProfile;
import dev.runway.registry.RunOutputs;
import dev.runway.run.FittedRun;
import dev.runway.run.InputContract;
import dev.runway.run.InputContract.TypeChange;
import dev.runway.run.ManifestHeader;
import dev.runway.run.OutputLineage;
import dev.runway.run.OutputLineage.RunReference;
import dev.runway.run.RunFiles;
import dev.runway.run.RunWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code drift} command's work: a new batch of rows against the reference profile a run saved
 * at training time. The run's SQL statements and model are applied to the batch, and every
 * profiled column (features, the label when the batch has it, the predictions) is counted into
 * the reference's bins in one pass; then each column is tested ({@link DriftRule}) and the
 * verdict committed as {@value #REPORT}.
 */
public final class DriftJob {
  private static final Logger LOG = LoggerFactory.getLogger(DriftJob.class);

  /** The committed report. */
  public static final String REPORT = "drift.json";

  private DriftJob() {}

  public record Request(String input, String output, boolean overwrite) {}

  /**
   * The outcome, printed as one JSON line.
   *
   * @param runUri the run checked against, for its report's pointer (not printed)
   */
  public record Result(
      String status,
      String runId,
      long rows,
      boolean retrain,
      List<String> driftedColumns,
      String outputUri,
      String runUri) {
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("run_id", runId);
      m.put("rows", rows);
      m.put("retrain", retrain);
      m.put("drifted_columns", driftedColumns);
      m.put("output_uri", outputUri);
      return m;
    }
  }

  /**
   * Checks into a committed output. {@code run} is loaded only when there is work to do: a
   * scheduler's retry into a committed output returns the committed verdict at once.
   */
  public static Result run(SparkSession spark, Supplier<FittedRun> run, Request request) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    RunDirectory out = RunDirectory.at(hadoop, request.output());
    RunWriter.Outcome<Result> outcome = RunWriter.of(out, "drift report")
        .write(request.overwrite(), false, dir -> check(spark, run.get(), request, dir));
    return recorded(
        hadoop,
        outcome.alreadyCommitted() ? committed(out) : outcome.value(),
        out,
        !outcome.alreadyCommitted());
  }

  /**
   * The verdict of the drift report committed at {@code request.output()}, if there is one to
   * keep (no {@code --overwrite}): what a retry returns, read before any session starts.
   */
  public static Optional<Result> committed(Configuration hadoop, Request request) {
    return RunWriter.of(RunDirectory.at(hadoop, request.output()), "drift report")
        .committed(request.overwrite())
        .map(out -> recorded(hadoop, committed(out), out, false));
  }

  /**
   * {@code result}, recorded as an output of its run for the run's report; a retry into a
   * committed output ({@code fresh} false) records it too, if it is missing.
   */
  private static Result recorded(
      Configuration hadoop, Result result, RunDirectory out, boolean fresh) {
    RunOutputs.addQuietly(hadoop, result.runUri(), "drift", out.uri(), REPORT, fresh);
    return result;
  }

  private static Result committed(RunDirectory out) {
    DriftReport report = Json.read(out.readText(REPORT), DriftReport.class);
    return new Result(
        "already-committed",
        report.runId(),
        report.rows(),
        report.verdict().retrain(),
        report.verdict().driftedColumns(),
        out.uri(),
        Json.read(out.readText(RunFiles.LINEAGE), OutputLineage.class).run().uri());
  }

  private static RunWriter.Commit<Result> check(
      SparkSession spark, FittedRun run, Request request, RunDirectory dir) {
    Instant started = Instant.now();
    ReferenceProfile reference = run.profile();
    MonitorSettings settings = run.settings().monitor();
    Target target = run.target();
    spark.sparkContext().setJobDescription("runway drift " + run.job() + "/" + run.runId());
    LOG.info("Checking {} for drift against run {}", request.input(), run.uri());
    ApplyInputs.requireExists(spark, request.input());
    try (Source source = SourceReader.read(spark, run.settings().source())) {
      // Every row is counted in every column's cells: the counts say how many rows were checked.
      // (An Observation would never complete: the counting pass is an RDD action, which Spark's
      // query listeners do not see.)
      Dataset<Row> rows = source.rows();
      boolean labelled = hasLabel(run.contract(), rows);
      List<TypeChange> changes = run.contract().typeChanges(rows.schema(), labelled);
      changes.forEach(c -> LOG.warn("warning: {}", c.describe()));
      Dataset<Row> applied = run.applyTolerantly(rows, labelled, request.input());

      List<String> roles = new ArrayList<>();
      List<Column> values = new ArrayList<>();
      List<ColumnProfile> bins = new ArrayList<>();
      for (ColumnProfile c : reference.columns()) {
        roles.add("feature");
        values.add(col(Columns.quote(c.name())));
        bins.add(c);
      }
      if (labelled) {
        roles.add("label");
        values.add(col(Columns.quote(target.column())));
        bins.add(reference.label());
      }
      roles.add("prediction");
      values.add(ReferenceProfile.predictionSpec(target, settings).value());
      bins.add(reference.prediction());

      List<ColumnProfile> counted = Failures.guard(
          DataException::new,
          "count " + request.input() + " into the run's profile",
          () -> Profiler.count(applied, values, bins));
      long batchRows = counted.get(0).rows();
      if (batchRows == 0) {
        throw new DataException("Input " + request.input() + " has no rows"
            + (run.settings().source().filter().isBlank()
                ? ""
                : " that pass the run's source.filter")
            + ": nothing to check for drift");
      }

      List<String> skipped = new ArrayList<>(reference.skipped());
      List<DriftRule.Binned> tested = new ArrayList<>();
      List<Integer> testedAt = new ArrayList<>();
      for (int i = 0; i < bins.size(); i++) {
        ColumnProfile ref = bins.get(i);
        if (ref.rows() == 0) {
          skipped.add(ref.name() + ": the reference has no rows (an empty "
              + (roles.get(i).equals("prediction") ? "validation" : "training") + " split)");
          continue;
        }
        tested.add(
            new DriftRule.Binned(ref.name(), ref.countArray(), counted.get(i).countArray()));
        testedAt.add(i);
      }
      DriftRule.Result result =
          DriftRule.of(settings.falseAlarmRate(), settings.minPsi()).test(tested);

      Set<String> changedTable = lossilyChanged(changes);
      List<DriftReport.Column> columns = new ArrayList<>();
      List<String> drifted = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      for (int k = 0; k < tested.size(); k++) {
        DriftRule.ColumnTest t = result.columns().get(k);
        int i = testedAt.get(k);
        ColumnProfile ref = bins.get(i);
        boolean typeChanged = changedTable.contains(ref.name());
        boolean isDrifted = t.drifted() || typeChanged;
        List<String> labels = ref.labels();
        long[] current = counted.get(i).countArray();
        List<DriftReport.Bin> side = new ArrayList<>();
        for (int j = 0; j < labels.size(); j++) {
          side.add(new DriftReport.Bin(labels.get(j), ref.counts().get(j), current[j]));
        }
        columns.add(new DriftReport.Column(
            ref.name(),
            roles.get(i),
            ref.kind().toString(),
            t.statistic(),
            t.degreesOfFreedom(),
            t.pValue(),
            t.adjustedPValue(),
            t.psi(),
            settings.minPsi(),
            t.significant(),
            isDrifted,
            side));
        if (t.drifted()) {
          drifted.add(ref.name());
          reasons.add(String.format(
              Locale.ROOT,
              "%s drifted: PSI %.3f >= %s and adjusted p %.3g <= %s (chi-square %.1f, %d df)",
              // "prediction", not "prediction prediction"
              roles.get(i).equals(ref.name()) ? ref.name() : roles.get(i) + " " + ref.name(),
              t.psi(),
              settings.minPsi(),
              t.adjustedPValue(),
              settings.falseAlarmRate(),
              t.statistic(),
              t.degreesOfFreedom()));
        } else if (typeChanged) {
          drifted.add(ref.name());
        }
      }
      for (TypeChange c : changes) {
        if (!c.converts()) {
          reasons.add(c.describe());
        }
      }
      boolean retrain = !reasons.isEmpty();
      if (!retrain) {
        reasons.add(String.format(
            Locale.ROOT,
            "no column drifted: none of %d has both an adjusted p-value <= %s and a PSI >= %s",
            tested.size(),
            settings.falseAlarmRate(),
            settings.minPsi()));
      }
      DriftReport report = new DriftReport(
          "drift",
          run.job(),
          run.runId(),
          request.input(),
          batchRows,
          reference.rows(),
          labelled,
          settings.falseAlarmRate(),
          settings.minPsi(),
          new DriftReport.Verdict(retrain, drifted, reasons),
          columns,
          changes,
          skipped);
      dir.writeText(REPORT, Json.pretty(report));
      dir.writeText(
          RunFiles.LINEAGE,
          Json.pretty(new OutputLineage(
              "drift",
              RunReference.of(run),
              ApplyInputs.describe(spark, request.input()),
              source.malformedLineage().orElse(null),
              batchRows,
              batchRows,
              columns.stream().map(DriftReport.Column::column).toList(),
              started.toString(),
              Instant.now().toString(),
              ApplyInputs.sparkFacts(spark))));
      LOG.info(
          "Drift of {} rows against run {}: {}",
          batchRows,
          run.runId(),
          retrain ? "retrain (" + String.join("; ", reasons) + ")" : reasons.get(0));
      return new RunWriter.Commit<>(
          ManifestHeader.derived(ManifestHeader.DRIFT, run.job(), run.runId()),
          new Result("committed", run.runId(), batchRows, retrain, drifted, dir.uri(), run.uri()));
    }
  }

  /** Whether the batch has every source column the label is computed from. */
  private static boolean hasLabel(InputContract contract, Dataset<Row> rows) {
    Set<String> present = Arrays.stream(rows.schema().fields())
        .map(StructField::name)
        .map(n -> n.toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
    return !contract.label().isEmpty()
        && contract.label().stream()
            .allMatch(f -> present.contains(f.name().toLowerCase(Locale.ROOT)));
  }

  /**
   * The profiled table columns a lossy type change reaches: those of the same name (a source
   * column the SQL statements pass through). A change to a column the statements only compute
   * from shows in the computed columns' counts, and is a reason of its own either way.
   */
  private static Set<String> lossilyChanged(List<TypeChange> changes) {
    return changes.stream()
        .filter(c -> !c.converts())
        .map(TypeChange::column)
        .collect(Collectors.toSet());
  }
}
