package dev.runway.job;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of {@code train}, printed as one JSON line on stdout.
 *
 * @param status "committed" for a new run, "already-committed" when the run existed
 * @param job job name
 * @param runId run id
 * @param runUri fully qualified URI of the run directory
 * @param headline scalar metrics per split (validation, test)
 */
public record RunResult(String status, String job, String runId, String runUri,
    Map<String, Object> headline) {

  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
    m.put("job", job);
    m.put("run_id", runId);
    m.put("run_uri", runUri);
    m.put("metrics", headline);
    return m;
  }

  /** The scalar metrics of each evaluated split, from a metrics.json map. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> headline(Map<String, Object> metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    Object splits = metrics.get("splits");
    if (splits instanceof Map<?, ?> bySplit) {
      for (String name : new String[] {"validation", "test"}) {
        Object split = bySplit.get(name);
        if (split instanceof Map<?, ?> values) {
          Map<String, Object> scalars = new LinkedHashMap<>();
          ((Map<String, Object>) values).forEach((k, v) -> {
            if (v instanceof Number) {
              scalars.put(k, v);
            }
          });
          out.put(name, scalars);
        }
      }
    }
    return out;
  }
}
