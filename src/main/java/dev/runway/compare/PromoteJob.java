package dev.runway.compare;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.run.FittedRun;
import dev.runway.run.ManifestHeader;
import dev.runway.run.RunFiles;
import dev.runway.run.RunWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code promote} command's work: compare a candidate run with the run an alias points at, on
 * one holdout, apply the gate, and move the alias only if it passes and no other promotion of the
 * alias won meanwhile. The verdict is committed and the decision appended to the alias's history
 * either way. The alias lives in the candidate's output root (the parent of its job directory).
 */
public final class PromoteJob {
  private static final Logger LOG = LoggerFactory.getLogger(PromoteJob.class);
  /** Where verdicts go when --output does not say: {@code ROOT/_verdicts/ALIAS/TIME-JOB-RUN}. */
  public static final String VERDICTS = "_verdicts";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private PromoteJob() {}

  /**
   * @param output the verdict's directory; null for one under the output root
   */
  public record Request(
      String candidate, String alias, String input, String output, String rowKey) {}

  /** The outcome, printed as one JSON line. */
  public record Result(
      String status,
      String alias,
      String candidate,
      String previous,
      List<String> reasons,
      String verdictUri) {
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("alias", alias);
      m.put("candidate", candidate);
      m.put("previous", previous);
      m.put("reasons", reasons);
      m.put("verdict_uri", verdictUri);
      return m;
    }
  }

  /**
   * Promotes or not. Exit code 0 either way: {@code status} says which (promoted, rejected). With
   * an {@code output} that holds a committed verdict (a scheduler's retry of the same task), the
   * decision recorded there is returned and nothing else is read or loaded.
   *
   * @param load loads a run by URI (the candidate, then the alias's run)
   */
  public static Result run(
      SparkSession spark, BiFunction<SparkSession, String, FittedRun> load, Request request) {
    Optional<Result> done = committed(spark.sparkContext().hadoopConfiguration(), request);
    if (done.isPresent()) {
      return done.get();
    }
    FittedRun candidate = load.apply(spark, request.candidate());
    // An alias names a run across the jobs of one output root (a logistic regression's job and
    // an MLP's job compete for the same champion): it lives beside the job directories.
    String root = RunDirectory.at(spark.sparkContext().hadoopConfiguration(), candidate.uri())
        .outputRoot();
    Aliases aliases = Aliases.at(
        spark.sparkContext().hadoopConfiguration(),
        root,
        Duration.ofMillis(candidate.settings().compare().gate().leaseMillis()));
    Optional<AliasState> current = aliases.resolve(request.alias());
    Optional<String> previous = current.map(AliasState::runUri);
    if (previous.isPresent() && previous.get().equals(candidate.uri())) {
      // A retry of a promotion that moved the alias (without --output, or one that died after
      // moving it and before committing its verdict), or a promotion of the champion itself.
      String reason = "alias " + request.alias() + " already points at " + candidate.uri();
      LOG.info("{}: nothing to do", reason);
      return new Result(
          "promoted",
          request.alias(),
          candidate.uri(),
          previous.get(),
          List.of(reason),
          current.get().verdictUri().orElse(null));
    }
    Optional<FittedRun> baseline = previous.map(uri -> load.apply(spark, uri));
    String output = request.output() != null
        ? request.output()
        : root + "/" + VERDICTS + "/" + request.alias() + "/" + STAMP.format(Instant.now()) + "-"
            + candidate.job() + "-" + candidate.runId();
    RunDirectory out = RunDirectory.at(spark.sparkContext().hadoopConfiguration(), output);
    RunWriter.Outcome<Result> outcome = RunWriter.of(out, "verdict").write(false, false, dir -> {
      Instant started = Instant.now();
      CompareJob.Measured m =
          CompareJob.measure(spark, baseline, candidate, request.input(), request.rowKey(), dir);
      List<String> reasons = new ArrayList<>(m.decision().reasons());
      boolean promoted = false;
      Long seq = null;
      if (m.decision().passes()) {
        MoveResult move = aliases.move(request.alias(), previous, candidate.uri(), dir.uri());
        promoted = move.won();
        seq = move.won() ? move.seq() : null;
        reasons.add(move.reason());
      } else {
        reasons.add("alias " + request.alias() + " left at " + previous.orElse("(unset)")
            + ": the gate did not pass");
      }
      String status = promoted ? "promoted" : "rejected";
      Verdict v = m.verdict("promote", request.alias(), started, promoted, reasons);
      dir.writeText(RunFiles.VERDICT, Json.pretty(v));
      aliases.record(request.alias(), status, candidate.uri(), previous, reasons, dir.uri(), seq);
      LOG.info("{} {} for alias {}: {}", status, candidate.runId(), request.alias(), reasons);
      return new RunWriter.Commit<>(
          ManifestHeader.derived(ManifestHeader.VERDICT, candidate.job(), candidate.runId()),
          new Result(
              status, request.alias(), candidate.uri(), previous.orElse(null), reasons, dir.uri()));
    });
    // Committed by another promote between the check above and here: its decision.
    Result result = outcome.alreadyCommitted() ? committed(request, out) : outcome.value();
    CompareJob.recordOutput(
        spark.sparkContext().hadoopConfiguration(),
        "promote",
        result.previous(),
        result.candidate(),
        out,
        !outcome.alreadyCommitted());
    return result;
  }

  /**
   * The decision of the verdict committed at {@code request.output()}, if it names one that is
   * committed: what a retry of the same task returns, before any run is loaded or session started.
   * Loading the candidate and the alias's run (Spark ML pipelines, a few dozen small Spark jobs
   * each) would be most of a retry's time otherwise, and the committed verdict is the answer
   * whatever the alias did since.
   */
  public static Optional<Result> committed(Configuration hadoop, Request request) {
    Aliases.checkName(request.alias());
    if (request.output() == null) {
      return Optional.empty();
    }
    return RunWriter.of(RunDirectory.at(hadoop, request.output()), "verdict")
        .committed(false)
        .map(out -> {
          Result result = committed(request, out);
          CompareJob.recordOutput(
              hadoop, "promote", result.previous(), result.candidate(), out, false);
          return result;
        });
  }

  /** The decision of the verdict committed at {@code out}, as promote's result. */
  private static Result committed(Request request, RunDirectory out) {
    Verdict v = Json.read(out.readText(RunFiles.VERDICT), Verdict.class);
    return new Result(
        Boolean.TRUE.equals(v.decision().promoted()) ? "promoted" : "rejected",
        request.alias(),
        v.candidate().uri(),
        v.baseline() == null ? null : v.baseline().uri(),
        v.decision().reasons(),
        out.uri());
  }
}
