package dev.runway.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.run.RunFiles;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * What {@code runs show} prints about one committed run, and what {@code runs diff} compares: its
 * entry, the resolved job flattened key by key, the timings and the input files it read.
 *
 * @param entry what the registry lists
 * @param config every key of the resolved job (job.conf, secrets already redacted there), flat
 * @param timings seconds per step
 * @param inputLocation the source path it read
 * @param inputs the input files: path to "size modified etag"
 * @param outputs what was made from the run since: evaluations, comparisons, drift reports
 *     (empty unless {@link #withOutputs})
 */
@JsonPropertyOrder({
  "entry",
  "highlights",
  "timings_s",
  "input_location",
  "inputs",
  "outputs",
  "config"
})
public record RunSummary(
    RunEntry entry,
    Map<String, String> config,
    @JsonProperty("timings_s") Map<String, Double> timings,
    @JsonProperty("input_location") String inputLocation,
    Map<String, String> inputs,
    List<RunOutputs.Output> outputs) {

  /** The config keys {@code runs show} leads with: what the run read and what it trained. */
  private static final List<String> HIGHLIGHTS = List.of(
      "source.path",
      "source.format",
      "source.filter",
      "features.label",
      "features.numeric",
      "features.categorical",
      "features.sql",
      "split.",
      "model.type");

  /** The summary of the committed run at {@code uri}; exit 5 when it is not a committed run. */
  public static RunSummary of(Configuration hadoop, String uri) {
    RunDirectory run = RunDirectory.committedAt(hadoop, uri);
    // Each file read once: on S3 every read is a request.
    Map<String, Object> metrics = Json.parse(run.readText(RunFiles.METRICS));
    Map<String, Object> lineage = run.jsonIfPresent(RunFiles.LINEAGE);
    RunEntry entry = RunEntry.of(run.uri(), run.manifest(), metrics, lineage);
    Map<String, String> config = new TreeMap<>();
    String job = run.readBytes(RunFiles.JOB)
        .map(b -> new String(b, StandardCharsets.UTF_8))
        .orElse("");
    for (Map.Entry<String, ConfigValue> e : ConfigFactory.parseString(job).entrySet()) {
      ConfigValue v = e.getValue();
      config.put(
          e.getKey(),
          v.valueType() == ConfigValueType.STRING
              ? (String) v.unwrapped()
              : v.render(ConfigRenderOptions.concise()));
    }
    Map<String, Double> timings = new TreeMap<>();
    if (metrics.get("timings_s") instanceof Map<?, ?> t) {
      t.forEach((k, v) -> {
        if (v instanceof Number n) {
          timings.put((String) k, n.doubleValue());
        }
      });
    }
    String location = null;
    Map<String, String> inputs = new TreeMap<>();
    if (lineage.get("input") instanceof Map<?, ?> input) {
      location = (String) input.get("location");
      if (input.get("files") instanceof List<?> files) {
        for (Object f : files) {
          if (f instanceof Map<?, ?> file) {
            inputs.put(
                String.valueOf(file.get("path")),
                "size " + file.get("size") + ", modified " + file.get("modified")
                    + (file.get("etag") == null ? "" : ", etag " + file.get("etag")));
          }
        }
      }
    }
    return new RunSummary(entry, config, timings, location, inputs, List.of());
  }

  /**
   * This summary with the run's later outputs: {@code runs show} lists them, {@code runs diff}
   * has no use for them and does not pay the listing.
   */
  public RunSummary withOutputs(Configuration hadoop) {
    return new RunSummary(
        entry,
        config,
        timings,
        inputLocation,
        inputs,
        RunOutputs.of(hadoop, entry.uri()).list());
  }

  /** The config keys a reader looks at first. */
  @JsonProperty("highlights")
  public Map<String, String> highlights() {
    Map<String, String> out = new TreeMap<>();
    String modelPrefix = "model." + config.getOrDefault("model.type", "") + ".";
    config.forEach((k, v) -> {
      if (k.startsWith(modelPrefix)
          || HIGHLIGHTS.stream().anyMatch(h -> h.endsWith(".") ? k.startsWith(h) : k.equals(h))) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** For a terminal. */
  @JsonIgnore
  public String text() {
    StringBuilder out = new StringBuilder();
    RunEntry e = entry;
    line(out, "run", e.job() + "/" + e.runId() + "  " + e.uri());
    line(out, "model", e.modelType() + " (" + e.task() + ")");
    line(
        out,
        "started",
        e.startedAt() + ", committed " + e.committedAt()
            + (e.durationS() == null
                ? ""
                : String.format(Locale.ROOT, " (%.1f s)", e.durationS())));
    out.append("config:\n");
    highlights()
        .forEach((k, v) -> out.append("  ").append(k).append(" = ").append(v).append('\n'));
    out.append("metrics:\n");
    e.metrics().forEach((split, m) -> {
      List<String> parts = new ArrayList<>();
      m.forEach((k, v) -> parts.add(k + " " + RunTable.number(v)));
      out.append("  ")
          .append(split)
          .append(": ")
          .append(String.join(", ", parts))
          .append('\n');
    });
    out.append("timings (s):\n  ");
    List<String> steps = new ArrayList<>();
    timings.forEach((k, v) -> steps.add(k + " " + RunTable.number(v)));
    out.append(String.join(", ", steps)).append('\n');
    out.append("input: ").append(inputLocation == null ? "(no lineage)" : inputLocation);
    out.append(" (").append(inputs.size()).append(" files)\n");
    inputs.forEach((path, facts) ->
        out.append("  ").append(path).append(": ").append(facts).append('\n'));
    if (!outputs.isEmpty()) {
      out.append("outputs (scripts/run report --run ").append(e.uri()).append(" shows them):\n");
      outputs.forEach(o -> out.append("  ")
          .append(o.command())
          .append(' ')
          .append(o.uri())
          .append(" (")
          .append(o.recordedAt())
          .append(")\n"));
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String key, String value) {
    out.append(key).append(": ").append(value).append('\n');
  }
}
