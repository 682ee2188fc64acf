package dev.runway.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Two runs side by side ({@code runs diff}): every resolved-config key whose value differs, every
 * headline metric with its change, and whether they read the same data, from their lineage.
 *
 * @param a the first run
 * @param b the second run
 * @param config key to [value in a, value in b] (null where a run has no such key)
 * @param metrics split.metric to [a, b, b - a]
 * @param sameData whether both read the same input files, each with the same size, modification
 *     time and ETag
 * @param inputs input files that differ: path to [facts in a, facts in b] (null where absent)
 */
@JsonPropertyOrder({"a", "b", "same_data", "config", "metrics", "inputs"})
public record RunDiff(
    String a,
    String b,
    Map<String, List<String>> config,
    Map<String, List<Double>> metrics,
    @JsonProperty("same_data") boolean sameData,
    Map<String, List<String>> inputs) {

  public static RunDiff of(RunSummary a, RunSummary b) {
    Map<String, List<String>> config = new TreeMap<>();
    for (String key : union(a.config().keySet(), b.config().keySet())) {
      String x = a.config().get(key);
      String y = b.config().get(key);
      if (x == null ? y != null : !x.equals(y)) {
        config.put(key, pair(x, y));
      }
    }
    Map<String, List<Double>> metrics = new TreeMap<>();
    for (String split : union(a.entry().metrics().keySet(), b.entry().metrics().keySet())) {
      Map<String, Double> x = a.entry().metrics().getOrDefault(split, Map.of());
      Map<String, Double> y = b.entry().metrics().getOrDefault(split, Map.of());
      for (String metric : union(x.keySet(), y.keySet())) {
        Double u = x.get(metric);
        Double v = y.get(metric);
        List<Double> row = new ArrayList<>();
        row.add(u);
        row.add(v);
        row.add(u == null || v == null ? null : v - u);
        metrics.put(split + "." + metric, row);
      }
    }
    Map<String, List<String>> inputs = new TreeMap<>();
    for (String path : union(a.inputs().keySet(), b.inputs().keySet())) {
      String x = a.inputs().get(path);
      String y = b.inputs().get(path);
      if (x == null || !x.equals(y)) {
        inputs.put(path, pair(x, y));
      }
    }
    boolean same = inputs.isEmpty() && !a.inputs().isEmpty();
    return new RunDiff(a.entry().uri(), b.entry().uri(), config, metrics, same, inputs);
  }

  /** For a terminal. */
  @JsonIgnore
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("a: ").append(a).append('\n').append("b: ").append(b).append('\n');
    out.append("same data: ")
        .append(sameData ? "yes (the same input files, sizes, times and ETags)" : "no")
        .append('\n');
    inputs.forEach((path, v) -> out.append("  ")
        .append(path)
        .append("\n    a: ")
        .append(v.get(0) == null ? "-" : v.get(0))
        .append("\n    b: ")
        .append(v.get(1) == null ? "-" : v.get(1))
        .append('\n'));
    out.append("config (").append(config.size()).append(" keys differ):\n");
    config.forEach((k, v) -> out.append("  ")
        .append(k)
        .append(": ")
        .append(v.get(0) == null ? "-" : v.get(0))
        .append(" -> ")
        .append(v.get(1) == null ? "-" : v.get(1))
        .append('\n'));
    out.append("metrics (a -> b, change):\n");
    metrics.forEach((k, v) -> out.append("  ")
        .append(k)
        .append(": ")
        .append(RunTable.number(v.get(0)))
        .append(" -> ")
        .append(RunTable.number(v.get(1)))
        .append(v.get(2) == null ? "" : " (" + RunTable.signed(v.get(2)) + ")")
        .append('\n'));
    return out.toString();
  }

  private static Set<String> union(Set<String> x, Set<String> y) {
    Set<String> out = new TreeSet<>(x);
    out.addAll(y);
    return out;
  }

  private static List<String> pair(String x, String y) {
    List<String> out = new ArrayList<>();
    out.add(x);
    out.add(y);
    return out;
  }
}
