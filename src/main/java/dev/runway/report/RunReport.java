package dev.runway.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.run.RunFiles;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's {@code report.html}: one self-contained file (inline CSS and SVG, no script, nothing
 * loaded from the network) a user opens from the run directory. Rendered from the run's own files
 * (metrics.json, lineage.json, job.conf), so training writes it just before the commit and {@code
 * report} renders the same page for any committed run later.
 *
 * <p>Every metric shown carries {@code data-metric="split.name"} and is metrics.json's value to
 * four decimals, so a test can hold the page to the file.
 */
public final class RunReport {
  private static final Mustache TEMPLATE =
      new DefaultMustacheFactory("report").compile("run.html.mustache");
  private static final List<String> METRICS =
      List.of("accuracy", "weighted_f1", "auc", "log_loss", "rmse", "mae", "r2");

  private RunReport() {}

  /** The report of the run in {@code run}, from its files as they are now. */
  public static String html(RunDirectory run) {
    Map<String, Object> metrics = Json.parse(run.readText(RunFiles.METRICS));
    Map<String, Object> lineage = run.jsonIfPresent(RunFiles.LINEAGE);
    String job = run.readBytes(RunFiles.JOB)
        .map(b -> new String(b, StandardCharsets.UTF_8))
        .orElse("");
    StringWriter out = new StringWriter();
    TEMPLATE.execute(out, model(metrics, lineage, job));
    return out.toString();
  }

  /** What the template shows, as plain maps and lists (mustache reads them as they are). */
  static Map<String, Object> model(
      Map<String, Object> metrics, Map<String, Object> lineage, String job) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job", metrics.get("job"));
    m.put("runId", metrics.get("run_id"));
    m.put("modelType", metrics.get("model_type"));
    m.put("task", metrics.get("task"));
    m.put("startedAt", lineage.get("started_at"));
    m.put("finishedAt", lineage.get("finished_at"));

    Map<String, Object> splits = map(metrics.get("splits"));
    List<String> shown = new ArrayList<>();
    for (String name : METRICS) {
      if (splits.values().stream().anyMatch(s -> map(s).get(name) instanceof Number)) {
        shown.add(name);
      }
    }
    m.put("metricNames", shown);
    List<Map<String, Object>> rows = new ArrayList<>();
    splits.forEach((split, values) -> {
      Map<String, Object> v = map(values);
      Map<String, Object> intervals = map(v.get("intervals"));
      List<Map<String, Object>> cells = new ArrayList<>();
      for (String name : shown) {
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("key", split + "." + name);
        cell.put("value", v.get(name) instanceof Number n ? decimal(n.doubleValue()) : "");
        Map<String, Object> interval = map(intervals.get(name));
        if (interval.get("lower") instanceof Number lo
            && interval.get("upper") instanceof Number up) {
          cell.put(
              "interval", "[" + decimal(lo.doubleValue()) + ", " + decimal(up.doubleValue()) + "]");
        }
        cells.add(cell);
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("split", split);
      row.put("rows", v.get("rows"));
      row.put("cells", cells);
      rows.add(row);
    });
    m.put("splits", rows);
    m.put("confidence", map(map(map(splits.get("test")).get("intervals"))).get("confidence"));

    Map<String, Object> training = map(metrics.get("training"));
    List<?> epochs = training.get("epochs") instanceof List<?> e ? e : List.of();
    if (!epochs.isEmpty()) {
      m.put("curves", curves(epochs));
      m.put("hasCurves", true);
    }
    List<Map<String, Object>> summary = new ArrayList<>();
    training.forEach((k, v) -> {
      if (!(v instanceof List<?>) && !(v instanceof Map<?, ?>)) {
        summary.add(
            Map.of("key", k, "value", v instanceof Double d ? decimal(d) : String.valueOf(v)));
      }
    });
    m.put("training", summary);

    Map<String, Object> confusion = map(map(splits.get("test")).get("confusion_matrix"));
    if (confusion.get("classes") instanceof List<?> classes
        && confusion.get("counts") instanceof List<?> counts) {
      long[][] c = new long[counts.size()][];
      for (int i = 0; i < c.length; i++) {
        List<?> row = (List<?>) counts.get(i);
        c[i] = row.stream().mapToLong(x -> ((Number) x).longValue()).toArray();
      }
      m.put(
          "confusion",
          Svg.heatMap(
              "Test confusion matrix (shade: share of the true class)",
              "true class",
              "predicted class",
              classes.stream().map(String::valueOf).toList(),
              c));
    }

    List<String> testCurves = testCurves(map(map(splits.get("test")).get("curves")));
    m.put("testCurves", testCurves);
    m.put("hasTestCurves", !testCurves.isEmpty());

    Map<String, Object> timings = map(metrics.get("timings_s"));
    List<String> steps = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    timings.forEach((k, v) -> {
      if (v instanceof Number n) {
        steps.add(k);
        seconds.add(n.doubleValue());
      }
    });
    m.put("timings", Svg.bars("Seconds per step", steps, seconds, 640));

    Map<String, Object> split = map(lineage.get("split"));
    m.put("splitRows", rowsOf(map(split.get("rows"))));
    m.put("splitMethod", split.get("method"));
    Map<String, Object> input = map(lineage.get("input"));
    m.put("inputLocation", input.get("location"));
    List<Map<String, Object>> files = new ArrayList<>();
    if (input.get("files") instanceof List<?> list) {
      for (Object f : list) {
        Map<String, Object> file = map(f);
        files.add(Map.of(
            "path", String.valueOf(file.get("path")),
            "size", String.valueOf(file.get("size")),
            "modified", String.valueOf(file.get("modified"))));
      }
    }
    m.put("files", files);
    m.put("inputTruncated", Boolean.TRUE.equals(input.get("truncated")));
    Map<String, Object> target = map(lineage.get("target"));
    m.put("label", target.get("column"));
    m.put(
        "classes",
        target.get("classes") instanceof List<?> l
            ? String.join(", ", l.stream().map(String::valueOf).toList())
            : null);
    m.put("resolvedJob", job);
    Map<String, Object> project = map(lineage.get("project"));
    m.put("version", project.get("version"));
    m.put("gitCommit", project.get("git_commit"));
    return m;
  }

  private static List<Map<String, Object>> rowsOf(Map<String, Object> rows) {
    List<Map<String, Object>> out = new ArrayList<>();
    rows.forEach((k, v) -> out.add(Map.of("split", k, "rows", String.valueOf(v))));
    return out;
  }

  /** The network's learning curves: loss, validation accuracy, speed and where time went. */
  private static List<String> curves(List<?> epochs) {
    List<Double> x = new ArrayList<>();
    Map<String, List<Double>> y = new LinkedHashMap<>();
    for (String k : List.of(
        "train_loss",
        "validation_loss",
        "validation_accuracy",
        "examples_per_s",
        "compute_s",
        "averaging_and_communication_s",
        "replica_divergence")) {
      y.put(k, new ArrayList<>());
    }
    for (Object e : epochs) {
      Map<String, Object> epoch = map(e);
      x.add(((Number) epoch.get("epoch")).doubleValue());
      y.forEach(
          (k, values) -> values.add(epoch.get(k) instanceof Number n ? n.doubleValue() : null));
    }
    return List.of(
        Svg.lines(
            "Loss per epoch",
            "epoch",
            "loss",
            List.of(
                new Svg.Series("train", x, y.get("train_loss")),
                new Svg.Series("validation", x, y.get("validation_loss"))),
            460,
            260),
        Svg.lines(
            "Validation accuracy",
            "epoch",
            "accuracy",
            List.of(new Svg.Series("validation", x, y.get("validation_accuracy"))),
            460,
            260),
        Svg.lines(
            "Examples per second",
            "epoch",
            "examples/s",
            List.of(new Svg.Series("examples/s", x, y.get("examples_per_s"))),
            460,
            260),
        Svg.lines(
            "Seconds per epoch",
            "epoch",
            "seconds",
            List.of(
                new Svg.Series("compute", x, y.get("compute_s")),
                new Svg.Series(
                    "averaging + communication", x, y.get("averaging_and_communication_s"))),
            460,
            260),
        Svg.lines(
            "Replica divergence",
            "epoch",
            "divergence",
            List.of(new Svg.Series("divergence", x, y.get("replica_divergence"))),
            460,
            260));
  }

  /**
   * The test split's curves as charts: ROC and precision-recall for a binary classifier,
   * reliability for any classifier, residuals against predictions for a regression.
   */
  private static List<String> testCurves(Map<String, Object> curves) {
    List<String> charts = new ArrayList<>();
    List<Double> unit = List.of(0.0, 1.0);
    if (curves.get("roc") instanceof List<?> roc) {
      charts.add(Svg.lines(
          "ROC curve (test)",
          "false positive rate",
          "true positive rate",
          List.of(series("classifier", roc), new Svg.Series("chance", unit, unit)),
          460,
          300));
    }
    if (curves.get("pr") instanceof List<?> pr) {
      charts.add(Svg.lines(
          "Precision-recall (test)",
          "recall",
          "precision",
          List.of(series("classifier", pr)),
          460,
          300));
    }
    if (curves.get("calibration") instanceof List<?> bins && !bins.isEmpty()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (Object b : bins) {
        x.add(((Number) map(b).get("mean_predicted")).doubleValue());
        y.add(((Number) map(b).get("observed")).doubleValue());
      }
      charts.add(Svg.lines(
          "Reliability (test): observed against predicted",
          "mean predicted probability (per tenth)",
          "observed share",
          List.of(new Svg.Series("model", x, y), new Svg.Series("perfect", unit, unit)),
          460,
          300));
    }
    if (curves.get("residuals") instanceof List<?> points && !points.isEmpty()) {
      charts.add(Svg.scatter(
          "Residuals against predicted (test sample)",
          "predicted",
          "label - predicted",
          List.of(series("rows", points)),
          460,
          300));
    }
    return charts;
  }

  private static Svg.Series series(String name, List<?> points) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (Object p : points) {
      List<?> xy = (List<?>) p;
      x.add(((Number) xy.get(0)).doubleValue());
      y.add(((Number) xy.get(1)).doubleValue());
    }
    return new Svg.Series(name, x, y);
  }

  /** A metric as shown: four decimals. */
  public static String decimal(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
