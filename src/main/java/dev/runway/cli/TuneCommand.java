package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunIds;
import dev.runway.error.JobConfigException;
import dev.runway.tune.TuneDefinition;
import dev.runway.tune.TuneJob;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Searches the job's tune space: trials as committed runs, a tune.json leaderboard; one JSON line. */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description = "Search hyperparameters: train the job's tune trials, commit a leaderboard.")
final class TuneCommand implements Callable<Integer> {
  @Mixin
  JobOptions jobOptions;

  @Mixin
  SparkOptions sparkOptions;

  @Spec
  CommandSpec spec;

  @Option(
      names = "--tune-id",
      paramLabel = "ID",
      description = "Tune id (default: generated, sortable by time). A committed id is a no-op.")
  String tuneId;

  @Option(
      names = "--resume",
      description = "Continue an unfinished tune (same --tune-id) from its saved trial results.")
  boolean resume;

  @Override
  public Integer call() {
    // The job, the space and every trial's job are checked before a session starts.
    TuneDefinition def = TuneDefinition.load(jobOptions.job, jobOptions.overrides);
    if (resume && tuneId == null) {
      throw new JobConfigException("--resume needs the --tune-id of the tune to continue");
    }
    String id = tuneId == null ? RunIds.generate(Instant.now()) : RunIds.check(tuneId);
    // Each trial runs in its own pool: FAIR shares the slots between them.
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.scheduler.mode", "FAIR");
    conf.putAll(def.job().settings().sparkConf());
    Map<String, String> hadoop = def.job().settings().hadoopConf();
    Optional<TuneJob.Outcome> done = tuneId == null
        ? Optional.empty()
        : TuneJob.committed(sparkOptions.hadoop(conf, hadoop), def, id);
    TuneJob.Outcome outcome = done.orElseGet(() -> new TuneJob(
            sparkOptions.session("runway tune " + def.name(), conf, hadoop), def)
        .run(id, resume));
    spec.commandLine().getOut().println(Json.line(outcome.toJson()));
    return Main.ok();
  }
}
