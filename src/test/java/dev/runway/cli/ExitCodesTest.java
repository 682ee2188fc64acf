package dev.runway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit-code contract of the README: each failure class exits with its code, prints one
 * "error: ..." line per cause on stderr and nothing on stdout, and leaves no run behind.
 */
class ExitCodesTest {
  @TempDir
  Path runs;

  private String cars() {
    return TestData.repo().resolve("conf/jobs/cars-mpg.conf").toString();
  }

  private Cli.Result train(String... sets) {
    List<String> args = new ArrayList<>(List.of(
        "train",
        "--job",
        cars(),
        "--master",
        "local[2]",
        "--run-id",
        "x",
        "--set",
        "output.root=\"" + runs + "\"",
        "--set",
        "source.path=\"" + TestData.require(TestData.CARS) + "\""));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(String[]::new));
  }

  private void assertFailure(Cli.Result r, int code, String firstErrorLine) {
    assertEquals(code, r.code(), r.err());
    assertEquals("", r.out(), "nothing on stdout");
    assertEquals("error: " + firstErrorLine, r.errLines().get(0));
    assertTrue(r.errLines().stream().allMatch(l -> l.startsWith("error: ")), r.err());
    assertFalse(Files.exists(runs.resolve("cars-mpg/x/manifest.json")), "nothing committed");
  }

  @Test
  void validateSucceedsWithOneJsonLine() {
    Cli.Result r = Cli.run("validate", "--job", cars());
    assertEquals(0, r.code(), r.err());
    Map<String, Object> line = Json.parse(r.out());
    assertEquals("valid", line.get("status"));
    assertEquals("cars-mpg", line.get("job"));
  }

  @Test
  void configErrorsExit2() {
    Cli.Result r =
        Cli.run("validate", "--job", cars(), "--set", "model.type=svm", "--set", "split.sed=1");
    assertEquals(2, r.code());
    assertEquals(
        List.of(
            "error: Unknown key split.sed (--set split.sed=1); did you mean split.seed?",
            "error: Cannot set model.type = \"svm\" (--set model.type=svm): must be one of logistic-regression,"
                + " random-forest, gradient-boosted-trees, linear-regression, neural-network"),
        r.errLines());
    assertFailure(
        train("model.type=logistic-regression"),
        2,
        "Cannot train model.type = logistic-regression on a regression target 'mpg': use linear-regression,"
            + " random-forest or gradient-boosted-trees");
  }

  @Test
  void usageErrorsExit2() {
    assertEquals(2, Cli.run("trian").code());
    assertEquals(2, Cli.run("verify").code());
    // Options picocli cannot parse get the error: prefix and one line per cause like every failure.
    Cli.Result unknown = Cli.run("verify", "--run", runs.toString(), "--bogus");
    assertEquals(2, unknown.code());
    assertEquals("", unknown.out());
    assertEquals(
        List.of("error: Unknown option: '--bogus' (runway verify --help lists the options)"),
        unknown.errLines());
    Cli.Result noValue = Cli.run("verify", "--set");
    assertEquals(2, noValue.code());
    assertEquals(
        List.of("error: Missing required parameter for option '--set' (KEY=VALUE)"
            + " (runway verify --help lists the options)"),
        noValue.errLines());
    Cli.Result typo = Cli.run("verify", "--runs", "x");
    assertEquals(2, typo.code());
    assertEquals(
        List.of(
            "error: Unknown options: '--runs', 'x'; did you mean --run? (runway verify --help lists the options)",
            "error: Missing required option: '--run=URI' (runway verify --help lists the options)"),
        typo.errLines());
    assertEquals(
        List.of("error: Unmatched argument at index 0: 'trian'; did you mean train?"
            + " (runway --help lists the options)"),
        Cli.run("trian").errLines());
    // Found only once the splits are counted: auto has nothing to choose on.
    assertFailure(
        train(
            "split.fractions.train=0.85",
            "split.fractions.validation=0",
            "model.linear-regression.reg-param=auto"),
        2,
        "Cannot choose model.linear-regression.reg-param = auto: the job has no validation rows to choose on; set"
            + " split.fractions.validation above 0, use split.method = k-fold, or set a number");
    Cli.Result noMaster =
        Cli.run("train", "--job", cars(), "--set", "output.root=\"" + runs + "\"");
    assertEquals(2, noMaster.code());
    assertTrue(noMaster.err().startsWith("error: No Spark master"), noMaster.err());
  }

  @Test
  void dataErrorsExit3() {
    assertFailure(
        train("source.path=\"" + runs.resolve("nope.json") + "\""),
        3,
        "Cannot read source.path " + runs.resolve("nope.json") + ": no such file or directory");
    Cli.Result scan =
        Cli.run("scan", "--master", "local[2]", "--path", runs.resolve("nope").toString());
    assertEquals(3, scan.code(), scan.err());
    assertEquals(
        List.of("error: Cannot read source.path " + runs.resolve("nope")
            + ": no such file or directory"),
        scan.errLines());
    assertFailure(
        train("features.numeric=[Cylinders, Horsepowr]"),
        3,
        "Cannot use column 'Horsepowr' from features.numeric: the training table has no such column (it has:"
            + " mpg, Cylinders, Displacement, Horsepower, Weight_in_lbs, Acceleration, model_year, Origin)");
    assertFailure(
        train("features.label=MPG"),
        3,
        "Cannot use column 'MPG' from features.label: the training table has no such column (it has:"
            + " mpg, Cylinders, Displacement, Horsepower, Weight_in_lbs, Acceleration, model_year, Origin)");
    assertFailure(
        train("source.filter=\"\""),
        3,
        "Label column 'mpg' has 8 null values of 406 rows: drop them with source.filter = \"mpg IS NOT NULL\"");
  }

  @Test
  void anUnreadableFileExits3AndNamesIt() throws Exception {
    Path bad = Files.createDirectories(runs.resolve("corrupt"));
    Files.writeString(bad.resolve("part-0.parquet"), "this is not parquet");
    Cli.Result r = train("source.path=\"" + bad + "\"", "source.format=parquet");
    assertEquals(3, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("part-0.parquet"), r.err());
  }

  @Test
  void aDivergedTrainingExits4AndCommitsNothing() {
    // Weights of 1e300 pounds, unscaled: the least-squares loss overflows and the model is NaN.
    Cli.Result r = train(
        "features.standardize=false",
        "features.sql=[{name=cars, sql=\"SELECT Miles_per_Gallon AS mpg,"
            + " Cylinders, Displacement, Horsepower, Weight_in_lbs * 1e300 AS Weight_in_lbs, Acceleration,"
            + " 1970 AS model_year, Origin FROM source\"}]");
    assertEquals(4, r.code(), r.err());
    assertTrue(
        r.err().startsWith("error: Training linear-regression diverged: validation rmse is NaN"),
        r.err());
    assertFalse(
        Files.exists(runs.resolve("cars-mpg")),
        "the failed run is removed, and the job directory it made");
  }

  @Test
  void storageErrorsExit5() throws Exception {
    Path file = Files.writeString(runs.resolve("not-a-directory"), "x");
    Cli.Result r = train("output.root=\"" + file + "/runs\"");
    assertEquals(5, r.code(), r.err());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("error: Cannot "), r.err());
    assertTrue(r.err().contains(file + "/runs/cars-mpg/x"), r.err());
    assertEquals(1, r.errLines().size(), r.err());
  }

  @Test
  void aRunBeingWrittenByAnotherProcessIsRefusedAndLeftAlone() throws Exception {
    // Another driver's claim: this host, a live process (our own parent shell would do; the
    // current JVM is simplest), a fresh heartbeat.
    Path dir = Files.createDirectories(runs.resolve("cars-mpg/x"));
    Files.writeString(dir.resolve("model.partial"), "the other driver's work");
    Files.writeString(
        dir.resolve(RunDirectory.LOCK),
        Json.pretty(Map.of(
            "host",
            InetAddress.getLocalHost().getHostName(),
            "pid",
            ProcessHandle.current().pid(),
            "since",
            "now")));
    Cli.Result r = train();
    assertEquals(5, r.code(), r.err());
    assertTrue(r.err().contains("is being written by another process"), r.err());
    assertEquals("the other driver's work", Files.readString(dir.resolve("model.partial")));
    assertTrue(Files.exists(dir.resolve(RunDirectory.LOCK)), "its claim stays");
  }

  @Test
  void verifyChecksARunAndFailsOnATamperedOne() throws Exception {
    Cli.Result trained = train();
    assertEquals(0, trained.code(), trained.err());
    String uri = (String) Json.parse(trained.out()).get("run_uri");
    Cli.Result ok = Cli.run("verify", "--run", uri);
    assertEquals(0, ok.code(), ok.err());
    assertEquals("valid", Json.parse(ok.out()).get("status"));
    Files.writeString(runs.resolve("cars-mpg/x/lineage.json"), "{}");
    Files.deleteIfExists(runs.resolve("cars-mpg/x/.lineage.json.crc"));
    Cli.Result bad = Cli.run("verify", "--run", uri);
    assertEquals(5, bad.code());
    assertTrue(bad.err().contains("lineage.json"), bad.err());
  }
}
