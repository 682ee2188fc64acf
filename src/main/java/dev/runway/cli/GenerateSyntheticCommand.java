package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.config.ConfigReader;
import dev.runway.config.StorageSettings;
import dev.runway.datasets.SyntheticTabular;
import dev.runway.error.JobConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes the synthetic tabular data set with a planted signal, for scale work. */
@Command(
    name = "generate-synthetic",
    mixinStandardHelpOptions = true,
    description = "Write a large synthetic tabular Parquet data set with a known planted signal.")
final class GenerateSyntheticCommand implements Callable<Integer> {
  @Mixin
  SparkOptions sparkOptions;

  @Mixin
  OverrideOptions settings;

  @Spec
  CommandSpec spec;

  @Option(names = "--rows", description = "Rows (default: datasets.synthetic.rows).")
  Long rows;

  @Option(names = "--seed", description = "Seed (default: datasets.synthetic.seed).")
  Long seed;

  @Option(
      names = "--partitions",
      description = "Partitions (default: datasets.synthetic.partitions).")
  Integer partitions;

  @Option(
      names = "--extra-columns",
      paramLabel = "N",
      description =
          "Noise columns extra_1..extra_N added (default: datasets.synthetic.extra-columns).")
  Integer extraColumns;

  @Option(
      names = "--output",
      paramLabel = "PATH_OR_URI",
      description = "Where to write (default: datasets.synthetic.output).")
  String output;

  @Override
  public Integer call() {
    ConfigReader d = DatasetDefaults.reader(settings.overrides);
    long n = rows != null ? rows : d.longIn("datasets.synthetic.rows", 1, Long.MAX_VALUE);
    long s =
        seed != null ? seed : d.longIn("datasets.synthetic.seed", Long.MIN_VALUE, Long.MAX_VALUE);
    int p = partitions != null ? partitions : d.intIn("datasets.synthetic.partitions", 1, 100_000);
    int extra = extraColumns != null
        ? extraColumns
        : d.intIn("datasets.synthetic.extra-columns", 0, 10_000);
    String out = output != null ? output : d.string("datasets.synthetic.output");
    Map<String, String> hadoop = StorageSettings.read(d);
    d.throwIfProblems();
    if (n < 1 || p < 1) {
      throw new JobConfigException(
          "Cannot generate " + n + " rows in " + p + " partitions: both must be at least 1");
    }
    if (extra < 0) {
      throw new JobConfigException(
          "Cannot generate " + extra + " extra columns (--extra-columns): must be at least 0");
    }
    SparkSession spark = sparkOptions.session("runway generate-synthetic", Map.of(), hadoop);
    long written = SyntheticTabular.generate(spark, n, s, p, extra, out);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("status", "generated");
    result.put("dataset", "synthetic");
    result.put("rows", written);
    result.put("output", out);
    spec.commandLine().getOut().println(Json.line(result));
    return Main.ok();
  }
}
