package dev.runway.tune;

import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import dev.runway.config.JobSettings;
import dev.runway.config.LoadedConfig;
import dev.runway.config.TuneSettings;
import dev.runway.config.TuneSettings.Dimension;
import dev.runway.error.JobConfigException;
import dev.runway.features.SqlFeatures;
import dev.runway.job.JobDefinition;
import dev.runway.train.Trainers;
import dev.runway.train.nn.NeuralNetworkTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tune as validated at start-up: the job, the tune section, the trials drawn and the rungs'
 * budgets. Every value a dimension can take is checked as the job would check it (the ends of a
 * range, each listed value) and every trial is a valid job, before Spark starts: a bad space fails
 * in a second with its key and line, not when its trial comes up an hour later.
 *
 * @param loaded the job as loaded, the base every trial's job derives from
 * @param job the job itself
 * @param settings the tune section
 * @param trials the trials, in the order drawn
 * @param budgets each rung's budget
 */
public record TuneDefinition(
    LoadedConfig loaded,
    JobDefinition job,
    TuneSettings settings,
    List<Trial> trials,
    List<Integer> budgets) {

  /** Loads and validates a job file's tune, with command-line overrides. */
  public static TuneDefinition load(String jobLocation, List<String> overrides) {
    return of(JobConfigLoader.load(jobLocation, overrides));
  }

  /** Whether a loaded job has a search space (what `validate` checks a tune for). */
  public static boolean hasSpace(LoadedConfig loaded) {
    return !loaded.resolved().getObject("tune.space").isEmpty();
  }

  /** Validates a loaded job's tune. */
  public static TuneDefinition of(LoadedConfig loaded) {
    ConfigReader r = new ConfigReader(loaded);
    JobSettings js = JobSettings.read(r);
    Trainers.read(r);
    SqlFeatures.checkSyntax(js.source(), js.features(), r);
    TuneSettings settings = TuneSettings.read(r);
    if (js.split().kFold()) {
      r.problem(
          "split.method",
          "tune ranks trials on the validation split: use split.method = random or"
              + " column, which keep one");
    } else if (js.split().validation() <= 0) {
      r.problem(
          "split.fractions.validation",
          "tune ranks trials on the validation split:" + " it needs a fraction above 0");
    }
    r.throwIfProblems();
    JobDefinition job = JobDefinition.of(loaded);

    int maxBudget = settings.halving().maxBudget();
    String budgetKey = settings.halving().budgetKey();
    for (Dimension d : settings.space()) {
      for (Object value : d.checkedValues()) {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put(d.key(), value);
        sets.put(budgetKey, maxBudget);
        try {
          JobDefinition.of(JobConfigLoader.with(loaded, sets, d.path()));
        } catch (JobConfigException e) {
          r.problem(
              d.path(),
              "the value " + value + " is not valid for " + d.key() + ": " + e.getMessage());
        }
      }
    }
    r.throwIfProblems();
    List<Trial> trials = SearchSpace.trials(settings);
    TuneDefinition def =
        new TuneDefinition(loaded, job, settings, trials, Rungs.budgets(settings.halving()));
    // Values valid alone may still clash together (a kernel with a smaller input, say).
    for (Trial t : trials) {
      def.trialJob(t, def.budgets().get(0));
    }
    return def;
  }

  /** The job trial {@code trial} trains at {@code budget}. */
  public JobDefinition trialJob(Trial trial, int budget) {
    return trialJob(trial, budget, Map.of());
  }

  /**
   * The job trial {@code trial} trains at {@code budget}, with {@code workers} workers if it is a
   * network whose train.workers is left to the task slots (0, in the job and in the trial's
   * settings); {@code workers <= 0} leaves it so.
   */
  public JobDefinition trialJob(Trial trial, int budget, int workers) {
    JobDefinition job = trialJob(trial, budget, Map.of());
    if (workers > 0
        && job.trainer() instanceof NeuralNetworkTrainer network
        && network.settings().workers() == 0) {
      return trialJob(trial, budget, Map.of("train.workers", workers));
    }
    return job;
  }

  private JobDefinition trialJob(Trial trial, int budget, Map<String, Object> more) {
    Map<String, Object> sets = new LinkedHashMap<>(trial.settings());
    sets.put(settings.halving().budgetKey(), budget);
    sets.putAll(more);
    try {
      return JobDefinition.of(JobConfigLoader.with(loaded, sets, "tune trial " + trial.id()));
    } catch (JobConfigException e) {
      throw new JobConfigException(
          "Tune trial " + trial.id() + " " + trial.settings() + " is not a valid job: "
              + e.getMessage(),
          e);
    }
  }

  /** The job's name. */
  public String name() {
    return job.settings().name();
  }
}
