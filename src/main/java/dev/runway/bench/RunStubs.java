package dev.runway.bench;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.run.RunFiles;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Committed runs without training, for the registry's benchmark and tests: each holds what the
 * registry reads (job.conf, metrics.json, lineage.json) and is committed by {@link
 * RunDirectory#commit}, the writer every real run goes through, so its manifest is real.
 */
public final class RunStubs {
  private RunStubs() {}

  /**
   * Commits run {@code runId} of {@code job} under {@code root}: a classifier with the given test
   * accuracy, started at {@code started}, trained on the input file {@code inputPath}.
   */
  public static RunDirectory commit(
      Configuration hadoop,
      String root,
      String job,
      String runId,
      Instant started,
      String modelType,
      double accuracy,
      String inputPath) {
    RunDirectory run = RunDirectory.of(hadoop, root, job, runId);
    run.writeText(
        RunFiles.JOB,
        "job { name = " + job + " }\nmodel { type = " + modelType + " }\n" + "source { path = \""
            + inputPath + "\" }\n");
    Map<String, Object> test = new LinkedHashMap<>();
    test.put("rows", 1000);
    test.put("accuracy", accuracy);
    test.put("auc", Math.min(1.0, accuracy + 0.05));
    Map<String, Object> validation = new LinkedHashMap<>(test);
    validation.put("accuracy", accuracy - 0.01);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("job", job);
    metrics.put("run_id", runId);
    metrics.put("task", "classification");
    metrics.put("model_type", modelType);
    metrics.put("splits", Map.of("validation", validation, "test", test));
    metrics.put("timings_s", Map.of("read", 1.0, "train", 10.0));
    run.writeText(RunFiles.METRICS, Json.pretty(metrics));
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("path", inputPath);
    file.put("size", 1234);
    file.put("modified", "2026-11-30T00:00:00Z");
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("location", inputPath);
    input.put("files", List.of(file));
    Map<String, Object> lineage = new LinkedHashMap<>();
    lineage.put("started_at", started.toString());
    lineage.put("finished_at", started.plusSeconds(12).toString());
    lineage.put("input", input);
    run.writeText(RunFiles.LINEAGE, Json.pretty(lineage));
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("job", job);
    header.put("run_id", runId);
    header.put("model_format", "stub");
    run.commit(header);
    return run;
  }
}
