package dev.runway.apply;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.TestS3;
import dev.runway.TestSpark;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.compare.Aliases;
import dev.runway.compare.MoveResult;
import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import dev.runway.config.JobSettings;
import dev.runway.data.Source;
import dev.runway.data.SourceReader;
import dev.runway.features.Splitter;
import dev.runway.run.ManifestHeader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code score} and {@code evaluate} through the command line, on one committed run shared by
 * every test: logistic regression on Seattle's daily weather (five classes named by strings), with
 * a random split, trained once. The job's SQL passes the input's {@code date} through (so it can
 * be kept and be a row key) but drops everything else it does not compute, as many jobs do.
 */
class ApplyRunTest {
  private static final List<String> CLASSES = List.of("drizzle", "fog", "rain", "snow", "sun");
  private static final List<String> PROBABILITIES =
      CLASSES.stream().map(c -> "probability_" + c).toList();

  @TempDir
  static Path tmp;

  private static String run;
  /** The weather CSV's 1,461 rows without the label column, as Parquet. */
  private static String unlabelled;

  private static SparkSession spark;

  @BeforeAll
  static void trainOnce() throws IOException {
    spark = TestSpark.session();
    Path job = tmp.resolve("weather.conf");
    Files.writeString(job, """
        job { name = weather }
        source {
          path = "%s"
          format = csv
          options { header = true }
          schema = "date STRING, precipitation DOUBLE, temp_max DOUBLE, temp_min DOUBLE, wind DOUBLE, weather STRING"
        }
        features {
          sql = [{
            name = training
            sql = \"\"\"
              SELECT date, weather, precipitation, temp_max, temp_min, wind, temp_max - temp_min AS temp_range,
                     CAST(month(to_date(date, 'yyyy/MM/dd')) AS STRING) AS month
              FROM source
            \"\"\"
          }]
          label = weather
          categorical = [month]
          numeric = [precipitation, temp_max, temp_min, wind, temp_range]
        }
        split { method = random }
        model {
          type = logistic-regression
          logistic-regression { reg-param = 0.01, max-iter = 30 }
        }
        evaluate { bootstrap-replicates = 200 }
        """.formatted(TestData.require(TestData.SEATTLE_WEATHER)));
    Cli.Result trained = Cli.run(
        "train",
        "--job",
        job.toString(),
        "--master",
        "local[2]",
        "--run-id",
        "r1",
        "--set",
        "output.root=\"" + tmp.resolve("runs") + "\"");
    assertEquals(0, trained.code(), trained.err());
    run = (String) Json.parse(trained.out()).get("run_uri");

    Dataset<Row> weather = spark
        .read()
        .option("header", "true")
        .schema(
            "date STRING, precipitation DOUBLE, temp_max DOUBLE, temp_min DOUBLE, wind DOUBLE, weather STRING")
        .csv(TestData.SEATTLE_WEATHER.toString());
    unlabelled = parquet("unlabelled", weather.drop("weather"));
  }

  private static String parquet(String name, Dataset<Row> rows) {
    String path = tmp.resolve("in").resolve(name).toString();
    rows.write().mode(SaveMode.ErrorIfExists).parquet(path);
    return path;
  }

  private static Cli.Result cli(
      String command, String runUri, String input, String output, String... more) {
    List<String> args = new ArrayList<>(List.of(
        command, "--master", "local[2]", "--run", runUri, "--input", input, "--output", output));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /** The one JSON line a successful command prints, with exactly {@code keys}. */
  private static Map<String, Object> success(Cli.Result r, String... keys) {
    assertEquals(0, r.code(), r.err());
    assertEquals(1, r.outLines().size(), r.out());
    Map<String, Object> line = Json.parse(r.out());
    assertEquals(List.of(keys), new ArrayList<>(line.keySet()), r.out());
    return line;
  }

  private static Map<String, Object> scored(Cli.Result r) {
    return success(r, "status", "run_id", "rows", "output_uri");
  }

  private static Map<String, Object> evaluated(Cli.Result r) {
    return success(r, "status", "run_id", "rows", "output_uri", "metrics");
  }

  private static String out(String name) {
    return tmp.resolve("out").resolve(name).toString();
  }

  private static long rows(Map<String, Object> line) {
    return ((Number) line.get("rows")).longValue();
  }

  @Test
  void scoreCommitsNamedPredictionsForEveryRowAndIsIdempotent() throws Exception {
    String output = out("scores");
    Map<String, Object> line = scored(cli("score", run, unlabelled, output, "--format", "parquet"));
    assertEquals("committed", line.get("status"));
    assertEquals("r1", line.get("run_id"));
    assertEquals(1461L, rows(line));
    assertEquals("file:" + output, line.get("output_uri"));
    assertTrue(Files.isRegularFile(Path.of(output, "manifest.json")));
    assertTrue(Files.isRegularFile(Path.of(output, "lineage.json")));

    Dataset<Row> data = spark.read().parquet(output + "/data");
    List<String> columns = new ArrayList<>(
        List.of("date", "precipitation", "temp_max", "temp_min", "wind", "prediction"));
    columns.addAll(PROBABILITIES);
    assertEquals(
        columns, List.of(data.columns()), "by default every input column the SQL passes through");
    List<Row> all = data.collectAsList();
    assertEquals(1461, all.size());
    Set<String> predicted = new HashSet<>();
    for (Row r : all) {
      String p = r.getAs("prediction");
      assertTrue(CLASSES.contains(p), "a class name of training: " + p);
      predicted.add(p);
      double sum = 0;
      double best = -1;
      String argmax = null;
      for (int i = 0; i < CLASSES.size(); i++) {
        double q = r.<Double>getAs(PROBABILITIES.get(i));
        assertTrue(q >= 0 && q <= 1, r.toString());
        sum += q;
        if (q > best) {
          best = q;
          argmax = CLASSES.get(i);
        }
      }
      assertEquals(1.0, sum, 1e-9, r.toString());
      assertEquals(argmax, p, "the prediction is the most probable class: " + r);
    }
    assertTrue(predicted.containsAll(List.of("rain", "sun")), predicted.toString());
    assertEquals(
        1461,
        all.stream().map(r -> r.<String>getAs("date")).distinct().count(),
        "every input row once");

    // The output verifies like a run: every file listed in its manifest.
    Cli.Result verified = Cli.run("verify", "--run", output);
    assertEquals(0, verified.code(), verified.err());
    assertEquals("valid", Json.parse(verified.out()).get("status"));
    Map<String, Object> manifest = Json.parse(Files.readString(Path.of(output, "manifest.json")));
    assertEquals(ManifestHeader.SCORES, manifest.get("format"));
    Map<String, Object> lineage = Json.parse(Files.readString(Path.of(output, "lineage.json")));
    assertEquals(1461L, ((Number) lineage.get("rows_in")).longValue());
    assertEquals(1461L, ((Number) lineage.get("rows_out")).longValue());
    assertEquals(run, ((Map<?, ?>) lineage.get("run")).get("uri"));
    assertEquals(
        RunDirectory.at(new Configuration(), run).sha256("manifest.json"),
        ((Map<?, ?>) lineage.get("run")).get("manifest_sha256"),
        "lineage names the run's exact content");

    // A retry (a scheduler's) is a no-op that still reports the output.
    String committed = Files.readString(Path.of(output, "manifest.json"));
    Map<String, Object> again =
        scored(cli("score", run, unlabelled, output, "--format", "parquet"));
    assertEquals("already-committed", again.get("status"));
    assertEquals(1461L, rows(again));
    assertEquals(committed, Files.readString(Path.of(output, "manifest.json")), "untouched");

    // --overwrite replaces it: here with only the kept id column next to the predictions.
    Map<String, Object> replaced = scored(cli(
        "score", run, unlabelled, output, "--format", "parquet", "--keep", "date", "--overwrite"));
    assertEquals("committed", replaced.get("status"));
    assertNotEquals(committed, Files.readString(Path.of(output, "manifest.json")), "a new commit");
    Dataset<Row> kept = spark.read().parquet(output + "/data");
    List<String> keptColumns = new ArrayList<>(List.of("date", "prediction"));
    keptColumns.addAll(PROBABILITIES);
    assertEquals(keptColumns, List.of(kept.columns()));
    assertEquals(1461, kept.count());
    // The kept id carries each row's own prediction: the same as the first scoring gave it.
    Map<String, String> byDate = new HashMap<>();
    all.forEach(r -> byDate.put(r.getAs("date"), r.getAs("prediction")));
    for (Row r : kept.collectAsList()) {
      assertEquals(byDate.get(r.<String>getAs("date")), r.getAs("prediction"), r.toString());
    }
    assertEquals(0, Cli.run("verify", "--run", output).code());
  }

  @Test
  @SuppressWarnings("unchecked")
  void evaluateGivesTrainingsMetricsOnItsTestRowsCountsUnseenLabelsAndKeysRowsStably()
      throws Exception {
    // The test split's source rows, found as training found them: the seeded hash of each
    // source row as read with the run's own source settings.
    RunDirectory dir = RunDirectory.at(new Configuration(), run);
    ConfigReader r =
        new ConfigReader(JobConfigLoader.loadSaved(dir.readText("job.conf"), run, List.of()));
    JobSettings settings = JobSettings.read(r);
    r.throwIfProblems();
    String testRows;
    try (Source source = SourceReader.read(spark, settings.source())) {
      testRows = parquet(
          "test-rows", Splitter.part(Splitter.assign(source.rows(), settings.split()), "test"));
    }
    Dataset<Row> test = spark.read().parquet(testRows);
    Map<String, Object> trainedOn = (Map<String, Object>)
        ((Map<String, Object>) Json.parse(dir.readText("metrics.json")).get("splits")).get("test");
    long n = ((Number) trainedOn.get("rows")).longValue();

    String output = out("evaluate-test");
    Map<String, Object> line =
        evaluated(cli("evaluate", run, testRows, output, "--format", "parquet"));
    assertEquals("committed", line.get("status"));
    assertEquals(n, rows(line));
    Map<String, Object> metrics = Json.parse(Files.readString(Path.of(output, "metrics.json")));
    assertEquals("evaluate", metrics.get("command"));
    assertEquals(CLASSES, metrics.get("classes"));
    assertEquals(Map.of("rows", 0, "values", Map.of()), metrics.get("unseen_labels"));
    // Every metric, its confusion matrix and its (seeded, canonically ordered) intervals.
    assertSameNumbers(trainedOn, metrics.get("metrics"), "metrics");
    assertEquals(
        trainedOn.get("accuracy"), ((Map<String, Object>) line.get("metrics")).get("accuracy"));
    assertTrue(
        ((String) metrics.get("row_key")).startsWith("xxhash64 of the training-table row"),
        "the SQL drops the input's columns: " + metrics.get("row_key"));
    assertEquals(0, Cli.run("verify", "--run", output).code());

    Dataset<Row> predictions = spark.read().parquet(output + "/predictions");
    List<String> columns = new ArrayList<>(List.of("row_key", "label", "prediction"));
    columns.addAll(PROBABILITIES);
    assertEquals(columns, List.of(predictions.columns()));
    Map<Long, Row> byKey = keyed(predictions, "row_key");
    assertEquals(n, byKey.size(), "one distinct key per row");

    // The same rows again, in another order and other files, two of them with a label training
    // never saw: counted apart, left out of the metrics, and no failure.
    List<String> relabel = test.orderBy("date").limit(2).collectAsList().stream()
        .map(d -> d.<String>getAs("date"))
        .toList();
    String changed = parquet(
        "relabelled",
        test.withColumn(
                "weather",
                when(col("date").isin(relabel.toArray()), lit("hail")).otherwise(col("weather")))
            .orderBy(col("date").desc())
            .repartition(3));
    String second = out("evaluate-relabelled");
    assertEquals(n, rows(evaluated(cli("evaluate", run, changed, second, "--format", "parquet"))));
    Map<String, Object> again = Json.parse(Files.readString(Path.of(second, "metrics.json")));
    assertEquals(Map.of("rows", 2, "values", Map.of("hail", 2)), again.get("unseen_labels"));
    assertEquals(
        (int) n - 2,
        ((Map<String, Object>) again.get("metrics")).get("rows"),
        "scored on known labels");
    Map<Long, Row> rekeyed = keyed(spark.read().parquet(second + "/predictions"), "row_key");
    Set<Long> moved = new HashSet<>(rekeyed.keySet());
    moved.removeAll(byKey.keySet());
    assertEquals(
        Set.of(),
        moved,
        "the same row has the same key whatever its order, its file, or its label");
    assertEquals(n, rekeyed.size());
    int hail = 0;
    for (Map.Entry<Long, Row> e : rekeyed.entrySet()) {
      Row before = byKey.get(e.getKey());
      assertEquals(
          before.<String>getAs("prediction"),
          e.getValue().getAs("prediction"),
          "the same row's prediction");
      if ("hail".equals(e.getValue().getAs("label"))) {
        hail++;
      } else {
        assertEquals(before.<String>getAs("label"), e.getValue().getAs("label"));
      }
    }
    assertEquals(2, hail, "the unseen labels' rows are in the predictions too");
  }

  /** Equal maps and lists, numbers equal to 1e-9 (sums may run in another order). */
  private static void assertSameNumbers(Object expected, Object actual, String where) {
    if (expected instanceof Number e && actual instanceof Number a) {
      assertEquals(
          e.doubleValue(), a.doubleValue(), 1e-9 * Math.max(1, Math.abs(e.doubleValue())), where);
    } else if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
      assertEquals(e.keySet(), a.keySet(), where);
      e.forEach((k, v) -> assertSameNumbers(v, a.get(k), where + "." + k));
    } else if (expected instanceof List<?> e && actual instanceof List<?> a) {
      assertEquals(e.size(), a.size(), where);
      for (int i = 0; i < e.size(); i++) {
        assertSameNumbers(e.get(i), a.get(i), where + "[" + i + "]");
      }
    } else {
      assertEquals(expected, actual, where);
    }
  }

  private static Map<Long, Row> keyed(Dataset<Row> predictions, String key) {
    Map<Long, Row> out = new HashMap<>();
    for (Row r : predictions.collectAsList()) {
      out.put(r.getAs(key), r);
    }
    return out;
  }

  /** A failure: its exit code, one "error:" line, nothing on stdout, nothing left at the output. */
  private static String failed(Cli.Result r, int code, String output) {
    assertEquals(code, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertFalse(Files.exists(Path.of(output)), "no output, not even an empty directory: " + output);
    return r.errLines().get(0);
  }

  @Test
  void badInputsExitWithTheirCodeAndNameTheCause() throws Exception {
    Dataset<Row> rows = spark.read().parquet(unlabelled);

    // Every problem column named at once, each with what the run needs: a missing one, a string
    // where a number was trained, and a struct.
    String wrong = parquet(
        "wrong",
        rows.drop("temp_max")
            .withColumn("precipitation", col("precipitation").cast("string"))
            .withColumn("wind", struct(col("wind").as("speed"))));
    assertEquals(
        "error: Input " + wrong
            + " does not fit the run: missing column temp_max double; wrong types:"
            + " precipitation is string, the run was trained on double; wind is struct<speed: double>, the run was"
            + " trained on double",
        failed(cli("score", run, wrong, out("wrong"), "--format", "parquet"), 3, out("wrong")));

    String nowhere = tmp.resolve("in/no-such-input").toString();
    String line = failed(
        cli("score", run, nowhere, out("nowhere"), "--format", "parquet"), 3, out("nowhere"));
    assertTrue(line.contains(nowhere) && line.contains("no such file or directory"), line);

    line = failed(
        cli("score", run, unlabelled, out("keep"), "--format", "parquet", "--keep", "date,station"),
        3,
        out("keep"));
    assertTrue(
        line.startsWith("error: Cannot keep column station (--keep): input " + unlabelled
            + " has no such column"),
        line);

    // A value that fails only while rows stream past: the Parquet files half written by then go.
    String infinite = parquet(
        "infinite",
        rows.withColumn(
            "precipitation",
            when(col("date").equalTo("2015/12/31"), lit(Double.POSITIVE_INFINITY))
                .otherwise(col("precipitation"))));
    line = failed(
        cli("score", run, infinite, out("infinite"), "--format", "parquet"), 3, out("infinite"));
    assertTrue(
        line.contains("Column 'precipitation' of " + infinite + " has an infinite value"), line);
  }

  /** A copy of the run under {@code name}, to break. */
  private static Path copyOfRun(String name) throws IOException {
    Path from = Path.of(URI.create(run));
    Path to = tmp.resolve("broken").resolve(name);
    Files.createDirectories(to.getParent());
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(from.relativize(f).toString()));
      }
    }
    return to;
  }

  private static void delete(Path dir, String file) throws IOException {
    Files.delete(dir.resolve(file));
    Path crc = dir.resolve(file).resolveSibling("." + dir.resolve(file).getFileName() + ".crc");
    Files.deleteIfExists(crc);
  }

  @Test
  void brokenRunsAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path uncommitted = copyOfRun("uncommitted");
    delete(uncommitted, "manifest.json");
    String line = failed(
        cli("score", uncommitted.toString(), unlabelled, out("uncommitted"), "--format", "parquet"),
        5,
        out("uncommitted"));
    assertEquals(
        "error: Run file:" + uncommitted + " is not valid: no manifest.json in file:" + uncommitted
            + ": the run is incomplete",
        line);

    // One byte of metrics.json changed, its size kept. (Its local checksum file goes too: object
    // stores have none, and Hadoop's local file system would refuse the read before the manifest
    // is even compared.)
    Path tampered = copyOfRun("tampered");
    byte[] metrics = Files.readAllBytes(tampered.resolve("metrics.json"));
    metrics[metrics.length / 2] = (byte) (metrics[metrics.length / 2] == '1' ? '2' : '1');
    delete(tampered, "metrics.json");
    Files.write(tampered.resolve("metrics.json"), metrics);
    line = failed(
        cli("evaluate", tampered.toString(), TestData.SEATTLE_WEATHER.toString(), out("tampered")),
        5,
        out("tampered"));
    assertEquals(
        "error: Run file:" + tampered
            + " is not valid: SHA-256 of metrics.json does not match the manifest",
        line);

    Path missing = tmp.resolve("broken/never-trained");
    line = failed(
        cli("score", missing.toString(), unlabelled, out("never"), "--format", "parquet"),
        5,
        out("never"));
    assertEquals("error: Cannot load run file:" + missing + ": no such directory", line);

    // A run committed before runs saved what applying needs: valid, but unusable.
    Path old = copyOfRun("old");
    Map<String, Object> manifest = Json.parse(Files.readString(old.resolve("manifest.json")));
    delete(old, "target.json");
    delete(old, "input-contract.json");
    delete(old, "manifest.json");
    RunDirectory oldRun = RunDirectory.at(new Configuration(), old.toString());
    oldRun.commit(ManifestHeader.of(manifest).toMap());
    assertEquals(List.of(), oldRun.verify(), "the manifest matches the files");
    line = failed(
        cli("score", old.toString(), unlabelled, out("old"), "--format", "parquet"), 2, out("old"));
    assertTrue(line.contains("retrain it"), line);
  }

  @Test
  void scoreNamesTheRunThroughAnAliasAndRecordsItInLineage() throws Exception {
    String jobDir = run.substring(0, run.lastIndexOf('/'));
    String root = jobDir.substring(0, jobDir.lastIndexOf('/'));
    String byAlias = "alias:champion@" + root;
    String line = failed(
        cli("score", byAlias, unlabelled, out("alias-unset"), "--format", "parquet"),
        2,
        out("alias-unset"));
    assertEquals(
        "error: Cannot use --run " + byAlias + ": alias champion is not set in " + root, line);

    Aliases aliases = Aliases.at(new Configuration(), root, Aliases.DEFAULT_LEASE);
    MoveResult moved = aliases.move("champion", Optional.empty(), run, null);
    assertTrue(moved.won(), moved.reason());
    String output = out("scores-by-alias");
    Map<String, Object> scored =
        scored(cli("score", byAlias, unlabelled, output, "--format", "parquet"));
    assertEquals("r1", scored.get("run_id"));
    assertEquals(1461L, rows(scored));
    Map<?, ?> reference = (Map<?, ?>)
        Json.parse(Files.readString(Path.of(output, "lineage.json"))).get("run");
    assertEquals(run, reference.get("uri"), "the run the alias resolved to");
    assertEquals(
        Map.of("name", "champion", "root", root, "seq", 1, "run_uri", run), reference.get("alias"));
  }

  /** Uploads a local directory through a private S3A client, as another process would have. */
  private static void upload(String local, String uri) throws IOException {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(uri);
    try (FileSystem fs = FileSystem.newInstance(target.toUri(), TestS3.hadoop())) {
      fs.copyFromLocalFile(
          false,
          true,
          new org.apache.hadoop.fs.Path(
              URI.create(local.startsWith("file:") ? local : "file:" + local)),
          target);
    }
  }

  private static Cli.Result onS3(
      String command, String runUri, String input, String output, String... more) {
    List<String> args = new ArrayList<>(List.of(more));
    for (String s : TestS3.settings()) {
      args.add("--set");
      args.add(s);
    }
    return cli(command, runUri, input, output, args.toArray(String[]::new));
  }

  @Test
  @SuppressWarnings("unchecked")
  void scoreAndEvaluateWithRunInputAndOutputOnS3() throws Exception {
    TestS3.bucket("runway-apply");
    upload(run, "s3a://runway-apply/runs/weather/r1");
    upload(unlabelled, "s3a://runway-apply/in/unlabelled");
    upload(TestData.SEATTLE_WEATHER.toString(), "s3a://runway-apply/in/labelled/weather.csv");
    String s3Run = "s3a://runway-apply/runs/weather/r1";
    // What a scorer that died mid-write leaves: objects under the output, no manifest.
    try (FileSystem fs =
        FileSystem.newInstance(URI.create("s3a://runway-apply/"), TestS3.hadoop())) {
      for (String key : List.of("scores/data/part-00000-half.parquet", "scores/lineage.json")) {
        try (var out = fs.create(new org.apache.hadoop.fs.Path("s3a://runway-apply/" + key))) {
          out.write("half-written".getBytes(StandardCharsets.UTF_8));
        }
      }
    }

    Map<String, Object> line = scored(onS3(
        "score",
        s3Run,
        "s3a://runway-apply/in/unlabelled",
        "s3a://runway-apply/scores",
        "--format",
        "parquet",
        "--keep",
        "date"));
    assertEquals("committed", line.get("status"), "no manifest: not a result, so redone");
    assertFalse(
        TestS3.keys("runway-apply", "scores/").contains("scores/data/part-00000-half.parquet"));
    assertEquals(1461L, rows(line));
    assertEquals("s3a://runway-apply/scores", line.get("output_uri"));
    RunDirectory scores = RunDirectory.at(TestS3.hadoop(), "s3a://runway-apply/scores");
    assertEquals(List.of(), scores.verify(), "committed, every file read back from S3 matching");
    assertEquals(1461, spark.read().parquet("s3a://runway-apply/scores/data").count());
    List<Map<String, Object>> files = (List<Map<String, Object>>)
        ((Map<String, Object>) Json.parse(scores.readText("lineage.json")).get("input"))
            .get("files");
    assertFalse(files.isEmpty());
    for (Map<String, Object> f : files) {
      assertTrue(
          ((String) f.get("path")).startsWith("s3a://runway-apply/in/unlabelled/part-"),
          f.toString());
      assertTrue(((Number) f.get("size")).longValue() > 0, f.toString());
      assertTrue(
          f.get("etag") instanceof String e && !e.isBlank(),
          "S3 inputs are recorded with their ETag: " + f);
    }
    assertEquals(
        s3Run,
        ((Map<String, Object>) Json.parse(scores.readText("lineage.json")).get("run")).get("uri"));

    // --row-key: an input column the SQL passes through keys the rows instead of a hash.
    Map<String, Object> evaluated = evaluated(onS3(
        "evaluate",
        s3Run,
        "s3a://runway-apply/in/labelled/",
        "s3a://runway-apply/evaluation",
        "--row-key",
        "date"));
    assertEquals(1461L, rows(evaluated));
    RunDirectory evaluation = RunDirectory.at(TestS3.hadoop(), "s3a://runway-apply/evaluation");
    assertEquals(List.of(), evaluation.verify());
    Map<String, Object> input =
        (Map<String, Object>) Json.parse(evaluation.readText("lineage.json")).get("input");
    Map<String, Object> file = ((List<Map<String, Object>>) input.get("files")).get(0);
    assertEquals("s3a://runway-apply/in/labelled/weather.csv", file.get("path"));
    assertEquals(Files.size(TestData.SEATTLE_WEATHER), ((Number) file.get("size")).longValue());
    assertTrue(file.containsKey("etag"), file.toString());
    assertEquals("date", Json.parse(evaluation.readText("metrics.json")).get("row_key"));
    Dataset<Row> dated = spark.read().parquet("s3a://runway-apply/evaluation/predictions");
    assertEquals("date", dated.columns()[0]);
    assertEquals(1461, dated.select("date").distinct().count());
  }
}
