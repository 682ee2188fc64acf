package dev.runway.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.runway.artifacts.BuildInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The facts at the top of a committed output's manifest, before its file list.
 *
 * @param format what kind of output: {@value #RUN}, {@value #SCORES}, {@value #EVALUATION},
 *     {@value #VERDICT}, {@value #DRIFT} or {@value #TUNE}
 * @param job the job whose run it is (or that scored or was evaluated)
 * @param runId the run's id
 * @param modelFormat how the model is stored (runs only): the key {@code FittedRun} loads it by
 * @param projectVersion the runway version that wrote the output
 * @param gitCommit the commit runway was built from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestHeader(
    String format,
    String job,
    @JsonProperty("run_id") String runId,
    @JsonProperty("model_format") String modelFormat,
    @JsonProperty("project_version") String projectVersion,
    @JsonProperty("git_commit") String gitCommit) {
  public static final String RUN = "runway-run/1";
  public static final String SCORES = "runway-scores/1";
  public static final String EVALUATION = "runway-evaluation/1";
  public static final String VERDICT = "runway-verdict/1";
  public static final String DRIFT = "runway-drift/1";
  public static final String TUNE = "runway-tune/1";

  /** The header of a training run. */
  public static ManifestHeader run(String job, String runId, String modelFormat) {
    return new ManifestHeader(
        RUN, job, runId, modelFormat, BuildInfo.version(), BuildInfo.gitCommit());
  }

  /** The header of an output derived from run {@code runId} of {@code job}. */
  public static ManifestHeader derived(String format, String job, String runId) {
    return new ManifestHeader(format, job, runId, null, BuildInfo.version(), BuildInfo.gitCommit());
  }

  /** Reads the header fields of a manifest; a missing field is null. */
  public static ManifestHeader of(Map<String, Object> manifest) {
    return new ManifestHeader(
        string(manifest, "format"),
        string(manifest, "job"),
        string(manifest, "run_id"),
        string(manifest, "model_format"),
        string(manifest, "project_version"),
        string(manifest, "git_commit"));
  }

  /** The fields in manifest order, nulls left out. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", format);
    m.put("job", job);
    m.put("run_id", runId);
    if (modelFormat != null) {
      m.put("model_format", modelFormat);
    }
    m.put("project_version", projectVersion);
    m.put("git_commit", gitCommit);
    return m;
  }

  private static String string(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v == null ? null : v.toString();
  }
}
