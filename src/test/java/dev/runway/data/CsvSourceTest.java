package dev.runway.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.TestSpark;
import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import dev.runway.config.JobSettings;
import dev.runway.config.JobSettings.SourceSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A csv source without a schema: its types are inferred by default, a job can still turn that
 * off, a string where a number belongs names the source's fixes, and {@code scan --schema}
 * prints a schema to paste. Real data: Seattle's daily weather, header line included.
 */
class CsvSourceTest {
  private static final String WEATHER_DDL =
      "date STRING, precipitation DOUBLE, temp_max DOUBLE, temp_min DOUBLE, wind DOUBLE, weather STRING";

  @TempDir
  Path dir;

  /** The source settings of the weather job with {@code sets} on top, as a job reads them. */
  private static SourceSettings weather(String... sets) {
    List<String> all = new ArrayList<>(List.of(
        "job.name=j",
        "features.label=weather",
        "features.numeric=[wind]",
        "source.path=\"" + TestData.require(TestData.SEATTLE_WEATHER) + "\"",
        "source.format=csv",
        "source.options.header=true"));
    all.addAll(List.of(sets));
    ConfigReader r = new ConfigReader(JobConfigLoader.load(null, all));
    JobSettings settings = JobSettings.read(r);
    r.throwIfProblems();
    return settings.source();
  }

  private static StructType read(SourceSettings source) {
    try (Source s = SourceReader.read(TestSpark.session(), source)) {
      return s.rows().schema();
    }
  }

  @Test
  void typesAreInferredByDefaultAndAJobCanStillReadText() {
    assertEquals(WEATHER_DDL, SchemaDdl.of(read(weather())));
    StructType text = read(weather("source.infer-schema=false"));
    assertEquals(DataTypes.StringType, text.apply("wind").dataType());
    // Spark's own option, when a job sets it (in any spelling), wins over source.infer-schema.
    assertEquals(
        DataTypes.StringType,
        read(weather("source.options.inferSchema=false")).apply("wind").dataType());
    assertEquals(
        DataTypes.DoubleType,
        read(weather("source.infer-schema=false", "source.options.inferschema=true"))
            .apply("wind")
            .dataType());
  }

  private Cli.Result trainWeather(String... sets) {
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
        "source.path=\"" + TestData.require(TestData.SEATTLE_WEATHER) + "\"",
        "--set",
        "source.schema=\"\""));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void aCsvColumnReadAsTextNamesBothFixesEvenAfterTheSqlStatements() {
    // The user's case: no schema and inference off. The job's SQL selects the columns through
    // two statements; each one that should be a number gets the source's fixes in its line.
    Cli.Result r = trainWeather("source.options.inferSchema=false");
    assertEquals(3, r.code(), r.err());
    assertEquals(
        List.of(
            "error: Column 'precipitation' (features.numeric) is string, not a number: cast it in features.sql or list it in"
                + " features.categorical; the csv source was read without types: give them in source.schema (runway scan"
                + " --schema prints them) or set source.options.inferSchema = true",
            "error: Column 'temp_max' (features.numeric) is string, not a number: cast it in features.sql or list it in"
                + " features.categorical; the csv source was read without types: give them in source.schema (runway scan"
                + " --schema prints them) or set source.options.inferSchema = true",
            "error: Column 'temp_min' (features.numeric) is string, not a number: cast it in features.sql or list it in"
                + " features.categorical; the csv source was read without types: give them in source.schema (runway scan"
                + " --schema prints them) or set source.options.inferSchema = true",
            "error: Column 'wind' (features.numeric) is string, not a number: cast it in features.sql or list it in"
                + " features.categorical; the csv source was read without types: give them in source.schema (runway scan"
                + " --schema prints them) or set source.options.inferSchema = true"),
        r.errLines());
    Cli.Result off = trainWeather("source.infer-schema=false", "features.numeric=[wind]");
    assertEquals(3, off.code(), off.err());
    assertTrue(off.err().endsWith("or set source.infer-schema = true\n"), off.err());
  }

  @Test
  void aColumnThatStaysTextWhenInferredSaysWhichValuesAreNotNumbers() throws Exception {
    List<String> lines =
        new ArrayList<>(Files.readAllLines(TestData.require(TestData.SEATTLE_WEATHER)));
    lines.set(5, lines.get(5).replaceFirst(",[^,]+,([^,]+)$", ",NA,$1"));
    Path withNa = Files.write(dir.resolve("weather-na.csv"), lines);
    StructType schema = read(weather("source.path=\"" + withNa + "\""));
    assertEquals(DataTypes.StringType, schema.apply("wind").dataType());
    assertTrue(
        CsvColumns.fix(schema.apply("wind")).orElseThrow().contains("source.options.nullValue"));
    assertTrue(CsvColumns.fix(schema.apply("temp_max")).isEmpty(), "numbers carry no note");
    // The fix it names works: NA is a missing value, the column a number again.
    assertEquals(
        DataTypes.DoubleType,
        read(weather("source.path=\"" + withNa + "\"", "source.options.nullValue=NA"))
            .apply("wind")
            .dataType());
  }

  @Test
  void scanPrintsASchemaThatAJobCanUseAsItIs() {
    Cli.Result r = Cli.run(
        "scan",
        "--master",
        "local[2]",
        "--path",
        TestData.require(TestData.SEATTLE_WEATHER).toString(),
        "--format",
        "csv",
        "--option",
        "header=true",
        "--schema");
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(WEATHER_DDL), r.out().lines().toList());
    // Pasted into source.schema, it reads the same columns with the same types and no inference.
    StructType declared =
        read(weather("source.schema=\"" + r.out().strip() + "\"", "source.infer-schema=false"));
    assertEquals(WEATHER_DDL, SchemaDdl.of(declared));

    Cli.Result text = Cli.run(
        "scan",
        "--master",
        "local[2]",
        "--path",
        TestData.SEATTLE_WEATHER.toString(),
        "--format",
        "csv",
        "--option",
        "header=true",
        "--schema",
        "--set",
        "source.infer-schema=false");
    assertEquals(
        "date STRING, precipitation STRING, temp_max STRING, temp_min STRING, wind STRING, weather STRING",
        text.out().strip());
    Cli.Result typo = Cli.run(
        "scan",
        "--master",
        "local[2]",
        "--path",
        TestData.SEATTLE_WEATHER.toString(),
        "--schema",
        "--set",
        "source.infer-schemas=false");
    assertEquals(2, typo.code());
    assertTrue(
        typo.err()
            .startsWith(
                "error: Unknown key source.infer-schemas (--set source.infer-schemas=false);"
                    + " did you mean source.infer-schema?"),
        typo.err());
  }

  @Test
  void ddlQuotesOnlyTheNamesThatNeedIt() {
    StructType schema = new StructType()
        .add("plain_name", DataTypes.IntegerType)
        .add("with space", DataTypes.DoubleType)
        .add("a.b", DataTypes.StringType)
        .add("odd`tick", DataTypes.LongType)
        .add("2nd", DataTypes.BooleanType)
        .add("tags", DataTypes.createArrayType(DataTypes.StringType))
        .add("prices", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
        .add("day", DataTypes.DateType);
    String ddl = SchemaDdl.of(schema);
    assertEquals(
        "plain_name INT, `with space` DOUBLE, `a.b` STRING, `odd``tick` BIGINT, `2nd` BOOLEAN,"
            + " tags ARRAY<STRING>, prices MAP<STRING, DOUBLE>, day DATE",
        ddl);
    assertEquals(schema.fields().length, StructType.fromDDL(ddl).fields().length);
    for (int i = 0; i < schema.fields().length; i++) {
      assertEquals(
          schema.fields()[i].name(), StructType.fromDDL(ddl).fields()[i].name());
      assertEquals(
          schema.fields()[i].dataType(), StructType.fromDDL(ddl).fields()[i].dataType());
    }
    // A keyword as a column name: whatever the parser makes of it, the line reads back the same.
    StructType keywords = new StructType()
        .add("select", DataTypes.IntegerType)
        .add("from", DataTypes.StringType)
        .add(
            "x",
            DataTypes.createStructType(
                List.of(DataTypes.createStructField("inner one", DataTypes.IntegerType, true))));
    StructType back = StructType.fromDDL(SchemaDdl.of(keywords));
    assertEquals(List.of("select", "from", "x"), List.of(back.fieldNames()));
    assertEquals(keywords.apply("x").dataType(), back.apply("x").dataType());
  }
}
