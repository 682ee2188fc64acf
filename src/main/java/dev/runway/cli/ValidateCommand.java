package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.job.JobDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Parses and validates a job without touching data or starting Spark. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a job file (keys, types, ranges, SQL syntax) without reading data.")
final class ValidateCommand implements Callable<Integer> {
  @Mixin JobOptions jobOptions;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    JobDefinition job = JobDefinition.load(jobOptions.job, jobOptions.overrides);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "valid");
    out.put("job", job.settings().name());
    out.put("model_type", job.trainer().type());
    out.put("source", job.settings().source().path());
    spec.commandLine().getOut().println(Json.line(out));
    return Main.ok();
  }
}
