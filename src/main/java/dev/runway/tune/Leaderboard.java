package dev.runway.tune;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A tune's {@value TuneJob#LEADERBOARD}: the trials ranked, best first (furthest rung reached,
 * then the validation metric there; failed trials last), each with its settings, the budget it
 * reached, its score at every rung, its committed run and what it cost; and the best trial's run.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "job",
  "tune_id",
  "started_at",
  "finished_at",
  "metric",
  "higher_is_better",
  "sampling",
  "seed",
  "concurrency",
  "budget_key",
  "budgets",
  "reduction_factor",
  "space",
  "executor_seconds",
  "best_trial",
  "best_run_uri",
  "trials"
})
public record Leaderboard(
    String job,
    @JsonProperty("tune_id") String tuneId,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    String metric,
    @JsonProperty("higher_is_better") boolean higherIsBetter,
    String sampling,
    long seed,
    int concurrency,
    @JsonProperty("budget_key") String budgetKey,
    List<Integer> budgets,
    @JsonProperty("reduction_factor") Integer reductionFactor,
    List<Map<String, Object>> space,
    @JsonProperty("executor_seconds") double executorSeconds,
    @JsonProperty("best_trial") String bestTrial,
    @JsonProperty("best_run_uri") String bestRunUri,
    List<Standing> trials) {

  /**
   * One trial's line.
   *
   * @param rank 1 for the best
   * @param status completed (reached the last rung), stopped (not promoted) or failed
   * @param budget the largest budget it trained to
   * @param score the validation metric at that budget (null when failed)
   * @param rungs each rung's budget and score
   * @param metrics the committed run's headline metrics (validation and test)
   * @param executorSeconds the run time of its Spark tasks: every rung's training and scoring,
   *     and the evaluation and writing of its run (a run committed by an earlier attempt of a
   *     resumed tune is not counted again)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({
    "rank",
    "trial",
    "status",
    "settings",
    "budget",
    "score",
    "rungs",
    "run_id",
    "run_uri",
    "metrics",
    "executor_seconds",
    "error"
  })
  public record Standing(
      int rank,
      String trial,
      String status,
      Map<String, Object> settings,
      int budget,
      Double score,
      List<Map<String, Object>> rungs,
      @JsonProperty("run_id") String runId,
      @JsonProperty("run_uri") String runUri,
      Map<String, Object> metrics,
      @JsonProperty("executor_seconds") double executorSeconds,
      String error) {}
}
