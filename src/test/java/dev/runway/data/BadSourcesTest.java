package dev.runway.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.artifacts.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources that are not what the job says: malformed CSV rows (failed on, or dropped and
 * counted in lineage) and inputs with no rows. Real data: Seattle's daily weather with a few
 * rows broken the way hand-edited or truncated files break.
 */
class BadSourcesTest {
  @TempDir
  Path dir;

  /** The weather CSV with line 4 missing a field and line 11 holding text in a number column. */
  private Path brokenWeather() throws Exception {
    List<String> lines =
        new ArrayList<>(Files.readAllLines(TestData.require(TestData.SEATTLE_WEATHER)));
    lines.set(3, "2012/01/03,0.8,11.7,7.2,rain");
    lines.set(10, "2012/01/10,lots,6.1,-1.1,5.1,rain");
    return Files.write(dir.resolve("weather.csv"), lines);
  }

  private Cli.Result train(Path source, String... sets) {
    List<String> args = new ArrayList<>(List.of(
        "train",
        "--job",
        TestData.repo().resolve("conf/jobs/seattle-weather.conf").toString(),
        "--master",
        "local[2]",
        "--run-id",
        "r",
        "--set",
        "output.root=\"" + dir.resolve("runs") + "\"",
        "--set",
        "source.path=\"" + source + "\"",
        "--set",
        "model.random-forest.num-trees=5"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void malformedRowsFailTheJobNamingCountFileAndLine() throws Exception {
    Path csv = brokenWeather();
    Cli.Result r = train(csv);
    assertEquals(3, r.code(), r.err());
    assertEquals(
        List.of("error: 2 malformed rows in source.path " + csv + ", the first in file://" + csv
            + " line 4: \"2012/01/03,0.8,11.7,7.2,rain\" (not csv matching the schema; fix the data or set"
            + " source.malformed = drop)"),
        r.errLines());
    assertFalse(Files.exists(dir.resolve("runs/seattle-weather/r")), "nothing is left of the run");
  }

  @Test
  @SuppressWarnings("unchecked")
  void malformedRowsCanBeDroppedAndAreCountedInLineage() throws Exception {
    Path csv = brokenWeather();
    Cli.Result r = train(csv, "source.malformed=drop");
    assertEquals(0, r.code(), r.err());
    Path run = dir.resolve("runs/seattle-weather/r");
    Map<String, Object> lineage = Json.parse(Files.readString(run.resolve("lineage.json")));
    assertEquals(
        Map.of("policy", "drop", "rows", 2, "files", Map.of("file://" + csv, 2)),
        lineage.get("malformed_rows"));
    Map<String, Object> rows =
        (Map<String, Object>) ((Map<String, Object>) lineage.get("split")).get("rows");
    long total = rows.values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
    assertEquals(1461 - 2, total, "every other row of the file is trained on: " + rows);
  }

  @Test
  void aSourceWithNoRowsExits3() throws Exception {
    Path empty = Files.writeString(
        dir.resolve("header-only.csv"), "date,precipitation,temp_max,temp_min,wind,weather\n");
    Cli.Result r = train(empty);
    assertEquals(3, r.code(), r.err());
    assertEquals(
        List.of("error: No rows to train on: source.path " + empty
            + " holds none (or the SQL statements return none)"),
        r.errLines());

    Cli.Result filtered = train(TestData.SEATTLE_WEATHER, "source.filter=\"wind > 1000\"");
    assertEquals(3, filtered.code(), filtered.err());
    assertTrue(filtered.err().contains("holds none that pass source.filter"), filtered.err());

    Path nothing = Files.createDirectories(dir.resolve("no-files"));
    Cli.Result noFiles = train(nothing, "source.format=parquet", "source.schema=\"\"");
    assertEquals(3, noFiles.code(), noFiles.err());
    assertEquals(
        List.of("error: Cannot read source.path " + nothing
            + " as parquet: no data files found there to infer a schema from"),
        noFiles.errLines());
  }

  @Test
  void readerModeOptionsAreRefusedForSourceMalformed() {
    Cli.Result r = Cli.run(
        "validate",
        "--job",
        TestData.repo().resolve("conf/jobs/seattle-weather.conf").toString(),
        "--set",
        "source.options.mode=DROPMALFORMED");
    assertEquals(2, r.code(), r.err());
    assertTrue(
        r.err().startsWith("error: Cannot set source.options.mode = \"DROPMALFORMED\""), r.err());
    assertTrue(r.err().contains("set source.malformed (fail or drop) instead"), r.err());
  }
}
