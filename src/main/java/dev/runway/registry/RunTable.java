package dev.runway.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code runs list} as a table for a terminal: one row per run, columns padded to fit. */
public final class RunTable {
  private static final List<String> HEADER = List.of(
      "JOB", "RUN ID", "MODEL", "STARTED", "DURATION", "VALIDATION", "TEST", "ALIASES", "STATUS");

  private RunTable() {}

  /** The table of {@code runs}; {@code aliases} maps a run URI to the aliases pointing at it. */
  public static String of(List<RunEntry> runs, Map<String, List<String>> aliases) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (RunEntry e : runs) {
      rows.add(List.of(
          e.job(),
          e.runId(),
          e.modelType() == null ? "-" : e.modelType(),
          e.startedAt() == null ? "-" : e.startedAt().replaceFirst("\\.\\d+Z$", "Z"),
          e.durationS() == null ? "-" : String.format(Locale.ROOT, "%.0f s", e.durationS()),
          headline(e.metrics().get("validation")),
          headline(e.metrics().get("test")),
          String.join(",", aliases.getOrDefault(e.uri(), List.of())),
          "committed"));
    }
    int[] widths = new int[HEADER.size()];
    rows.forEach(r -> {
      for (int i = 0; i < r.size(); i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    });
    StringBuilder out = new StringBuilder();
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", r.get(i)));
        if (i < r.size() - 1) {
          line.append("  ");
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    out.append(runs.size()).append(runs.size() == 1 ? " run\n" : " runs\n");
    return out.toString();
  }

  /** A split's headline: accuracy and AUC for a classifier, RMSE and R² for a regression. */
  static String headline(Map<String, Double> metrics) {
    if (metrics == null || metrics.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    for (String name : List.of("accuracy", "auc", "rmse", "r2")) {
      if (metrics.containsKey(name)) {
        parts.add(name + " " + number(metrics.get(name)));
      }
    }
    return parts.isEmpty() ? "-" : String.join(" ", parts);
  }

  /** Four significant digits, or "-". */
  public static String number(Double v) {
    if (v == null) {
      return "-";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%d", v.longValue());
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }

  /** A change with its sign. */
  public static String signed(Double v) {
    return (v != null && v > 0 ? "+" : "") + number(v);
  }
}
