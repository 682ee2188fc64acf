package dev.runway.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A run's {@value RunFiles#METRICS}, written from this record and read back into it. The metrics
 * of one split stay a map: their keys depend on the task (accuracy, log loss... or RMSE, R²...)
 * and on the evaluation settings, as {@code eval.Metrics} produces them.
 *
 * @param splits per split (train, validation, test): rows and the task's metrics with intervals
 * @param crossValidation k-fold only: per-fold metrics and their spread; null otherwise
 * @param modelSelection with a hyperparameter set to auto: every candidate's score; else null
 * @param training the trainer's own summary (iterations, loss history, per-epoch figures...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
// Jackson puts renamed record components first unless told the order: keep the file's order.
@JsonPropertyOrder({
  "job",
  "run_id",
  "task",
  "model_type",
  "classes",
  "splits",
  "cross_validation",
  "model_selection",
  "training",
  "training_executors",
  "timings_s",
  "spark_work",
  "driver"
})
public record RunMetrics(
    String job,
    @JsonProperty("run_id") String runId,
    String task,
    @JsonProperty("model_type") String modelType,
    List<String> classes,
    Map<String, Map<String, Object>> splits,
    @JsonProperty("cross_validation") Map<String, Object> crossValidation,
    @JsonProperty("model_selection") Map<String, Object> modelSelection,
    Map<String, Object> training,
    @JsonProperty("training_executors") List<Map<String, Object>> trainingExecutors,
    @JsonProperty("timings_s") Map<String, Object> timings,
    @JsonProperty("spark_work") Map<String, Object> sparkWork,
    Map<String, Object> driver) {}
