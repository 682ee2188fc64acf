package dev.runway.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The {@value RunFiles#METRICS} of an evaluation: a run measured on labelled rows. The metrics
 * themselves are those of a training run's test split (see {@link RunMetrics#splits()}).
 *
 * @param rows rows read
 * @param unseenLabels rows whose label the run never saw in training (left out of the metrics)
 * @param rowKey how the per-row predictions are keyed
 * @param metrics the task's metrics and their intervals, over the rows with a known label
 */
@JsonIgnoreProperties(ignoreUnknown = true)
// Jackson puts renamed record components first unless told the order: keep the file's order.
@JsonPropertyOrder({
  "command",
  "job",
  "run_id",
  "task",
  "classes",
  "input",
  "rows",
  "unseen_labels",
  "row_key",
  "metrics"
})
public record EvaluationMetrics(
    String command,
    String job,
    @JsonProperty("run_id") String runId,
    String task,
    List<String> classes,
    String input,
    long rows,
    @JsonProperty("unseen_labels") UnseenLabels unseenLabels,
    @JsonProperty("row_key") String rowKey,
    Map<String, Object> metrics) {

  /**
   * @param rows how many rows had a label the run cannot score against
   * @param values the most frequent such values (at most 20), with their counts
   */
  public record UnseenLabels(long rows, Map<String, Long> values) {}
}
