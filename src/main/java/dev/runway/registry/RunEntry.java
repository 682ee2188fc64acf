package dev.runway.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.run.RunFiles;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One committed run as the registry lists it: what it is and its headline metrics, read once from
 * its manifest, metrics.json and lineage.json when it commits (or when the index is rebuilt).
 *
 * @param job the job's name
 * @param runId the run's id
 * @param uri the run directory
 * @param task classification or regression
 * @param modelType the trainer (logistic-regression, neural-network...)
 * @param startedAt when training started (lineage.json)
 * @param committedAt when the manifest was written
 * @param durationS seconds from the start of training to its end (lineage.json)
 * @param metrics per split, its headline metrics ({@link #HEADLINE}) and rows
 */
@JsonPropertyOrder({
  "job",
  "run_id",
  "uri",
  "task",
  "model_type",
  "started_at",
  "committed_at",
  "duration_s",
  "metrics"
})
public record RunEntry(
    String job,
    @JsonProperty("run_id") String runId,
    String uri,
    String task,
    @JsonProperty("model_type") String modelType,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("committed_at") String committedAt,
    @JsonProperty("duration_s") Double durationS,
    Map<String, Map<String, Double>> metrics) {

  /** The metrics of a split an entry keeps: what a user ranks runs by. */
  public static final List<String> HEADLINE =
      List.of("rows", "accuracy", "weighted_f1", "auc", "log_loss", "rmse", "mae", "r2");

  /** The fields a query can name besides the metrics. */
  public static final List<String> FIELDS = List.of(
      "job", "run_id", "uri", "task", "model_type", "started_at", "committed_at", "duration_s");

  public RunEntry {
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  /** The entry of a committed run, from its files. */
  public static RunEntry of(RunDirectory run) {
    return of(
        run.uri(),
        run.manifest(),
        Json.parse(run.readText(RunFiles.METRICS)),
        run.jsonIfPresent(RunFiles.LINEAGE));
  }

  /** The entry of the run at {@code uri} from its manifest, metrics.json and lineage.json. */
  static RunEntry of(
      String uri,
      Map<String, Object> manifest,
      Map<String, Object> metricsFile,
      Map<String, Object> lineage) {
    String started = (String) lineage.get("started_at");
    String committed = (String) manifest.get("committed_at");
    // Training's own end when lineage has it (a run retried later commits later).
    String finished = lineage.get("finished_at") instanceof String f ? f : committed;
    Double duration = started == null || finished == null
        ? null
        : Duration.between(Instant.parse(started), Instant.parse(finished)).toMillis() / 1e3;
    Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    if (metricsFile.get("splits") instanceof Map<?, ?> splits) {
      splits.forEach((split, values) -> {
        if (values instanceof Map<?, ?> m) {
          Map<String, Double> headline = new LinkedHashMap<>();
          for (String name : HEADLINE) {
            if (m.get(name) instanceof Number n) {
              headline.put(name, n.doubleValue());
            }
          }
          metrics.put((String) split, headline);
        }
      });
    }
    return new RunEntry(
        (String) manifest.get("job"),
        (String) manifest.get("run_id"),
        uri,
        (String) metricsFile.get("task"),
        (String) metricsFile.get("model_type"),
        started,
        committed,
        duration,
        metrics);
  }

  /**
   * The value at {@code path}: a field ({@code job}, {@code run_id}, {@code model_type}, {@code
   * task}, {@code started_at}, {@code committed_at}, {@code duration_s}) or a metric as {@code
   * split.metric} ({@code test.accuracy}); empty when the run has none.
   */
  public Optional<Object> value(String path) {
    int dot = path.indexOf('.');
    if (dot > 0) {
      Map<String, Double> split = metrics.get(path.substring(0, dot));
      return Optional.ofNullable(split == null ? null : split.get(path.substring(dot + 1)));
    }
    return Optional.ofNullable(
        switch (path) {
          case "job" -> job;
          case "run_id" -> runId;
          case "uri" -> uri;
          case "task" -> task;
          case "model_type" -> modelType;
          case "started_at" -> startedAt;
          case "committed_at" -> committedAt;
          case "duration_s" -> durationS;
          default -> null;
        });
  }

  /** Whether {@code path} names something an entry can hold, for an error on a typo. */
  public static boolean known(String path) {
    int dot = path.indexOf('.');
    return dot > 0 ? HEADLINE.contains(path.substring(dot + 1)) : FIELDS.contains(path);
  }
}
