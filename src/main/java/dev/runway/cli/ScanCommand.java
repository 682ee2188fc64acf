package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.config.ConfigChoice;
import dev.runway.config.ConfigReader;
import dev.runway.config.JobSettings.SourceSettings;
import dev.runway.config.JobSettings.SourceSettings.Format;
import dev.runway.config.JobSettings.SourceSettings.Malformed;
import dev.runway.config.StorageSettings;
import dev.runway.data.InputFiles;
import dev.runway.data.SchemaDdl;
import dev.runway.data.SourceReader;
import dev.runway.error.JobConfigException;
import dev.runway.error.StorageErrors;
import dev.runway.error.StorageException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Reads a data set in full and reports how fast storage delivered it: to compare an object store
 * with local disk, or a cluster's storage path with a laptop's, before blaming training for it.
 * With {@code --schema} it prints the data set's schema as a DDL line for source.schema instead,
 * inferring a csv file's types as a job does.
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Read every column of a data set and print rows, bytes, seconds and MB/s as JSON.",
      "With --schema, print its columns and types as a DDL line to paste into source.schema."
    })
final class ScanCommand implements Callable<Integer> {
  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--path",
      required = true,
      paramLabel = "PATH_OR_URI",
      description = "Data set to read.")
  String path;

  @Option(names = "--format", description = "parquet, csv or json (default: ${DEFAULT-VALUE}).")
  String format = "parquet";

  @Option(
      names = "--option",
      paramLabel = "KEY=VALUE",
      description =
          "A reader option, as in a job's source.options (repeatable), e.g. --option header=true.")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(
      names = "--schema",
      description =
          "Print the schema as a DDL line for source.schema (csv: types inferred unless"
              + " source.infer-schema or --option inferSchema says otherwise) instead of timing a full read.")
  boolean schema;

  @Mixin
  OverrideOptions settings;

  @Override
  public Integer call() throws IOException {
    ConfigReader r = DatasetDefaults.reader(settings.overrides);
    Map<String, String> hadoop = StorageSettings.read(r);
    boolean infer = r.bool("source.infer-schema");
    r.throwIfProblems();
    Format sourceFormat = ConfigChoice.parse(Format.class, format)
        .orElseThrow(() -> new JobConfigException("Cannot scan --format " + format
            + ": must be one of " + String.join(", ", ConfigChoice.names(Format.class))));
    SparkSession spark = sparkOptions.session("runway scan", Map.of(), hadoop);
    spark.sparkContext().setJobDescription("runway scan " + path);
    if (schema) {
      SourceSettings source =
          new SourceSettings(path, sourceFormat, options, "", "", Malformed.FAIL, infer);
      spec.commandLine().getOut().println(SchemaDdl.of(SourceReader.schema(spark, source)));
      return Main.ok();
    }
    // The throughput of reading, not of inferring types: a csv file is read as text unless asked.
    SourceSettings source =
        new SourceSettings(path, sourceFormat, options, "", "", Malformed.FAIL, false);
    long start = System.nanoTime();
    Dataset<Row> data = SourceReader.readAsIs(spark, source);
    // Hashing every column forces every value to be read and decoded, which count() would not.
    Row result = data.selectExpr("count(1)", "sum(hash(*))").first();
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> files;
    try {
      files = InputFiles.describe(spark.sparkContext().hadoopConfiguration(), path);
    } catch (IOException e) {
      throw StorageErrors.classify(e, path)
          .orElseGet(() -> new StorageException("Cannot list " + path + ": " + e.getMessage(), e));
    }
    long bytes = ((Number) files.get("total_bytes")).longValue();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("path", path);
    out.put("files", files.get("file_count"));
    out.put("rows", result.getLong(0));
    out.put("bytes", bytes);
    out.put("seconds", Math.round(seconds * 1000) / 1000.0);
    out.put("mb_per_s", Math.round(bytes / 1e6 / seconds * 10) / 10.0);
    spec.commandLine().getOut().println(Json.line(out));
    return Main.ok();
  }
}
