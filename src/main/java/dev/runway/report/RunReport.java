package dev.runway.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.registry.RunOutputs;
import dev.runway.run.RunFiles;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
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

  /**
   * What a run's report shows besides the run's own files, found when the report is rendered
   * after training: the aliases pointing at the run, and the outputs made from it since.
   *
   * @param aliases the aliases pointing at the run now
   * @param outputs its committed evaluations, comparisons, promotions and drift reports
   */
  public record Later(List<String> aliases, List<RunOutputs.Read> outputs) {
    /** Nothing yet: the report training writes into the run. */
    public static final Later NONE = new Later(List.of(), List.of());
  }

  /** The report of the run in {@code run}, from its files as they are now. */
  public static String html(RunDirectory run) {
    return html(run, Later.NONE);
  }

  /** The report of the run in {@code run}, with what was made from it since. */
  public static String html(RunDirectory run, Later later) {
    Map<String, Object> metrics = Json.parse(run.readText(RunFiles.METRICS));
    Map<String, Object> lineage = run.jsonIfPresent(RunFiles.LINEAGE);
    Map<String, Object> profile = run.jsonIfPresent(RunFiles.PROFILE);
    String job = run.readBytes(RunFiles.JOB)
        .map(b -> new String(b, StandardCharsets.UTF_8))
        .orElse("");
    Map<String, Object> model = model(metrics, lineage, job);
    model.put("labelBalance", labelBalance(map(profile.get("label"))));
    model.putAll(later(later));
    StringWriter out = new StringWriter();
    TEMPLATE.execute(out, model);
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
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("split", split);
      row.put("rows", v.get("rows"));
      row.put("cells", cells(v, shown, split));
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
    List<String> modelCharts = modelCharts(training);
    m.put("modelCharts", modelCharts);
    m.put("hasModelCharts", !modelCharts.isEmpty());
    m.put("coefficientTable", coefficientTable(training));

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

  /** One split's metrics as table cells, each with its interval when there is one. */
  private static List<Map<String, Object>> cells(
      Map<String, Object> values, List<String> shown, String keyPrefix) {
    Map<String, Object> intervals = map(values.get("intervals"));
    List<Map<String, Object>> cells = new ArrayList<>();
    for (String name : shown) {
      Map<String, Object> cell = new LinkedHashMap<>();
      cell.put("key", keyPrefix + "." + name);
      cell.put("value", values.get(name) instanceof Number n ? decimal(n.doubleValue()) : "");
      Map<String, Object> interval = map(intervals.get(name));
      if (interval.get("lower") instanceof Number lo
          && interval.get("upper") instanceof Number up) {
        cell.put("interval", interval(lo, up));
      }
      cells.add(cell);
    }
    return cells;
  }

  /**
   * An MLlib model's own summary as charts: the optimizer's objective per iteration, boosting's
   * loss per iteration, tree importances and linear coefficients by feature name.
   */
  private static List<String> modelCharts(Map<String, Object> training) {
    List<String> charts = new ArrayList<>();
    if (training.get("objective_history") instanceof List<?> history && history.size() > 1) {
      charts.add(Svg.lines(
          "Objective per iteration (training)",
          "iteration",
          "objective",
          List.of(perIteration("objective", history)),
          460,
          260));
    }
    if (training.get("train_loss_per_iteration") instanceof List<?> train) {
      List<Svg.Series> series = new ArrayList<>();
      series.add(perIteration("train", train));
      if (training.get("validation_loss_per_iteration") instanceof List<?> validation) {
        series.add(perIteration("validation", validation));
      }
      charts.add(Svg.lines("Loss per boosting iteration", "trees", "loss", series, 460, 260));
    }
    Object features = training.get("features");
    if (training.get("feature_importances") instanceof List<?> importances) {
      charts.add(byFeature(
          "Feature importances (largest " + importances.size() + " of " + features + ")",
          importances,
          "importance"));
    }
    if (training.get("coefficients") instanceof List<?> coefficients
        && !coefficients.isEmpty()
        && map(coefficients.get(0)).containsKey("coefficient")) {
      Object intercept = training.get("intercept");
      charts.add(byFeature(
          "Coefficients, largest magnitude first (" + coefficients.size() + " of " + features
              + (intercept instanceof Number n ? "; intercept " + decimal(n.doubleValue()) : "")
              + ")",
          coefficients,
          "coefficient"));
    }
    return charts;
  }

  private static Svg.Series perIteration(String name, List<?> values) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      x.add((double) (i + 1));
      y.add(((Number) values.get(i)).doubleValue());
    }
    return new Svg.Series(name, x, y);
  }

  private static String byFeature(String title, List<?> rows, String valueKey) {
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (Object r : rows) {
      names.add(shortName(String.valueOf(map(r).get("feature"))));
      values.add(((Number) map(r).get(valueKey)).doubleValue());
    }
    return Svg.bars(title, names, values, 640);
  }

  /** Long feature names cut to fit the bar charts' label column. */
  private static String shortName(String name) {
    return name.length() <= 24 ? name : name.substring(0, 23) + "\u2026";
  }

  /** A multinomial model's coefficients: one row per feature, one column per class. */
  private static Map<String, Object> coefficientTable(Map<String, Object> training) {
    if (!(training.get("coefficients") instanceof List<?> rows)
        || rows.isEmpty()
        || !map(rows.get(0)).containsKey("by_class")) {
      return null;
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object r : rows) {
      List<String> values = new ArrayList<>();
      map(map(r).get("by_class"))
          .values()
          .forEach(v -> values.add(decimal(((Number) v).doubleValue())));
      out.add(Map.of("feature", String.valueOf(map(r).get("feature")), "values", values));
    }
    Map<String, Object> table = new LinkedHashMap<>();
    table.put("classes", List.copyOf(map(map(rows.get(0)).get("by_class")).keySet()));
    table.put("rows", out);
    table.put("shown", rows.size());
    table.put("features", training.get("features"));
    return table;
  }

  /**
   * The label's distribution on the training split, from the run's reference profile: class
   * counts, or a numeric label's counts per quantile bin.
   */
  static String labelBalance(Map<String, Object> label) {
    if (!(label.get("counts") instanceof List<?> counts) || counts.isEmpty()) {
      return null;
    }
    List<String> bins = new ArrayList<>();
    boolean categorical = label.get("values") instanceof List<?> values && !values.isEmpty();
    if (categorical) {
      ((List<?>) label.get("values")).forEach(v -> bins.add(String.valueOf(v)));
    } else if (label.get("edges") instanceof List<?> edges && !edges.isEmpty()) {
      bins.add("\u2264 " + number(edges.get(0)));
      for (int i = 1; i < edges.size(); i++) {
        bins.add("(" + number(edges.get(i - 1)) + ", " + number(edges.get(i)) + "]");
      }
      bins.add("> " + number(edges.get(edges.size() - 1)));
    }
    // After the value bins: "other" (categorical) and "missing" cells, shown only with rows.
    int valueBins = bins.size();
    if (categorical) {
      bins.add("(other)");
    }
    bins.add("(missing)");
    List<String> shown = new ArrayList<>();
    List<Double> rows = new ArrayList<>();
    for (int i = 0; i < counts.size() && i < bins.size(); i++) {
      double n = ((Number) counts.get(i)).doubleValue();
      if (n > 0 || i < valueBins) {
        shown.add(bins.get(i));
        rows.add(n);
      }
    }
    return Svg.bars(
        "Label " + label.get("name") + " on the training split (rows)", shown, rows, 640);
  }

  private static String number(Object value) {
    return String.format(Locale.ROOT, "%.4g", ((Number) value).doubleValue());
  }

  /** The aliases pointing at the run, and a section per output made from it. */
  private static Map<String, Object> later(Later later) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("aliases", later.aliases().isEmpty() ? null : String.join(", ", later.aliases()));
    List<Map<String, Object>> evaluations = new ArrayList<>();
    List<Map<String, Object>> comparisons = new ArrayList<>();
    List<Map<String, Object>> drifts = new ArrayList<>();
    for (RunOutputs.Read read : later.outputs()) {
      Map<String, Object> c = read.content();
      Map<String, Object> section = new LinkedHashMap<>();
      section.put("uri", read.output().uri());
      section.put("recordedAt", read.output().recordedAt());
      switch (read.output().command()) {
        case "evaluate" -> {
          int i = evaluations.size();
          Map<String, Object> values = map(c.get("metrics"));
          List<String> shown =
              METRICS.stream().filter(n -> values.get(n) instanceof Number).toList();
          section.put("index", i);
          section.put("input", c.get("input"));
          section.put("rows", c.get("rows"));
          section.put("metricNames", shown);
          section.put("cells", cells(values, shown, "evaluate" + i));
          evaluations.add(section);
        }
        case "compare", "promote" -> comparisons.add(comparison(section, c));
        case "drift" -> drifts.add(drift(section, c));
        default -> {
          // an output kind this version does not know: left out
        }
      }
    }
    m.put("evaluations", evaluations);
    m.put("hasEvaluations", !evaluations.isEmpty());
    m.put("comparisons", comparisons);
    m.put("hasComparisons", !comparisons.isEmpty());
    m.put("drifts", drifts);
    m.put("hasDrifts", !drifts.isEmpty());
    return m;
  }

  private static Map<String, Object> comparison(
      Map<String, Object> section, Map<String, Object> verdict) {
    Map<String, Object> decision = map(verdict.get("decision"));
    section.put("command", verdict.get("command"));
    section.put("alias", verdict.get("alias"));
    section.put("baseline", map(verdict.get("baseline")).get("run_id"));
    section.put("candidate", map(verdict.get("candidate")).get("run_id"));
    section.put("rows", verdict.get("rows"));
    section.put("outcome", decision.get("outcome"));
    section.put("passesGate", decision.get("passes_gate"));
    section.put("promoted", decision.get("promoted"));
    section.put("reasons", decision.get("reasons"));
    Map<String, Object> baseline = map(map(verdict.get("metrics")).get("baseline"));
    Map<String, Object> candidate = map(map(verdict.get("metrics")).get("candidate"));
    Map<String, List<?>> intervals = new LinkedHashMap<>();
    if (verdict.get("tests") instanceof List<?> tests) {
      for (Object t : tests) {
        if (map(t).get("metric") instanceof String metric
            && map(t).get("interval") instanceof List<?> interval) {
          // The paired bootstrap's interval of candidate - baseline, like the delta shown.
          intervals.put(metric, interval);
          section.put("confidence", map(t).get("confidence"));
        }
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    candidate.forEach((name, value) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("metric", name);
      row.put("baseline", baseline.get(name) instanceof Number b ? decimal(b.doubleValue()) : "");
      row.put("candidate", value instanceof Number n ? decimal(n.doubleValue()) : "");
      if (baseline.get(name) instanceof Number b && value instanceof Number n) {
        row.put("delta", decimal(n.doubleValue() - b.doubleValue()));
      }
      List<?> interval = intervals.get(name);
      if (interval != null && interval.size() == 2) {
        row.put("interval", interval((Number) interval.get(0), (Number) interval.get(1)));
      }
      rows.add(row);
    });
    section.put("metrics", rows);
    return section;
  }

  private static Map<String, Object> drift(
      Map<String, Object> section, Map<String, Object> report) {
    Map<String, Object> verdict = map(report.get("verdict"));
    section.put("input", report.get("input"));
    section.put("rows", report.get("rows"));
    section.put("referenceRows", report.get("reference_rows"));
    section.put("retrain", Boolean.TRUE.equals(verdict.get("retrain")));
    section.put("reasons", verdict.get("reasons"));
    List<Map<String, Object>> columns = new ArrayList<>();
    if (report.get("columns") instanceof List<?> list) {
      for (Object o : list) {
        columns.add(map(o));
      }
    }
    columns.sort(Comparator.comparingDouble(c -> -((Number) c.get("psi")).doubleValue()));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> c : columns.subList(0, Math.min(15, columns.size()))) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("column", c.get("column"));
      row.put("role", c.get("role"));
      row.put("psi", decimal(((Number) c.get("psi")).doubleValue()));
      row.put(
          "adjustedP",
          String.format(Locale.ROOT, "%.3g", ((Number) c.get("adjusted_p_value")).doubleValue()));
      row.put("drifted", Boolean.TRUE.equals(c.get("drifted")) ? "drifted" : "");
      rows.add(row);
    }
    section.put("columns", rows);
    section.put("columnsShown", rows.size());
    section.put("columnsChecked", columns.size());
    return section;
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

  private static String interval(Number lower, Number upper) {
    return "[" + decimal(lower.doubleValue()) + ", " + decimal(upper.doubleValue()) + "]";
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
