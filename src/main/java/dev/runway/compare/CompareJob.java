package dev.runway.compare;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.runway.apply.ApplyInputs;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.config.CompareSettings;
import dev.runway.config.CompareSettings.Metric;
import dev.runway.data.Source;
import dev.runway.data.SourceReader;
import dev.runway.error.DataException;
import dev.runway.error.JobConfigException;
import dev.runway.features.Target;
import dev.runway.job.Failures;
import dev.runway.registry.RunOutputs;
import dev.runway.run.FittedRun;
import dev.runway.run.KeyedPredictions;
import dev.runway.run.ManifestHeader;
import dev.runway.run.OutputLineage.RunReference;
import dev.runway.run.RunFiles;
import dev.runway.run.RunWriter;
import dev.runway.stats.McNemar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code compare} command's work: a candidate run against a baseline on one holdout. Both runs
 * predict the same rows (read with each run's own source settings, as {@code evaluate} reads
 * them), joined row by row; the paired tests and intervals run on Spark over the joined rows. The
 * output holds {@value RunFiles#VERDICT} and, under {@value RunFiles#PAIRS}/, both runs'
 * predictions per row.
 */
public final class CompareJob {
  private static final Logger LOG = LoggerFactory.getLogger(CompareJob.class);

  private CompareJob() {}

  /**
   * @param rowKey an input column that identifies a row; null for a hash of the row's values
   */
  public record Request(
      String baseline,
      String candidate,
      String input,
      String output,
      String rowKey,
      boolean overwrite) {}

  /** The outcome, printed as one JSON line. */
  public record Result(
      String status,
      String outcome,
      boolean passesGate,
      List<String> reasons,
      long rows,
      String outputUri) {
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("outcome", outcome);
      m.put("passes_gate", passesGate);
      m.put("reasons", reasons);
      m.put("rows", rows);
      m.put("output_uri", outputUri);
      return m;
    }

    static Result of(String status, Verdict v, String uri) {
      return new Result(
          status,
          v.decision().outcome(),
          v.decision().passesGate(),
          v.decision().reasons(),
          v.rows(),
          uri);
    }
  }

  /**
   * Compares into a committed output. The runs are loaded only when there is work to do: a retry
   * into a committed output returns at once.
   */
  public static Result run(
      SparkSession spark,
      Supplier<FittedRun> baseline,
      Supplier<FittedRun> candidate,
      Request request) {
    RunDirectory out =
        RunDirectory.at(spark.sparkContext().hadoopConfiguration(), request.output());
    RunWriter.Outcome<Verdict> outcome = RunWriter.of(out, "comparison")
        .write(request.overwrite(), false, dir -> {
          FittedRun b = baseline.get();
          FittedRun c = candidate.get();
          Instant started = Instant.now();
          Measured m = measure(spark, Optional.of(b), c, request.input(), request.rowKey(), dir);
          Verdict v = m.verdict("compare", null, started, null, m.decision().reasons());
          dir.writeText(RunFiles.VERDICT, Json.pretty(v));
          return new RunWriter.Commit<>(
              ManifestHeader.derived(ManifestHeader.VERDICT, c.job(), c.runId()), v);
        });
    if (outcome.alreadyCommitted()) {
      return committed(spark.sparkContext().hadoopConfiguration(), out);
    }
    Verdict v = outcome.value();
    recordOutput(
        spark.sparkContext().hadoopConfiguration(),
        "compare",
        v.baseline().uri(),
        v.candidate().uri(),
        out,
        true);
    return Result.of(outcome.status(), v, out.uri());
  }

  /**
   * The verdict committed at {@code request.output()}, if there is one to keep (no {@code
   * --overwrite}): what a retry returns, read before any run is loaded or session started.
   */
  public static Optional<Result> committed(Configuration hadoop, Request request) {
    return RunWriter.of(RunDirectory.at(hadoop, request.output()), "comparison")
        .committed(request.overwrite())
        .map(out -> committed(hadoop, out));
  }

  /** A committed verdict as a retry's result, recorded with its runs if that is missing. */
  private static Result committed(Configuration hadoop, RunDirectory out) {
    Verdict v = Json.read(out.readText(RunFiles.VERDICT), Verdict.class);
    recordOutput(hadoop, "compare", v.baseline().uri(), v.candidate().uri(), out, false);
    return Result.of("already-committed", v, out.uri());
  }

  /**
   * Records a committed verdict as an output of the runs it compared (the baseline, null when
   * there was none, and the candidate), for their reports.
   */
  static void recordOutput(
      Configuration hadoop,
      String command,
      String baselineUri,
      String candidateUri,
      RunDirectory out,
      boolean fresh) {
    for (String run : Arrays.asList(baselineUri, candidateUri)) {
      if (run != null) {
        RunOutputs.addQuietly(hadoop, run, command, out.uri(), RunFiles.VERDICT, fresh);
      }
    }
  }

  /**
   * What a comparison measured, with the gate's decision: shared by compare and promote.
   *
   * @param baseline empty when there is none (promote, alias not set): then only the
   *     candidate's metrics, and the gate checks the floors alone
   */
  record Measured(
      Optional<FittedRun> baseline,
      FittedRun candidate,
      Map<String, Object> input,
      long rows,
      Map<String, Long> rowsLeftOut,
      String keyedBy,
      Map<String, Map<String, Double>> metrics,
      List<Verdict.Test> tests,
      CompareSettings.Gate gate,
      Metric metric,
      Gate.Decision decision) {

    /**
     * The verdict file of this measurement.
     *
     * @param promoted whether promote moved the alias; null for compare
     * @param reasons the gate's reasons, and promote's about the alias
     */
    Verdict verdict(
        String command, String alias, Instant started, Boolean promoted, List<String> reasons) {
      Target target = candidate.target();
      Map<String, Double> floors = new LinkedHashMap<>();
      gate.floors().forEach((k, v) -> floors.put(k.jsonName(), v));
      return new Verdict(
          command,
          baseline.map(RunReference::of).orElse(null),
          RunReference.of(candidate),
          alias,
          input,
          rows,
          rowsLeftOut,
          keyedBy,
          target.task(),
          target.classification() ? target.classes() : null,
          metrics,
          tests,
          new Verdict.GateSettings(metric.jsonName(), gate.minDelta(), gate.alpha(), floors),
          new Verdict.Decision(outcome(), decision.passes(), promoted, reasons),
          started.toString(),
          Instant.now().toString());
    }

    /** What the paired test found, at the gate's alpha. */
    String outcome() {
      if (baseline.isEmpty()) {
        return "candidate-only";
      }
      Verdict.Test paired = tests.get(0);
      if (paired.pValue() >= gate.alpha()) {
        return "no-significant-difference";
      }
      return candidateAhead(paired) ? "candidate-better" : "baseline-better";
    }
  }

  /**
   * Applies both runs to the holdout, writes the joined rows under {@code dir}'s
   * {@value RunFiles#PAIRS}, and measures.
   */
  static Measured measure(
      SparkSession spark,
      Optional<FittedRun> baselineRun,
      FittedRun candidate,
      String input,
      String rowKey,
      RunDirectory dir) {
    baselineRun.ifPresent(b -> PairedRows.requireComparable(b, candidate));
    FittedRun baseline = baselineRun.orElse(candidate);
    CompareSettings settings = candidate.settings().compare();
    Target target = candidate.target();
    Metric metric = settings.gate().metric().forTask(target.classification());
    if (!metric.appliesTo(target.classification()) || (metric == Metric.AUC && !target.binary())) {
      throw new JobConfigException("gate.metric = " + metric + " does not apply to "
          + (target.classification() ? target.classes().size() + "-class " : "")
          + target.task() + ": use "
          + (target.classification() ? "accuracy, log-loss or (two classes) auc" : "rmse or mae"));
    }
    spark
        .sparkContext()
        .setJobDescription("runway compare " + candidate.job() + "/" + candidate.runId() + " with "
            + baseline.runId());
    ApplyInputs.requireExists(spark, input);
    try (Source c = SourceReader.read(spark, candidate.settings().source());
        Source b = baselineRun.isPresent()
            ? SourceReader.read(spark, baseline.settings().source())
            : null) {
      // Each side is read back three times (the join, and the counts of rows left out): cached,
      // so the source, the SQL, the pipeline and the model run once per run, not three times.
      // Without a baseline the candidate's side is both (the floors need its metrics only).
      KeyedPredictions ck = cached(KeyedPredictions.of(candidate, c.rows(), rowKey, input));
      KeyedPredictions bk =
          b == null ? ck : cached(KeyedPredictions.of(baseline, b.rows(), rowKey, input));
      // The join leaves spark.sql.shuffle.partitions pieces (200 by default), which every later
      // pass (counts, metrics, the tests, the bootstrap) would schedule as tasks: about 25 s of
      // task overhead on a 400-row holdout on 2 cores. One piece per core is enough to keep
      // every core busy, whatever the holdout's size.
      Dataset<Row> pairs = PairedRows.join(
              PairedRows.side(bk, "b_"), PairedRows.side(ck, "c_"), target, bk.keyColumn())
          .coalesce(Math.max(1, spark.sparkContext().defaultParallelism()))
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Failures.guard(DataException::new, "compare on " + input, () -> {
          pairs
              .drop(PairedRows.PAIR_KEY)
              .write()
              .mode(SaveMode.ErrorIfExists)
              .parquet(dir.resolve(RunFiles.PAIRS));
          return null;
        });
        long rows = pairs.count();
        if (rows == 0) {
          throw new DataException("Cannot compare on " + input
              + ": no row has a label both runs know and a prediction from both");
        }
        Map<String, Long> leftOut = leftOut(bk, ck, rows);
        List<Verdict.Test> tests = new ArrayList<>();
        Optional<Gate.Comparison> comparison = Optional.empty();
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<Metric, Double> candidateMetrics;
        if (baselineRun.isPresent()) {
          tests.add(target.classification() ? mcNemar(pairs) : PairedStatistics.wilcoxon(pairs));
          tests.addAll(PairedStatistics.bootstrap(pairs, target, settings));
          comparison = Optional.of(comparison(tests, metric, settings));
          // The bootstrap reports each run's plain metric on every row (AUC exact): the same
          // figures a second pass would compute.
          metrics.put("baseline", plainMetrics(tests, Verdict.Test::baseline));
          candidateMetrics = new EnumMap<>(Metric.class);
          for (Map.Entry<String, Double> m :
              plainMetrics(tests, Verdict.Test::candidate).entrySet()) {
            candidateMetrics.put(Metric.valueOf(m.getKey().toUpperCase(Locale.ROOT)), m.getValue());
          }
        } else {
          candidateMetrics = HoldoutMetrics.of(pairs, target, "candidate");
        }
        metrics.put("candidate", named(candidateMetrics));
        Gate.Decision decision = Gate.decide(settings.gate(), comparison, candidateMetrics);
        LOG.info(
            "Compared {} with {} on {} rows: {}",
            candidate.runId(),
            baseline.runId(),
            rows,
            decision.reasons());
        return new Measured(
            baselineRun,
            candidate,
            ApplyInputs.describe(spark, input),
            rows,
            leftOut,
            bk.keyedBy(),
            metrics,
            List.copyOf(tests),
            settings.gate(),
            metric,
            decision);
      } finally {
        pairs.unpersist();
        bk.rows().unpersist();
        ck.rows().unpersist();
      }
    }
  }

  private static KeyedPredictions cached(KeyedPredictions keyed) {
    return new KeyedPredictions(
        keyed.rows().persist(StorageLevel.MEMORY_AND_DISK()), keyed.keyColumn(), keyed.keyedBy());
  }

  /** The exact McNemar test on the discordant rows, with the four cells. */
  private static Verdict.Test mcNemar(Dataset<Row> pairs) {
    Column b = col("baseline_correct");
    Column c = col("candidate_correct");
    Row r = pairs
        .agg(
            count(b.and(c)),
            count(b.and(not(c))),
            count(not(b).and(c)),
            count(not(b).and(not(c))))
        .first();
    McNemar m = McNemar.test(r.getLong(1), r.getLong(2));
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("both_correct", r.getLong(0));
    counts.put("baseline_only_correct", r.getLong(1));
    counts.put("candidate_only_correct", r.getLong(2));
    counts.put("both_wrong", r.getLong(3));
    return Verdict.Test.pairedTest(
        "mcnemar", m.statistic(), null, m.pValue(), "exact binomial", counts);
  }

  private static Column count(Column condition) {
    return sum(when(condition, 1L).otherwise(0L));
  }

  /** Whether a paired test leans to the candidate. */
  static boolean candidateAhead(Verdict.Test paired) {
    if (paired.name().equals("mcnemar")) {
      return paired.counts().get("candidate_only_correct")
          > paired.counts().get("baseline_only_correct");
    }
    // Wilcoxon on |baseline error| − |candidate error|: positive z where the candidate is closer.
    return paired.z() != null && paired.z() > 0;
  }

  /** The gate's view of the tests: the gated metric's interval turned into an improvement. */
  private static Gate.Comparison comparison(
      List<Verdict.Test> tests, Metric metric, CompareSettings settings) {
    Verdict.Test paired = tests.get(0);
    Verdict.Test interval = tests.stream()
        .filter(t -> metric.jsonName().equals(t.metric()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no interval of " + metric));
    // No interval when the difference was undefined in most resamples: the gate then fails.
    double low = interval.interval() == null ? Double.NaN : interval.interval().get(0);
    double high = interval.interval() == null ? Double.NaN : interval.interval().get(1);
    return new Gate.Comparison(
        metric,
        interval.baseline(),
        interval.candidate(),
        metric.higherIsBetter() ? low : -high,
        metric.higherIsBetter() ? high : -low,
        settings.confidence(),
        paired.name().equals("mcnemar") ? "McNemar" : "Wilcoxon signed-rank",
        paired.pValue(),
        candidateAhead(paired));
  }

  /** Rows each run predicted with a valid label, beyond those compared. */
  private static Map<String, Long> leftOut(KeyedPredictions b, KeyedPredictions c, long rows) {
    Map<String, Long> out = new LinkedHashMap<>();
    Row counts = b.rows()
        .agg(count(col(KeyedPredictions.VALID)), count(not(col(KeyedPredictions.VALID))))
        .first();
    out.put("label_unknown_to_the_runs", counts.getLong(1));
    long candidateValid = c.rows().filter(col(KeyedPredictions.VALID)).count();
    out.put("predicted_by_the_baseline_only", counts.getLong(0) - rows);
    out.put("predicted_by_the_candidate_only", candidateValid - rows);
    if (counts.getLong(0) != rows || candidateValid != rows) {
      LOG.warn(
          "warning: {} rows were predicted by one run only (their SQL or filters differ):"
              + " left out of the comparison",
          counts.getLong(0) + candidateValid - 2 * rows);
    }
    return out;
  }

  /** One side's metrics from the bootstrap intervals, by metric name. */
  private static Map<String, Double> plainMetrics(
      List<Verdict.Test> tests, Function<Verdict.Test, Double> side) {
    Map<String, Double> out = new LinkedHashMap<>();
    tests.stream().filter(t -> t.metric() != null).forEach(t -> out.put(t.metric(), side.apply(t)));
    return out;
  }

  private static Map<String, Double> named(Map<Metric, Double> metrics) {
    Map<String, Double> out = new LinkedHashMap<>();
    metrics.forEach((k, v) -> out.put(k.jsonName(), v));
    return out;
  }
}
