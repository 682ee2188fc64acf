package dev.runway.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A run's {@value RunFiles#LINEAGE}: where its data came from and what was done to it, written
 * from this record and read back into it.
 *
 * @param input the source's files with sizes, modification times and ETags
 * @param malformedRows what the malformed-row check found (csv and json sources); else null
 * @param preflightWarnings the pre-flight checks' warnings
 * @param project the runway version and git commit
 * @param spark Spark's version, master and application id
 * @param sql each feature statement's name and SQL
 * @param split method, seed and rows per split
 * @param target label column, task and classes
 * @param model the model type and the hyperparameters trained with (auto ones as chosen)
 * @param tune the tune this run is a trial of (its id, trial id and settings); else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
// Jackson puts renamed record components first unless told the order: keep the file's order.
@JsonPropertyOrder({
  "input",
  "malformed_rows",
  "preflight_warnings",
  "job",
  "run_id",
  "started_at",
  "finished_at",
  "project",
  "spark",
  "source_format",
  "source_filter",
  "source_schema",
  "sql",
  "training_table_schema",
  "split",
  "target",
  "feature_vector_size",
  "model",
  "timings_s",
  "tune"
})
public record RunLineage(
    Map<String, Object> input,
    @JsonProperty("malformed_rows") Map<String, Object> malformedRows,
    @JsonProperty("preflight_warnings") List<Map<String, Object>> preflightWarnings,
    String job,
    @JsonProperty("run_id") String runId,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    Map<String, Object> project,
    Map<String, Object> spark,
    @JsonProperty("source_format") String sourceFormat,
    @JsonProperty("source_filter") String sourceFilter,
    @JsonProperty("source_schema") String sourceSchema,
    List<Map<String, Object>> sql,
    @JsonProperty("training_table_schema") String trainingTableSchema,
    Map<String, Object> split,
    Map<String, Object> target,
    @JsonProperty("feature_vector_size") int featureVectorSize,
    Map<String, Object> model,
    @JsonProperty("timings_s") Map<String, Object> timings,
    Map<String, Object> tune) {}
