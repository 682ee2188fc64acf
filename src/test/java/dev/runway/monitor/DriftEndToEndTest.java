package dev.runway.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.TestSpark;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.profile.ColumnProfile;
import dev.runway.profile.ReferenceProfile;
import dev.runway.run.RunFiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference profile training saves, and drift through the command line on real data: the
 * Seattle weather example, trained on 2012-2014 (its split puts 2015 in validation and test), then
 * checked against its own training rows and against 2015, whose labels shift.
 */
class DriftEndToEndTest {
  @TempDir
  static Path tmp;

  private static String run;
  private static Path csv;

  @BeforeAll
  static void train() {
    TestSpark.session();
    csv = TestData.require(TestData.SEATTLE_WEATHER);
    Cli.Result r = Cli.run(
        "train",
        "--job",
        TestData.repo().resolve("conf/jobs/seattle-weather.conf").toString(),
        "--master",
        "local[2]",
        "--run-id",
        "weather",
        "--set",
        "output.root=\"" + tmp.resolve("runs") + "\"",
        "--set",
        "model.random-forest.num-trees=20");
    assertEquals(0, r.code(), r.err());
    run = (String) Json.parse(r.out()).get("run_uri");
  }

  private static Cli.Result drift(String input, String output, String... more) {
    List<String> args = new ArrayList<>(List.of(
        "drift", "--run", run, "--input", input, "--output", output, "--master", "local[2]"));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static DriftReport report(String outputUri) throws Exception {
    return Json.read(
        Files.readString(Path.of(URI.create(outputUri)).resolve(DriftJob.REPORT)),
        DriftReport.class);
  }

  /** The rows of the Seattle weather CSV whose date starts with {@code prefix}, as a CSV file. */
  private static String rowsOf(String name, String... prefixes) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    List<String> kept = new ArrayList<>(List.of(lines.get(0)));
    for (String line : lines.subList(1, lines.size())) {
      for (String p : prefixes) {
        if (line.startsWith(p)) {
          kept.add(line);
        }
      }
    }
    Path out = tmp.resolve(name + ".csv");
    Files.write(out, kept);
    return out.toString();
  }

  @Test
  void theRunSavesItsReferenceProfileInItsManifest() throws Exception {
    RunDirectory dir = RunDirectory.at(new Configuration(), run);
    assertEquals(List.of(), dir.verify());
    assertTrue(dir.has(RunFiles.PROFILE));
    ReferenceProfile profile = Json.read(dir.readText(RunFiles.PROFILE), ReferenceProfile.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> rows = (Map<String, Object>)
        ((Map<String, Object>) Json.parse(dir.readText(RunFiles.LINEAGE)).get("split")).get("rows");
    long train = ((Number) rows.get("train")).longValue();
    long validation = ((Number) rows.get("validation")).longValue();
    assertEquals(train, profile.rows());
    assertEquals(
        List.of("precipitation", "temp_max", "temp_min", "wind", "temp_range", "month"),
        profile.columns().stream().map(ColumnProfile::name).toList());
    for (ColumnProfile c : profile.columns()) {
      assertEquals(train, c.rows(), c.name() + " counts every training row once");
    }
    ColumnProfile month = profile.column("month").orElseThrow();
    assertEquals(ColumnProfile.Kind.CATEGORICAL, month.kind());
    assertEquals(12, month.values().size(), month.values().toString());
    assertEquals(0, month.counts().get(12), "no other month");
    ColumnProfile tempMax = profile.column("temp_max").orElseThrow();
    assertEquals(ColumnProfile.Kind.NUMERIC, tempMax.kind());
    assertEquals(9, tempMax.edges().size(), "deciles of a continuous column");
    for (long n : tempMax.counts().subList(0, 10)) {
      assertTrue(Math.abs(n - train / 10.0) < train * 0.02, "about a tenth per bin: " + tempMax);
    }
    // Precipitation is zero on most days: its lower deciles coincide and merge into one bin.
    ColumnProfile rain = profile.column("precipitation").orElseThrow();
    assertTrue(rain.edges().size() < 9, rain.toString());
    assertTrue(rain.counts().get(0) > train / 2, rain.toString());
    assertEquals(ColumnProfile.Kind.CATEGORICAL, profile.label().kind());
    assertEquals(train, profile.label().rows());
    assertEquals(validation, profile.predictionRows());
    assertEquals(validation, profile.prediction().rows());
    Map<String, Object> metrics = Json.parse(dir.readText(RunFiles.METRICS));
    @SuppressWarnings("unchecked")
    Map<String, Object> timings = (Map<String, Object>) metrics.get("timings_s");
    assertTrue(timings.containsKey("profile"), timings.toString());
  }

  @Test
  void theTrainingRowsThemselvesDoNotDrift() throws Exception {
    Cli.Result r =
        drift(rowsOf("early", "2012", "2013", "2014"), tmp.resolve("same").toString());
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out());
    assertEquals("committed", line.get("status"));
    DriftReport report = report((String) line.get("output_uri"));
    // The predictions' reference is the validation split (2015's first half under this job's
    // split by date), which the training rows need not match; features and label must.
    for (Object c : (List<?>) line.get("drifted_columns")) {
      assertEquals(ReferenceProfile.PREDICTION, c, r.out());
    }
    assertTrue(report.labelled());
    for (DriftReport.Column c : report.columns()) {
      if (!c.role().equals("prediction")) {
        assertEquals(0.0, c.psi(), 1e-12, c.column() + ": the same rows, the same counts");
        assertEquals(1.0, c.pValue(), 1e-12, c.column());
        for (DriftReport.Bin b : c.bins()) {
          assertEquals(b.reference(), b.current(), c.column() + " " + b.bin());
        }
      }
    }
    assertEquals(
        List.of(
            "feature",
            "feature",
            "feature",
            "feature",
            "feature",
            "feature",
            "label",
            "prediction"),
        report.columns().stream().map(DriftReport.Column::role).toList());
  }

  /**
   * 2015 against 2012-2014: the labels shift (the data set records far more "sun" and almost no
   * "drizzle" in its last year), and so do the predictions; the drift report says so, with the bins
   * side by side. A retry into the committed output is a no-op that returns the same verdict.
   */
  @Test
  void theLastYearDriftsAndTheReportSaysWhy() throws Exception {
    String input = rowsOf("late", "2015");
    String output = tmp.resolve("2015").toString();
    Cli.Result r = drift(input, output);
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out());
    assertEquals(true, line.get("retrain"), r.out());
    DriftReport report = report((String) line.get("output_uri"));
    System.out.println(
        "Seattle weather, 2015 against 2012-2014: " + report.verdict().reasons());
    report
        .columns()
        .forEach(c -> System.out.printf(
            "  %-13s %-10s chi2 %8.1f  p %.3g  adj %.3g  PSI %.3f  %s%n",
            c.column(),
            c.role(),
            c.statistic(),
            c.pValue(),
            c.adjustedPValue(),
            c.psi(),
            c.drifted() ? "DRIFTED" : ""));
    Map<String, DriftReport.Column> byName =
        report.columns().stream().collect(Collectors.toMap(DriftReport.Column::column, c -> c));
    assertTrue(byName.get("weather").drifted(), "the label shifts in 2015");
    assertTrue(report.verdict().reasons().stream().anyMatch(s -> s.startsWith("label weather")));
    assertEquals(365, report.rows());
    assertEquals(report.verdict().driftedColumns(), line.get("drifted_columns"));

    Cli.Result retry = drift(input, output);
    assertEquals(0, retry.code(), retry.err());
    Map<String, Object> again = Json.parse(retry.out());
    assertEquals("already-committed", again.get("status"));
    assertEquals(line.get("drifted_columns"), again.get("drifted_columns"));
  }

  /**
   * A batch whose precipitation arrives as text (some of it not numbers) is a type change: drift
   * of that column with the reason, not a crash. A batch without a column the run reads is refused
   * with exit code 3 naming it, and nothing is committed.
   */
  @Test
  void aTypeChangeIsDriftAndAMissingColumnIsRefused() throws Exception {
    SparkSession spark = TestSpark.session();
    Dataset<Row> weather = spark
        .read()
        .option("header", "true")
        .schema("date STRING, precipitation DOUBLE, temp_max DOUBLE, temp_min DOUBLE,"
            + " wind DOUBLE, weather STRING")
        .csv(rowsOf("late-typed", "2015"));
    String text = tmp.resolve("text.json").toString();
    weather
        .selectExpr(
            "date",
            "CASE WHEN precipitation > 0 THEN CAST(precipitation AS STRING) ELSE 'none' END"
                + " AS precipitation",
            "temp_max",
            "temp_min",
            "wind",
            "weather")
        .write()
        .mode(SaveMode.ErrorIfExists)
        .json(text);
    Cli.Result r = drift(text, tmp.resolve("text-drift").toString(), "--format", "json");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out());
    assertEquals(true, line.get("retrain"));
    DriftReport report = report((String) line.get("output_uri"));
    assertEquals(1, report.typeChanges().size(), report.typeChanges().toString());
    assertEquals("precipitation", report.typeChanges().get(0).column());
    assertFalse(report.typeChanges().get(0).converts());
    assertTrue(
        report
            .verdict()
            .reasons()
            .contains("source column precipitation is string, the run was trained on double"
                + " (values that do not convert count as missing)"),
        report.verdict().reasons().toString());
    assertTrue(report.verdict().driftedColumns().contains("precipitation"));

    String missing = tmp.resolve("no-wind.json").toString();
    weather.drop("wind").write().mode(SaveMode.ErrorIfExists).json(missing);
    Path refusedOut = tmp.resolve("no-wind-drift");
    Cli.Result refused = drift(missing, refusedOut.toString(), "--format", "json");
    assertEquals(3, refused.code(), refused.err());
    assertTrue(refused.err().contains("missing column wind double"), refused.err());
    assertFalse(Files.exists(refusedOut.resolve("manifest.json")));
    assertEquals("", refused.out());
  }
}
