package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.config.ConfigReader;
import dev.runway.config.JobSettings;
import dev.runway.config.JobSettings.SourceSettings;
import dev.runway.data.InputFiles;
import dev.runway.data.SourceReader;
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
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
    description = "Read every column of a data set and print rows, bytes, seconds and MB/s as JSON.")
final class ScanCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;
  @Spec CommandSpec spec;

  @Option(names = "--path", required = true, paramLabel = "PATH_OR_URI", description = "Data set to read.")
  String path;

  @Option(names = "--format", description = "parquet, csv or json (default: ${DEFAULT-VALUE}).")
  String format = "parquet";

  @Mixin OverrideOptions settings;

  @Override
  public Integer call() throws IOException {
    ConfigReader r = DatasetDefaults.reader(settings.overrides);
    Map<String, String> hadoop = JobSettings.hadoop(r);
    r.throwIfProblems();
    SparkSession spark = sparkOptions.session("runway scan", Map.of(), hadoop);
    spark.sparkContext().setJobDescription("runway scan " + path);
    long start = System.nanoTime();
    Dataset<Row> data = SourceReader.readAsIs(spark, new SourceSettings(path, format, Map.of(), "", "", "fail"));
    // Hashing every column forces every value to be read and decoded, which count() would not.
    Row result = data.selectExpr("count(1)", "sum(hash(*))").first();
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> files;
    try {
      files = InputFiles.describe(spark.sparkContext().hadoopConfiguration(), path);
    } catch (IOException e) {
      throw StorageErrors.classify(e, path).orElseGet(() -> new StorageException("Cannot list " + path + ": " + e.getMessage(), e));
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
