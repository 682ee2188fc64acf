package dev.runway.compare;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.runway.run.OutputLineage.RunReference;
import java.util.List;
import java.util.Map;

/**
 * {@code verdict.json}: what a comparison of a candidate run with a baseline found on one holdout,
 * and what the gate decided. Written by {@code compare} and {@code promote}, read back into this
 * record (by a scheduler's branch, or a report).
 *
 * @param command compare or promote
 * @param baseline the baseline run; null when promote found the alias unset
 * @param candidate the candidate run
 * @param alias the alias promote acted on (null for compare)
 * @param input the holdout: its URI and files (sizes, ETags)
 * @param rows rows compared: predicted by both runs with a label they both know
 * @param rowsLeftOut rows left out (a label never seen in training, or a row only one run
 *     predicted), with why
 * @param keyedBy how rows were matched between the runs
 * @param task classification or regression
 * @param classes the classes in index order (classification)
 * @param metrics each run's metrics on the compared rows ({@code baseline}, {@code candidate})
 * @param tests the paired tests and bootstrap intervals
 * @param gate the gate's settings as applied
 * @param decision the outcome
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "command",
  "baseline",
  "candidate",
  "alias",
  "input",
  "rows",
  "rows_left_out",
  "keyed_by",
  "task",
  "classes",
  "metrics",
  "tests",
  "gate",
  "decision",
  "started_at",
  "finished_at"
})
public record Verdict(
    String command,
    RunReference baseline,
    RunReference candidate,
    String alias,
    Map<String, Object> input,
    long rows,
    @JsonProperty("rows_left_out") Map<String, Long> rowsLeftOut,
    @JsonProperty("keyed_by") String keyedBy,
    String task,
    List<String> classes,
    Map<String, Map<String, Double>> metrics,
    List<Test> tests,
    GateSettings gate,
    Decision decision,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt) {

  /**
   * One test or interval. Fields that do not apply to it are left out of the file.
   *
   * @param name mcnemar, wilcoxon-signed-rank or paired-bootstrap
   * @param metric the metric a bootstrap interval is of
   * @param statistic the test's statistic (McNemar: the smaller discordant count; Wilcoxon: W+)
   * @param z Wilcoxon's normal score
   * @param pValue two-sided p-value
   * @param method how the p-value was found (exact, normal approximation)
   * @param counts McNemar's four cells: both_correct, baseline_only_correct,
   *     candidate_only_correct, both_wrong; Wilcoxon's non-zero differences
   * @param baseline the metric for the baseline (bootstrap)
   * @param candidate the metric for the candidate (bootstrap)
   * @param delta candidate − baseline (bootstrap)
   * @param interval the percentile interval of delta (bootstrap)
   * @param confidence the interval's confidence level
   * @param resamples resamples behind the interval
   * @param seed seed of the resampling weights
   * @param binningError AUC only: the most its resampled values (from score bins) can differ
   *     from exact ones
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({
    "name",
    "metric",
    "statistic",
    "z",
    "p_value",
    "method",
    "counts",
    "baseline",
    "candidate",
    "delta",
    "interval",
    "confidence",
    "resamples",
    "seed",
    "binning_error"
  })
  public record Test(
      String name,
      String metric,
      Double statistic,
      Double z,
      @JsonProperty("p_value") Double pValue,
      String method,
      Map<String, Long> counts,
      Double baseline,
      Double candidate,
      Double delta,
      List<Double> interval,
      Double confidence,
      Integer resamples,
      Long seed,
      @JsonProperty("binning_error") Double binningError) {

    /** A paired significance test: McNemar or Wilcoxon. */
    static Test pairedTest(
        String name,
        double statistic,
        Double z,
        double pValue,
        String method,
        Map<String, Long> counts) {
      return new Test(
          name, null, statistic, z, pValue, method, counts, null, null, null, null, null, null,
          null, null);
    }

    /** A paired bootstrap interval of candidate − baseline in one metric. */
    static Test interval(
        String metric,
        double baseline,
        double candidate,
        double delta,
        List<Double> interval,
        double confidence,
        int resamples,
        long seed,
        Double binningError) {
      return new Test(
          "paired-bootstrap",
          metric,
          null,
          null,
          null,
          null,
          null,
          baseline,
          candidate,
          delta,
          interval,
          confidence,
          resamples,
          seed,
          binningError);
    }
  }

  /** The gate as applied: the gated metric resolved for the task. */
  @JsonPropertyOrder({"metric", "min_delta", "alpha", "floors"})
  public record GateSettings(
      String metric,
      @JsonProperty("min_delta") double minDelta,
      double alpha,
      Map<String, Double> floors) {}

  /**
   * @param outcome what the comparison found: candidate-better, baseline-better or
   *     no-significant-difference (by the paired test at the gate's alpha); candidate-only when
   *     there was no baseline
   * @param passesGate whether every condition of the gate held
   * @param promoted whether promote moved the alias (null for compare)
   * @param reasons each condition in words, held or failed, and for promote what happened to the
   *     alias
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"outcome", "passes_gate", "promoted", "reasons"})
  public record Decision(
      String outcome,
      @JsonProperty("passes_gate") boolean passesGate,
      Boolean promoted,
      List<String> reasons) {}
}
