package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunIds;
import dev.runway.config.JobSettings;
import dev.runway.error.JobConfigException;
import dev.runway.job.JobDefinition;
import dev.runway.job.RunResult;
import dev.runway.job.TrainJob;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Validates a job, trains it and commits the run; prints one JSON line. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a job and commit its run directory.")
final class TrainCommand implements Callable<Integer> {
  @Mixin
  JobOptions jobOptions;

  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Run id (default: generated, sortable by time). Re-running a committed id is a no-op.")
  String runId;

  @Option(names = "--overwrite", description = "Replace the run if it is already committed.")
  boolean overwrite;

  @Option(
      names = "--resume",
      description = "Continue an unfinished run (same --run-id) from its last epoch checkpoint.")
  boolean resume;

  @Override
  public Integer call() {
    // Everything about the job is checked before a session starts or data is read.
    JobDefinition job = JobDefinition.load(jobOptions.job, jobOptions.overrides);
    if (resume && runId == null) {
      throw new JobConfigException("--resume needs the --run-id of the run to continue");
    }
    String id = runId == null ? RunIds.generate(Instant.now()) : RunIds.check(runId);
    JobSettings s = job.settings();
    // A generated id is new: only a given one can be committed already.
    Optional<RunResult> done = overwrite || runId == null
        ? Optional.empty()
        : TrainJob.committed(sparkOptions.hadoop(s.sparkConf(), s.hadoopConf()), s, id);
    RunResult result = done.orElseGet(() -> {
      SparkSession spark =
          sparkOptions.session("runway " + s.name(), s.sparkConf(), s.hadoopConf());
      return new TrainJob(spark, job).run(id, overwrite, resume);
    });
    spec.commandLine().getOut().println(Json.line(result.toJson()));
    return Main.ok();
  }
}
