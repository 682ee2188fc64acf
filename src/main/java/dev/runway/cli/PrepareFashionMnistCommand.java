package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.config.ConfigReader;
import dev.runway.config.StorageSettings;
import dev.runway.datasets.FashionMnist;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Converts the Fashion-MNIST IDX files into Parquet (index, label, label_name, image). */
@Command(
    name = "prepare-fashion-mnist",
    mixinStandardHelpOptions = true,
    description =
        "Write Fashion-MNIST as Parquet; uses the Debian package's files, else downloads them.")
final class PrepareFashionMnistCommand implements Callable<Integer> {
  @Mixin
  SparkOptions sparkOptions;

  @Mixin
  OverrideOptions settings;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "PATH_OR_URI",
      description = "Where to write (default: datasets.fashion-mnist.output).")
  String output;

  @Option(
      names = "--source-dir",
      paramLabel = "DIR",
      description = "Directory with the IDX files (default: datasets.fashion-mnist.local-dir).")
  Path sourceDir;

  @Option(names = "--overwrite", description = "Rewrite the output even if it is complete.")
  boolean overwrite;

  @Override
  public Integer call() {
    ConfigReader defaults = DatasetDefaults.reader(settings.overrides);
    String out = output != null ? output : defaults.string("datasets.fashion-mnist.output");
    Path dir = sourceDir != null
        ? sourceDir
        : Path.of(defaults.string("datasets.fashion-mnist.local-dir"));
    URI download = URI.create(defaults.string("datasets.fashion-mnist.download-url"));
    Map<String, String> hadoop = StorageSettings.read(defaults);
    defaults.throwIfProblems();
    // A complete output is only counted, from its Parquet footers: no session to start for that.
    OptionalLong kept = overwrite
        ? OptionalLong.empty()
        : FashionMnist.existing(sparkOptions.hadoop(Map.of(), hadoop), out);
    long rows = kept.isPresent()
        ? kept.getAsLong()
        : FashionMnist.write(
            sparkOptions.session("runway prepare-fashion-mnist", Map.of(), hadoop),
            dir,
            download,
            out);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("status", "prepared");
    result.put("dataset", "fashion-mnist");
    result.put("rows", rows);
    result.put("output", out);
    spec.commandLine().getOut().println(Json.line(result));
    return Main.ok();
  }
}
