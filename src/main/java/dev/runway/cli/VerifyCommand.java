package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.error.StorageException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Checks a run directory against its manifest, with no Spark. Storage settings come from
 * reference.conf (and the environment variables it reads) and {@code --set storage.*}.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Check that a run is committed and every file matches its manifest.")
final class VerifyCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, paramLabel = "URI", description = "Run directory.")
  String run;

  @Mixin
  OverrideOptions settings;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    RunDirectory dir = RunDirectory.at(settings.hadoop(), run);
    List<String> problems = dir.verify();
    if (!problems.isEmpty()) {
      throw new StorageException(
          "Run " + dir.uri() + " is not valid: " + String.join("; ", problems));
    }
    Map<String, Object> manifest = dir.manifest();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "valid");
    out.put("run_uri", dir.uri());
    out.put("files", manifest.get("file_count"));
    out.put("total_bytes", manifest.get("total_bytes"));
    spec.commandLine().getOut().println(Json.line(out));
    return Main.ok();
  }
}
