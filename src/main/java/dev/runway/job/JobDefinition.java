package dev.runway.job;

import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import dev.runway.config.JobSettings;
import dev.runway.config.LoadedConfig;
import dev.runway.features.SqlFeatures;
import dev.runway.train.Trainer;
import dev.runway.train.Trainers;
import java.util.List;

/**
 * A job as validated at start-up: its settings, its trainer, and the resolved configuration as
 * saved in the run (secrets redacted). Building one touches no data and starts no Spark; every
 * problem in the job is reported at once.
 *
 * @param settings every job setting
 * @param trainer the trainer chosen by model.type, hyperparameters read
 * @param resolvedConfig the resolved job, rendered as HOCON with secrets redacted
 */
public record JobDefinition(JobSettings settings, Trainer trainer, String resolvedConfig) {

  /** Loads and validates a job file with command-line overrides. */
  public static JobDefinition load(String jobLocation, List<String> overrides) {
    return of(JobConfigLoader.load(jobLocation, overrides));
  }

  /** Validates a loaded job. */
  public static JobDefinition of(LoadedConfig loaded) {
    ConfigReader r = new ConfigReader(loaded);
    JobSettings settings = JobSettings.read(r);
    Trainer trainer = Trainers.read(r);
    SqlFeatures.checkSyntax(settings.source(), settings.features(), r);
    r.throwIfProblems();
    return new JobDefinition(settings, trainer, r.renderRedacted());
  }
}
