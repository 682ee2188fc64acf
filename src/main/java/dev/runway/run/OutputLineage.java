package dev.runway.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The {@value RunFiles#LINEAGE} of an output made by applying a run (scores, an evaluation):
 * which run, exactly (its manifest's hash), which input files, and how many rows went in and out.
 *
 * @param command "score" or "evaluate"
 * @param run the run applied
 * @param input the input's files with sizes, modification times and ETags
 * @param malformedRows what the malformed-row check found (csv and json inputs); else null
 * @param rowsIn rows read (after malformed rows are dropped)
 * @param rowsOut rows written (scores: fewer than rowsIn only when infinite values are dropped)
 * @param columns the output's columns
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
// Jackson puts renamed record components first unless told the order: keep the file's order.
@JsonPropertyOrder({
  "command",
  "run",
  "input",
  "malformed_rows",
  "rows_in",
  "rows_out",
  "columns",
  "started_at",
  "finished_at",
  "spark"
})
public record OutputLineage(
    String command,
    RunReference run,
    Map<String, Object> input,
    @JsonProperty("malformed_rows") Map<String, Object> malformedRows,
    @JsonProperty("rows_in") long rowsIn,
    @JsonProperty("rows_out") long rowsOut,
    List<String> columns,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    Map<String, Object> spark) {

  /**
   * A committed run as another output names it.
   *
   * @param manifestSha256 SHA-256 of the run's manifest: names exactly this content of the run
   * @param alias the alias the run was named by ({@code --run alias:NAME@ROOT}); else null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"uri", "job", "run_id", "model_format", "manifest_sha256", "alias"})
  public record RunReference(
      String uri,
      String job,
      @JsonProperty("run_id") String runId,
      @JsonProperty("model_format") String modelFormat,
      @JsonProperty("manifest_sha256") String manifestSha256,
      AliasReference alias) {
    public static RunReference of(FittedRun run) {
      return new RunReference(
          run.uri(),
          run.job(),
          run.runId(),
          run.header().modelFormat(),
          run.manifestSha256(),
          run.alias().orElse(null));
    }
  }

  /**
   * An alias as it resolved when a command named its run through it: the alias moves later, the
   * lineage keeps which run it meant then.
   *
   * @param name the alias
   * @param root the output root the alias belongs to
   * @param seq the alias's seq when resolved (each move of an alias has a higher one)
   * @param runUri the run it resolved to
   */
  @JsonPropertyOrder({"name", "root", "seq", "run_uri"})
  public record AliasReference(
      String name,
      @JsonProperty("root") String root,
      long seq,
      @JsonProperty("run_uri") String runUri) {}
}
