package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.compare.Aliases;
import dev.runway.error.StorageException;
import dev.runway.registry.RunOutputs;
import dev.runway.report.RunReport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Renders a committed run's report.html anew, to a file of one's choosing, with what has happened
 * to the run since training wrote its own: the aliases pointing at it and a section per
 * evaluation, comparison, promotion and drift report made from it. Also for runs committed before
 * reports existed, or to publish one elsewhere. The run itself is never written to (its manifest
 * describes it as committed).
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Render a committed run's self-contained HTML report to a file.")
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, paramLabel = "URI", description = "Run directory.")
  String run;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Where to write it, a path or URI (default: JOB-RUN_ID.html here).")
  String output;

  @Mixin
  OverrideOptions settings;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Configuration hadoop = settings.hadoop();
    RunDirectory dir = RunDirectory.committedAt(hadoop, run);
    Map<String, Object> manifest = dir.manifest();
    // What was made from the run since it committed, and the aliases pointing at it now.
    String html = RunReport.html(
        dir,
        new RunReport.Later(
            Aliases.at(hadoop, dir.outputRoot(), Aliases.DEFAULT_LEASE)
                .byRun()
                .getOrDefault(dir.uri().replaceAll("/+$", ""), List.of()),
            RunOutputs.of(hadoop, dir.uri()).read(hadoop)));
    Path out = new Path(
        output != null ? output : manifest.get("job") + "-" + manifest.get("run_id") + ".html");
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    try (OutputStream stream = out.getFileSystem(hadoop).create(out, true)) {
      stream.write(bytes);
    } catch (IOException e) {
      throw new StorageException("Cannot write the report to " + out + ": " + e.getMessage(), e);
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("status", "written");
    line.put("run_uri", dir.uri());
    line.put("output", out.toString());
    line.put("bytes", bytes.length);
    spec.commandLine().getOut().println(Json.line(line));
    return Main.ok();
  }
}
