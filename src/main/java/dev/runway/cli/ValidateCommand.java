package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.config.JobConfigLoader;
import dev.runway.config.LoadedConfig;
import dev.runway.job.JobDefinition;
import dev.runway.preflight.Finding;
import dev.runway.preflight.Preflight;
import dev.runway.preflight.SparkFacts;
import dev.runway.tune.TuneDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Parses and validates a job (and its tune section, when it has a search space) without touching
 * data or starting Spark, then makes the pre-flight
 * checks that need no data with the Spark settings visible here: spark-submit's (it passes them
 * as system properties), the job's spark.conf and --master.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Check a job file (keys, types, ranges, SQL syntax) and its Spark settings without reading data.")
final class ValidateCommand implements Callable<Integer> {
  @Mixin
  JobOptions jobOptions;

  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    // Loaded once: a job file on S3 is one request, whether or not it has a tune section.
    LoadedConfig loaded = JobConfigLoader.load(jobOptions.job, jobOptions.overrides);
    JobDefinition job = JobDefinition.of(loaded);
    SparkConf submitted = new SparkConf(); // spark-submit's settings, as system properties
    if (sparkOptions.master != null) {
      submitted.setMaster(sparkOptions.master);
    }
    List<Finding> findings =
        Preflight.warnings(SparkFacts.of(submitted, job.settings().sparkConf()), job);
    findings.forEach(f -> spec.commandLine().getErr().println("warning: " + f.message()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "valid");
    out.put("job", job.settings().name());
    out.put("model_type", job.trainer().type());
    out.put("source", job.settings().source().path());
    out.put("warnings", findings.stream().map(Finding::message).toList());
    // A job with a search space: the space and every trial checked as `tune` checks them.
    if (TuneDefinition.hasSpace(loaded)) {
      TuneDefinition tune = TuneDefinition.of(loaded);
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("trials", tune.trials().size());
      t.put("budget_key", tune.settings().halving().budgetKey());
      t.put("budgets", tune.budgets());
      out.put("tune", t);
    }
    spec.commandLine().getOut().println(Json.line(out));
    return Main.ok();
  }
}
