package dev.runway.tune;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.config.TuneSettings;
import dev.runway.config.TuneSettings.Dimension;
import dev.runway.data.Source;
import dev.runway.error.DataException;
import dev.runway.error.JobConfigException;
import dev.runway.error.TrainingException;
import dev.runway.eval.Metrics;
import dev.runway.job.JobDefinition;
import dev.runway.job.RunResult;
import dev.runway.job.TaskWatch;
import dev.runway.job.TrainJob;
import dev.runway.run.ManifestHeader;
import dev.runway.run.RunFiles;
import dev.runway.run.RunWriter;
import dev.runway.train.Checkpoints;
import dev.runway.train.Derived;
import dev.runway.train.nn.NeuralNetworkTrainer;
import dev.runway.train.nn.Placement;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tune} command's work: the job's data read and prepared once, then its trials trained
 * rung by rung (successive halving), {@code concurrency} at a time, each in its own FAIR scheduler
 * pool; every trial committed as a run of the job once it stops, and the leaderboard committed
 * last as {@value #LEADERBOARD}.
 *
 * <p>The rungs are synchronous: a rung's promotions are decided when all its trials are done. That
 * idles a slot while the slowest trial of a rung finishes, and buys a leaderboard that depends
 * only on the job, the seed and the space, never on which trial happened to finish first.
 *
 * <p>Each trial's result at each rung is saved in the uncommitted tune ({@value #STATE}/) the
 * moment it is known, and a network's checkpoints are kept there too; {@code --resume} reads the
 * results instead of training again, and a promoted network goes on from its checkpoint.
 */
public final class TuneJob {
  private static final Logger LOG = LoggerFactory.getLogger(TuneJob.class);

  /** The leaderboard a committed tune holds. */
  public static final String LEADERBOARD = "tune.json";

  /** Beside the job's runs; the run index skips names that start with '_'. */
  static final String TUNES = "_tunes";

  /** Kept across a failed attempt, for --resume: rung results and network checkpoints. */
  static final String STATE = "state";

  private final SparkSession spark;
  private final TuneDefinition def;
  private final TuneSettings t;
  private final Map<String, TrainJob.Shared> variants = new HashMap<>();

  /**
   * A network trial's train.workers where its job leaves them to the task slots (0): its share of
   * them, slots / concurrency (at least 1); 0 at concurrency 1, where all the slots are its share.
   * Concurrent trials then train each on its own slots, side by side, instead of all of them on
   * all the slots by turns: two 2-worker trials on 2 slots run each round's tasks one after the
   * other and every round waits for the other trial's task, where two 1-worker trials never wait
   * and do not average at all (README, "Tune": scripts/bench-tune --cluster measures both).
   */
  private final int trialWorkers;

  private volatile TuneSettings.Metric metric;
  private Consumer<RungResult> saved = r -> {};

  public TuneJob(SparkSession spark, TuneDefinition def) {
    this.spark = spark;
    this.def = def;
    this.t = def.settings();
    this.trialWorkers = t.concurrency() > 1
        ? Math.max(1, spark.sparkContext().defaultParallelism() / t.concurrency())
        : 0;
  }

  /** Where tune {@code tuneId} of {@code job} is written. */
  public static RunDirectory directory(
      Configuration hadoop, String root, String job, String tuneId) {
    return RunDirectory.at(
        hadoop, new Path(new Path(new Path(root, job), TUNES), tuneId).toString());
  }

  /** What the command prints: the outcome and the best trial. */
  public record Outcome(String status, String uri, Leaderboard board) {
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", status);
      m.put("job", board.job());
      m.put("tune_id", board.tuneId());
      m.put("tune_uri", uri);
      m.put("metric", board.metric());
      m.put("trials", board.trials().size());
      m.put(
          "failed",
          board.trials().stream().filter(s -> s.status().equals("failed")).count());
      m.put("executor_seconds", board.executorSeconds());
      m.put("best_trial", board.bestTrial());
      m.put("best_run_uri", board.bestRunUri());
      board.trials().stream()
          .filter(s -> s.trial().equals(board.bestTrial()))
          .findFirst()
          .ifPresent(best -> {
            m.put("best_score", best.score());
            m.put("best_settings", best.settings());
          });
      return m;
    }
  }

  /**
   * Runs and commits tune {@code tuneId}: a committed tune is left alone, an uncommitted leftover
   * is redone, or with {@code resume} continued from its saved results. Trials committed by an
   * earlier attempt are reused either way (their run ids are the tune's id and the trial's).
   */
  public Outcome run(String tuneId, boolean resume) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    RunDirectory dir = directory(hadoop, def.job().settings().outputRoot(), def.name(), tuneId);
    RunWriter.Outcome<Leaderboard> outcome =
        RunWriter.of(dir, "tune").keeping(STATE).write(false, resume, out -> tune(out, tuneId));
    Leaderboard board = outcome.alreadyCommitted()
        ? Json.read(dir.readText(LEADERBOARD), Leaderboard.class)
        : outcome.value();
    return new Outcome(outcome.status(), dir.uri(), board);
  }

  /**
   * Tune {@code tuneId} of {@code def}, if it is committed: what a retry returns, read before any
   * session starts (as for a committed run).
   */
  public static Optional<Outcome> committed(
      Configuration hadoop, TuneDefinition def, String tuneId) {
    return RunWriter.of(
            directory(hadoop, def.job().settings().outputRoot(), def.name(), tuneId), "tune")
        .committed(false)
        .map(dir -> new Outcome(
            "already-committed",
            dir.uri(),
            Json.read(dir.readText(LEADERBOARD), Leaderboard.class)));
  }

  /** Calls {@code listener} after each rung result is saved (tests stop a tune there). */
  TuneJob onSaved(Consumer<RungResult> listener) {
    this.saved = listener;
    return this;
  }

  private RunWriter.Commit<Leaderboard> tune(RunDirectory dir, String tuneId) {
    Instant started = Instant.now();
    checkScheduler();
    List<Integer> budgets = def.budgets();
    LOG.info(
        "Tune {}: {} trials ({} sampling), budgets {} of {}, {} at a time{}",
        tuneId,
        def.trials().size(),
        t.sampling().configName(),
        budgets,
        t.halving().budgetKey(),
        t.concurrency(),
        trialWorkers > 0 && def.job().trainer() instanceof NeuralNetworkTrainer
            ? ", a network's train.workers = 0 giving it " + trialWorkers
                + " (its share of the " + spark.sparkContext().defaultParallelism()
                + " task slots)"
            : "");
    TrainJob base = new TrainJob(spark, def.job());
    ExecutorService threads = Executors.newFixedThreadPool(
        t.concurrency(), Placement.lanes("runway-trial", t.concurrency()));
    try (TrialCosts costs = TrialCosts.watch(spark);
        Source source = base.read()) {
      Map<String, Object> input = base.describeInput();
      // The job's own features first: what most trials share, and what decides the metric.
      shared(def.job(), source, input);
      Map<String, List<RungResult>> results = new LinkedHashMap<>();
      Map<String, RunResult> runs = new ConcurrentHashMap<>();
      // What evaluating and writing each trial's run cost (this attempt's; see the leaderboard).
      Map<String, Double> commitSeconds = new ConcurrentHashMap<>();
      def.trials().forEach(trial -> results.put(trial.id(), new ArrayList<>()));
      List<Trial> alive = def.trials();
      for (int k = 0; k < budgets.size() && !alive.isEmpty(); k++) {
        int rung = k;
        List<TrialRung> done = inParallel(
            threads, alive, t -> t, trial -> rung(dir, trial, rung, source, input, costs));
        done.forEach(o -> results.get(o.trial().id()).add(o.result()));
        List<TrialRung> ranked = new ArrayList<>(done);
        ranked.sort(byScore(TrialRung::result, metric.higherIsBetter()));
        boolean last = k == budgets.size() - 1;
        int promote = last ? 0 : Rungs.promoted(alive.size(), t.halving().reductionFactor());
        List<Trial> promoted = ranked.stream()
            .filter(o -> !o.result().failed())
            .limit(promote)
            .map(TrialRung::trial)
            .toList();
        List<TrialRung> stopped = ranked.stream()
            .filter(o -> !o.result().failed() && !promoted.contains(o.trial()))
            .toList();
        LOG.info(
            "Tune {}, rung {} ({} = {}): {} trained, {} failed, {} go on to {}",
            tuneId,
            k + 1,
            t.halving().budgetKey(),
            budgets.get(k),
            done.size(),
            done.stream().filter(o -> o.result().failed()).count(),
            promoted.size(),
            last ? "-" : budgets.get(k + 1));
        inParallel(threads, stopped, TrialRung::trial, o -> {
          double before = costs.seconds(o.trial().id());
          runs.put(o.trial().id(), commitTrial(dir, tuneId, o, source, input));
          commitSeconds.put(o.trial().id(), costs.seconds(o.trial().id()) - before);
          return null;
        });
        done.stream()
            .filter(o -> o.result().failed())
            .forEach(o -> dir.delete(checkpointsOf(o.trial())));
        alive = promoted;
      }
      if (runs.isEmpty()) {
        throw new TrainingException("Every trial of tune " + tuneId + " failed; the first: "
            + results.values().iterator().next().get(0).error());
      }
      Leaderboard board = leaderboard(tuneId, started, results, runs, commitSeconds);
      dir.writeText(RunFiles.JOB, def.job().resolvedConfig());
      dir.writeText(LEADERBOARD, Json.pretty(board));
      LOG.info(
          "Tune {}: best trial {} ({} {} = {}), run {}",
          tuneId,
          board.bestTrial(),
          "validation",
          board.metric(),
          board.trials().get(0).score(),
          board.bestRunUri());
      return new RunWriter.Commit<>(
          ManifestHeader.derived(ManifestHeader.TUNE, def.name(), tuneId), board);
    } finally {
      // A failed tune leaves no trial thread behind it still writing results.
      threads.shutdownNow();
      try {
        threads.awaitTermination(10, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (variants) {
        variants.values().forEach(TrainJob.Shared::close);
        variants.clear();
      }
    }
  }

  /** A trial's result at one rung, with its model while it is still in memory. */
  private record TrialRung(
      Trial trial,
      RungResult result,
      TrainJob train,
      TrainJob.Shared shared,
      TrainJob.Trained trained) {}

  /** Trains {@code trial} to rung {@code k}'s budget (or reads what an earlier attempt saved). */
  private TrialRung rung(
      RunDirectory dir,
      Trial trial,
      int k,
      Source source,
      Map<String, Object> input,
      TrialCosts costs) {
    String name = resultFile(trial, k);
    Optional<byte[]> savedBefore = dir.readBytes(name);
    if (savedBefore.isPresent()) {
      RungResult r =
          Json.read(new String(savedBefore.get(), StandardCharsets.UTF_8), RungResult.class);
      LOG.info("Trial {} at {}: read from the tune's saved state", trial.id(), r.budget());
      return new TrialRung(trial, r, null, null, null);
    }
    int budget = def.budgets().get(k);
    double before = costs.seconds(trial.id());
    RungResult result;
    TrainJob train = null;
    TrainJob.Shared shared = null;
    TrainJob.Trained trained = null;
    try {
      JobDefinition job = def.trialJob(trial, budget, trialWorkers);
      // A session of its own: the trial's SQL (the input contract at its commit) cannot replace
      // another trial's temp views.
      train = new TrainJob(spark.newSession(), job);
      shared = shared(job, source, input);
      LOG.info(
          "Trial {} {}: training to {} = {}",
          trial.id(),
          trial.settings(),
          t.halving().budgetKey(),
          budget);
      trained = train.fit(shared, Checkpoints.in(dir, checkpointsOf(trial)));
      double score = score(trained, shared);
      if (!Double.isFinite(score)) {
        throw new TrainingException(
            "Training diverged: validation " + metric.key() + " is " + score);
      }
      result = new RungResult(
          trial.id(), k, budget, false, score, null, costs.seconds(trial.id()) - before);
      LOG.info("Trial {} at {}: validation {} = {}", trial.id(), budget, metric.key(), score);
    } catch (TrainingException | DataException e) {
      // This trial's own failure (a diverging learning rate, a feature setting the data cannot
      // take): recorded, and the tune goes on. Storage and configuration failures stop the tune.
      LOG.warn(
          "Trial {} failed at {} = {}: {}",
          trial.id(),
          t.halving().budgetKey(),
          budget,
          e.getMessage());
      result = new RungResult(
          trial.id(), k, budget, true, null, e.getMessage(), costs.seconds(trial.id()) - before);
      trained = null;
    }
    dir.writeText(name, Json.pretty(result));
    saved.accept(result);
    return new TrialRung(trial, result, train, shared, trained);
  }

  /**
   * Commits a trial that goes no further as a run of the job (a trial committed by an earlier
   * attempt is left as it is). A resumed tune no longer holds the model in memory: it fits it
   * again, which for a network is its checkpoint at this budget, no epoch trained.
   */
  private RunResult commitTrial(
      RunDirectory dir, String tuneId, TrialRung o, Source source, Map<String, Object> input) {
    Trial trial = o.trial();
    String runId = tuneId + "-" + trial.id();
    int budget = o.result().budget();
    // Trained in this attempt: the model is in memory. Read from a saved result: the trial's job
    // is built again, and its model fitted again unless its run is committed already.
    boolean inMemory = o.trained() != null;
    JobDefinition job = inMemory ? null : def.trialJob(trial, budget, trialWorkers);
    TrainJob train = inMemory ? o.train() : new TrainJob(spark.newSession(), job);
    Optional<RunResult> committed = train.committedRun(runId);
    if (committed.isPresent()) {
      return committed.get();
    }
    TrainJob.Shared shared = inMemory ? o.shared() : shared(job, source, input);
    TrainJob.Trained trained =
        inMemory ? o.trained() : train.fit(shared, Checkpoints.in(dir, checkpointsOf(trial)));
    Map<String, Object> lineage = new LinkedHashMap<>();
    lineage.put("tune_id", tuneId);
    lineage.put("tune_uri", dir.uri());
    lineage.put("trial", trial.id());
    lineage.put("settings", trial.settings());
    lineage.put("budget_key", t.halving().budgetKey());
    lineage.put("budget", budget);
    RunResult result = train.commit(shared, trained, runId, lineage);
    dir.delete(checkpointsOf(trial));
    return result;
  }

  /** The prepared data of a trial's job: shared by every trial with the same feature settings. */
  private TrainJob.Shared shared(JobDefinition job, Source source, Map<String, Object> input) {
    String key = job.settings().features() + "|" + job.settings().split();
    synchronized (variants) {
      TrainJob.Shared shared = variants.get(key);
      if (shared == null) {
        // Prepared one at a time, in the tune's session: SQL features register temp views.
        shared = new TrainJob(spark, job).prepare(source, input, Derived.keeping());
        variants.put(key, shared);
        if (shared.inputs().rows().get("validation") == 0) {
          throw new DataException("Tune ranks trials on the validation split, and it is empty"
              + " (rows per split: " + shared.inputs().rows() + "): check split settings");
        }
        checkMetric(shared.inputs().target().classification());
      }
      return shared;
    }
  }

  private void checkMetric(boolean classification) {
    TuneSettings.Metric m = t.metric().resolve(classification);
    if (m.classification() != classification) {
      throw new JobConfigException("tune.metric = " + m.configName() + " measures a "
          + (m.classification() ? "classifier" : "regression") + ", but this job is a "
          + (classification ? "classification" : "regression"));
    }
    metric = m;
  }

  private double score(TrainJob.Trained trained, TrainJob.Shared shared) {
    Dataset<Row> predictions = trained
        .model()
        .predict(shared.inputs().vectors().get("validation"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Object v = Metrics.of(predictions, shared.inputs().target()).get(metric.key());
      return v instanceof Number n ? n.doubleValue() : Double.NaN;
    } finally {
      predictions.unpersist();
    }
  }

  /** Best first: higher or lower scores as the metric wants, failed last, then in trial order. */
  static <T> Comparator<T> byScore(Function<T, RungResult> result, boolean higherIsBetter) {
    Comparator<T> failedLast = Comparator.comparing(x -> result.apply(x).failed());
    Comparator<T> score = Comparator.comparingDouble(x -> {
      RungResult r = result.apply(x);
      if (r.failed()) {
        return 0;
      }
      return higherIsBetter ? -r.score() : r.score();
    });
    return failedLast.thenComparing(score).thenComparing(x -> result.apply(x).trial());
  }

  /**
   * The leaderboard's order of trials, each given by its rung results: failed trials last (one
   * that failed at the last rung has no run to be the best), then the furthest rung first, then
   * that rung's score.
   */
  static Comparator<List<RungResult>> standingOrder(boolean higherIsBetter) {
    return Comparator.<List<RungResult>, Boolean>comparing(
            rs -> rs.get(rs.size() - 1).failed())
        .thenComparingInt(rs -> -rs.get(rs.size() - 1).rung())
        .thenComparing(byScore(rs -> rs.get(rs.size() - 1), higherIsBetter));
  }

  private Leaderboard leaderboard(
      String tuneId,
      Instant started,
      Map<String, List<RungResult>> results,
      Map<String, RunResult> runs,
      Map<String, Double> commitSeconds) {
    Map<String, Trial> trials = new HashMap<>();
    def.trials().forEach(trial -> trials.put(trial.id(), trial));
    List<List<RungResult>> byTrial = new ArrayList<>(results.values());
    byTrial.sort(standingOrder(metric.higherIsBetter()));
    List<Leaderboard.Standing> standings = new ArrayList<>();
    double total = 0;
    int lastRung = def.budgets().size() - 1;
    for (List<RungResult> rs : byTrial) {
      RungResult final1 = rs.get(rs.size() - 1);
      String id = final1.trial();
      String status =
          final1.failed() ? "failed" : final1.rung() == lastRung ? "completed" : "stopped";
      List<Map<String, Object>> rungs = new ArrayList<>();
      double seconds = commitSeconds.getOrDefault(id, 0.0);
      for (RungResult r : rs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budget", r.budget());
        m.put("score", r.score());
        rungs.add(m);
        seconds += r.executorSeconds();
      }
      total += seconds;
      RunResult run = runs.get(id);
      standings.add(new Leaderboard.Standing(
          standings.size() + 1,
          id,
          status,
          trials.get(id).settings(),
          final1.budget(),
          final1.score(),
          rungs,
          run == null ? null : run.runId(),
          run == null ? null : run.runUri(),
          run == null ? null : run.headline(),
          Math.round(seconds * 1e3) / 1e3,
          final1.error()));
    }
    Leaderboard.Standing best = standings.get(0);
    List<Map<String, Object>> space = new ArrayList<>();
    for (Dimension d : t.space()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", d.key());
      m.put("kind", d.kind().word());
      if (d.kind() == TuneSettings.Kind.VALUES) {
        m.put("values", d.values());
      } else {
        m.put("low", d.low());
        m.put("high", d.high());
        if (d.count() > 0) {
          m.put("count", d.count());
        }
      }
      space.add(m);
    }
    return new Leaderboard(
        def.name(),
        tuneId,
        started.toString(),
        Instant.now().toString(),
        metric.key(),
        metric.higherIsBetter(),
        t.sampling().configName(),
        t.seed(),
        t.concurrency(),
        t.halving().budgetKey(),
        def.budgets(),
        t.halving().enabled() ? t.halving().reductionFactor() : null,
        space,
        Math.round(total * 1e3) / 1e3,
        best.trial(),
        best.runUri(),
        standings);
  }

  /** FAIR pools give each trial its share of the slots; under FIFO the first trial's jobs go first. */
  private void checkScheduler() {
    String mode = spark.sparkContext().getConf().get("spark.scheduler.mode", "FIFO");
    if (t.concurrency() > 1 && !mode.equalsIgnoreCase("FAIR")) {
      LOG.warn(
          "warning: spark.scheduler.mode is {}: the {} concurrent trials do not share the task"
              + " slots fairly (start the application with spark.scheduler.mode=FAIR)",
          mode,
          t.concurrency());
    }
  }

  private static String resultFile(Trial trial, int rung) {
    return STATE + "/results/" + trial.id() + "-rung" + (rung + 1) + ".json";
  }

  /** A trial's checkpoints, kept in the tune's state until the trial is committed. */
  private static String checkpointsOf(Trial trial) {
    return STATE + "/checkpoints/" + trial.id();
  }

  /**
   * {@code work} on every item, on the tune's threads, each in its trial's scheduler pool and
   * scope (so the trial's listeners count only its tasks); results in item order. The first
   * failure is rethrown as is.
   */
  private <T, R> List<R> inParallel(
      ExecutorService threads, List<T> items, Function<T, Trial> trialOf, Function<T, R> work) {
    List<Future<R>> futures = new ArrayList<>();
    for (T item : items) {
      String trial = trialOf.apply(item).id();
      futures.add(threads.submit(() -> inPool(trial, () -> work.apply(item))));
    }
    List<R> out = new ArrayList<>();
    try {
      for (Future<R> f : futures) {
        out.add(f.get());
      }
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new TrainingException("A trial failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrainingException("Interrupted while tuning", e);
    }
    return out;
  }

  private static final String POOL = "spark.scheduler.pool";

  private <R> R inPool(String trial, Supplier<R> work) {
    SparkContext sc = spark.sparkContext();
    sc.setLocalProperty(POOL, "trial-" + trial);
    sc.setLocalProperty(TaskWatch.SCOPE, trial);
    try {
      // The tune thread's lane keeps its trials' blocks on executors of their own.
      return Placement.inLane(sc, work);
    } finally {
      sc.setLocalProperty(POOL, null);
      sc.setLocalProperty(TaskWatch.SCOPE, null);
    }
  }
}
