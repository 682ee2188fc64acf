package dev.runway.job;

import dev.runway.artifacts.BuildInfo;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.config.JobSettings;
import dev.runway.data.InputFiles;
import dev.runway.data.Source;
import dev.runway.data.SourceReader;
import dev.runway.error.DataException;
import dev.runway.error.StorageException;
import dev.runway.error.TrainingException;
import dev.runway.eval.Metrics;
import dev.runway.features.Splitter;
import dev.runway.features.Target;
import dev.runway.preflight.Finding;
import dev.runway.preflight.Preflight;
import dev.runway.preflight.SparkFacts;
import dev.runway.profile.ReferenceProfile;
import dev.runway.registry.RunEntry;
import dev.runway.registry.RunIndex;
import dev.runway.report.RunReport;
import dev.runway.run.InputContract;
import dev.runway.run.ManifestHeader;
import dev.runway.run.RunFiles;
import dev.runway.run.RunLineage;
import dev.runway.run.RunMetrics;
import dev.runway.run.RunWriter;
import dev.runway.train.Checkpoints;
import dev.runway.train.Derived;
import dev.runway.train.TrainedModel;
import dev.runway.train.Trainer;
import dev.runway.train.TrainingData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code train} command's work: source → SQL features → split → feature pipeline → trainer →
 * metrics → committed run directory. Each step is a call into a package that knows nothing of the
 * others; this class only sequences them, times them, labels their Spark jobs and decides what
 * kind of failure an exception is.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private final SparkSession spark;
  private final JobDefinition job;
  private final JobSettings s;
  private final Timings timings = new Timings();
  private List<Finding> preflight = List.of();
  /** Sees each evaluated split's predictions (tests compare them with what applying the run gives). */
  private BiConsumer<String, Dataset<Row>> evaluated = (split, predictions) -> {};

  public TrainJob(SparkSession spark, JobDefinition job) {
    this.spark = spark;
    this.job = job;
    this.s = job.settings();
  }

  /** Inside a run, where iterative trainers keep their per-epoch checkpoints until the commit. */
  static final String CHECKPOINTS = "checkpoints";

  /**
   * Trains and commits run {@code runId} through {@link RunWriter}: a committed run is left alone
   * unless {@code overwrite}, an uncommitted leftover is redone, or with {@code resume} continued
   * from its last checkpoint (checkpoints survive a failure, invisible without a manifest).
   */
  public RunResult run(String runId, boolean overwrite, boolean resume) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    RunDirectory run = RunDirectory.of(hadoop, s.outputRoot(), s.name(), runId);
    RunWriter.Outcome<RunResult> outcome = RunWriter.of(run, "run")
        .keeping(CHECKPOINTS)
        .write(overwrite, resume, dir -> {
          preflight =
              Preflight.warnings(SparkFacts.of(spark.sparkContext().getConf(), s.sparkConf()), job);
          preflight.forEach(f -> LOG.warn("warning: {}", f.message()));
          return trainAndCommit(dir, runId);
        });
    index(hadoop, s, run);
    if (outcome.alreadyCommitted()) {
      return committedResult(s, run, runId, outcome.status());
    }
    return outcome.value();
  }

  /**
   * Run {@code runId} of the job, if it is committed: what a retry without {@code --overwrite}
   * returns, read before any session starts, so a scheduler's retry of a finished train answers in
   * the time a JVM takes to start and asks a cluster for no executors. Indexed again, as {@link
   * #run} does.
   */
  public static Optional<RunResult> committed(Configuration hadoop, JobSettings s, String runId) {
    return RunWriter.of(RunDirectory.of(hadoop, s.outputRoot(), s.name(), runId), "run")
        .committed(false)
        .map(run -> {
          index(hadoop, s, run);
          return committedResult(s, run, runId, "already-committed");
        });
  }

  /**
   * Adds the committed run to the registry's index (again after a retry: adding is idempotent).
   * The run is committed already, so a failure here fails nothing: the run is listed once the
   * index is rebuilt.
   */
  private static void index(Configuration hadoop, JobSettings s, RunDirectory run) {
    try {
      RunIndex.of(hadoop, s.outputRoot()).add(RunEntry.of(run));
    } catch (RuntimeException e) {
      LOG.warn(
          "warning: run {} is committed but not in the index ({}); scripts/run runs reindex"
              + " --root {} --job {} lists it again",
          run.uri(),
          e.getMessage(),
          s.outputRoot(),
          s.name());
    }
  }

  private RunWriter.Commit<RunResult> trainAndCommit(RunDirectory run, String runId) {
    Instant started = Instant.now();
    try (SparkWork work = SparkWork.watch(spark);
        Source source = read();
        Shared shared = prepare(source, describeInput(), Derived.NONE)) {
      CrossValidation.Result crossValidation =
          s.split().kFold() ? crossValidate(shared.inputs()) : null;
      Trained trained = fit(
          shared,
          crossValidation == null ? job.trainer() : crossValidation.chosen(),
          Checkpoints.in(run, CHECKPOINTS),
          crossValidation != null);
      return evaluateAndWrite(run, runId, shared, crossValidation, trained, started, work, null);
    }
  }

  /**
   * The job's data prepared once, for one training or several on the same data (a tune's trials):
   * the source as read, its file listing and the prepared inputs. Closing it releases the inputs'
   * cached tables (the source is its reader's to close).
   */
  public record Shared(
      Source source, Map<String, Object> input, TrainingInputs inputs, Derived derived)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        derived.close();
      } finally {
        inputs.close();
      }
    }
  }

  /** Reads the job's source (closing it releases what reading cached). */
  public Source read() {
    label("read source " + s.source().path());
    LOG.info("Reading {} ({})", s.source().path(), s.source().format());
    return timings.time("read", () -> SourceReader.read(spark, s.source()));
  }

  /** The source's files with sizes, modification times and ETags, for the lineage. */
  public Map<String, Object> describeInput() {
    return Failures.guard(DataException::new, "list input files", () -> {
      try {
        return InputFiles.describe(
            spark.sparkContext().hadoopConfiguration(), s.source().path());
      } catch (IOException e) {
        throw new DataException(
            "Cannot list source.path " + s.source().path() + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * SQL features, split and feature pipeline over {@code source}: everything before the trainer.
   * Trainings on the result share what they derive from it through {@code derived} (closed with
   * it).
   */
  public Shared prepare(Source source, Map<String, Object> input, Derived derived) {
    return new Shared(
        source,
        input,
        TrainingInputs.prepare(spark, job, source.rows(), timings, this::label),
        derived);
  }

  /**
   * A model trained but not yet evaluated or written: the trainer's choice, the executors its
   * tasks ran in, and when its training started.
   */
  public record Trained(
      ModelSelection.Chosen chosen, List<Map<String, Object>> executors, Instant started) {
    public TrainedModel model() {
      return chosen.model();
    }
  }

  /**
   * Trains this job's trainer on {@code shared}, keeping checkpoints in {@code checkpoints} (a
   * network resumes from the newest one there): a tune trains its trials through this.
   */
  public Trained fit(Shared shared, Checkpoints checkpoints) {
    return fit(shared, job.trainer(), checkpoints, false);
  }

  private Trained fit(Shared shared, Trainer trainer, Checkpoints checkpoints, boolean refit) {
    Instant started = Instant.now();
    TrainingInputs inputs = shared.inputs();
    Map<String, Long> rows = inputs.rows();
    label("train " + job.trainer().type());
    LOG.info(
        "Training {} on {} features{}",
        job.trainer().type(),
        inputs.vectorSize(),
        refit ? " (refit on all " + rows.get("train") + " non-test rows)" : "");
    try (ExecutorsSeen seen = ExecutorsSeen.watch(spark)) {
      TrainingData data = new TrainingData(
              inputs.vectors().get("train"),
              inputs.vectors().get("validation"),
              inputs.target(),
              s.split().seed(),
              checkpoints,
              shared.derived())
          .sized(rows.get("train"), inputs.vectorSize());
      ModelSelection.Chosen chosen = timings.time(
          "train",
          () -> Failures.guard(
              TrainingException::new,
              "train " + trainer.type(),
              () -> ModelSelection.onValidation(
                  trainer,
                  data,
                  rows.get("validation"),
                  CrossValidation.concurrency(
                      spark.sparkContext().defaultParallelism(), Integer.MAX_VALUE, trainer),
                  this::label)));
      return new Trained(chosen, seen.executors(), started);
    }
  }

  /**
   * Evaluates {@code trained} and commits it as run {@code runId} of this job, with {@code tune}
   * (the tune and trial it is) in its lineage; a run already committed is left alone. For a tune's
   * trials, which share one prepared {@code shared}.
   */
  public RunResult commit(Shared shared, Trained trained, String runId, Map<String, Object> tune) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    RunDirectory run = RunDirectory.of(hadoop, s.outputRoot(), s.name(), runId);
    RunWriter.Outcome<RunResult> outcome = RunWriter.of(run, "run").write(false, false, dir -> {
      try (SparkWork work = SparkWork.watch(spark)) {
        return evaluateAndWrite(dir, runId, shared, null, trained, trained.started(), work, tune);
      }
    });
    index(hadoop, s, run);
    if (outcome.alreadyCommitted()) {
      return committedResult(s, run, runId, outcome.status());
    }
    return outcome.value();
  }

  /** Run {@code runId} of this job, if it is committed (a tune's trial run an earlier attempt committed). */
  public Optional<RunResult> committedRun(String runId) {
    return committed(spark.sparkContext().hadoopConfiguration(), s, runId);
  }

  private static RunResult committedResult(
      JobSettings s, RunDirectory run, String runId, String status) {
    RunMetrics metrics = Json.read(run.readText(RunFiles.METRICS), RunMetrics.class);
    return new RunResult(status, s.name(), runId, run.uri(), RunResult.headline(metrics));
  }

  private RunWriter.Commit<RunResult> evaluateAndWrite(
      RunDirectory run,
      String runId,
      Shared shared,
      CrossValidation.Result crossValidation,
      Trained trained,
      Instant started,
      SparkWork work,
      Map<String, Object> tune) {
    Source source = shared.source();
    TrainingInputs inputs = shared.inputs();
    Target target = inputs.target();
    Map<String, Long> rows = inputs.rows();
    Map<String, Dataset<Row>> vectors = inputs.vectors();
    PipelineModel features = inputs.features();
    ModelSelection.Chosen chosen = trained.chosen();
    TrainedModel model = chosen.model();
    List<Map<String, Object>> executors = trained.executors();
    // From the process start (what a user waits for after starting the job) to the first
    // minibatch step: JVM and Spark start-up, reading, features, cutting the data.
    model
        .firstStepAtMillis()
        .ifPresent(at -> timings.record(
            "start_to_first_step",
            (at - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3));

    label("evaluate");
    Map<String, Map<String, Object>> splitMetrics = new LinkedHashMap<>();
    Map<String, Object> trainRows = new LinkedHashMap<>();
    trainRows.put("rows", rows.get("train"));
    splitMetrics.put("train", trainRows);
    ReferenceProfile profile = null;
    for (String split : List.of("validation", "test")) {
      Dataset<Row> predictions =
          model.predict(vectors.get(split)).persist(StorageLevel.MEMORY_AND_DISK());
      evaluated.accept(split, predictions);
      splitMetrics.put(
          split,
          timings.time(
              "evaluate",
              () -> Failures.guard(
                  TrainingException::new,
                  "evaluate on " + split,
                  // The test split's curves too, for the report.
                  () -> split.equals("test")
                      ? Metrics.withCurves(
                          predictions, target, s.evaluate(), s.split().seed())
                      : Metrics.of(predictions, target, s.evaluate(), s.split().seed()))));
      // After the evaluation, which computes the cached predictions: the profile reads them, and
      // timings_s.profile is then what profiling costs, not the model's predictions.
      if (split.equals("validation")) {
        label("profile");
        profile = timings.time(
            "profile",
            () -> Failures.guard(
                DataException::new,
                "profile the training table",
                () -> ReferenceProfile.of(
                    Splitter.part(inputs.assigned(), "train"),
                    inputs.reference(),
                    s.features(),
                    target,
                    predictions,
                    s.monitor())));
        label("evaluate");
      }
      predictions.unpersist();
    }
    checkFinite(splitMetrics);
    ReferenceProfile reference = profile;
    LOG.info("Test metrics: {}", RunResult.describe(splitMetrics.get("test")));

    label("write run " + run.uri());
    LOG.info("Writing run {}", run.uri());
    timings.time(
        "write",
        () -> Failures.guard(StorageException::new, "write the run to " + run.uri(), () -> {
          run.writeText(RunFiles.JOB, job.resolvedConfig());
          // What applying the run needs besides its pipeline and model: the target, and the input
          // contract (computed last: it replaces the SQL statements' views with empty ones).
          run.writeText(RunFiles.TARGET, Json.pretty(target));
          run.writeText(RunFiles.PROFILE, Json.pretty(reference));
          run.writeText(
              RunFiles.INPUT_CONTRACT,
              Json.pretty(
                  InputContract.of(spark, source.rows().schema(), s.features(), target.column())));
          try {
            features.write().save(run.resolve(RunFiles.FEATURE_PIPELINE));
            model.save(run.resolve(RunFiles.MODEL));
          } catch (IOException e) {
            throw new UncheckedIOException(e); // the guard names the step and the cause
          }
          return null;
        }));
    Map<String, Object> timed = new LinkedHashMap<>(timings.asMap());
    RunMetrics metrics = new RunMetrics(
        s.name(),
        runId,
        target.task(),
        job.trainer().type(),
        target.classes(),
        splitMetrics,
        crossValidation == null ? null : crossValidation.metrics(),
        crossValidation != null ? crossValidation.selection() : chosen.record(),
        model.summary(),
        executors,
        timed,
        work.asMap(),
        ExecutorsSeen.driver());
    run.writeText(RunFiles.METRICS, Json.pretty(metrics));

    RunLineage lineage = lineage(
        runId,
        shared.input(),
        source,
        inputs.table(),
        target,
        rows,
        inputs.vectorSize(),
        started,
        chosen.trainer(),
        timed,
        tune);
    run.writeText(RunFiles.LINEAGE, Json.pretty(lineage));
    // Last before the commit, from the files just written: what `report` renders later too.
    run.writeText(RunFiles.REPORT, RunReport.html(run));

    return new RunWriter.Commit<>(
        ManifestHeader.run(s.name(), runId, model.format()),
        new RunResult("committed", s.name(), runId, run.uri(), RunResult.headline(metrics)));
  }

  private CrossValidation.Result crossValidate(TrainingInputs inputs) {
    label("cross-validate");
    CrossValidation.Result cv = timings.time(
        "cross_validation",
        () -> CrossValidation.run(spark, job, inputs, s.evaluate().confidence()));
    @SuppressWarnings("unchecked")
    Map<String, Object> summary = (Map<String, Object>) cv.metrics().get("summary");
    LOG.info(
        "Cross-validation, {} folds x {}: {}",
        s.split().folds(),
        s.split().repeats(),
        CrossValidation.brief(summary));
    return cv;
  }

  /** A model whose metrics are NaN diverged: that is a failed training, never a result. */
  private void checkFinite(Map<String, Map<String, Object>> splitMetrics) {
    splitMetrics.forEach((split, values) -> values.forEach((metric, value) -> {
      if (value instanceof Double d && !Double.isFinite(d)) {
        throw new TrainingException("Training " + job.trainer().type() + " diverged: " + split + " "
            + metric + " is " + d + " (extreme feature values? try features.standardize = true)");
      }
    }));
  }

  private RunLineage lineage(
      String runId,
      Map<String, Object> input,
      Source source,
      Dataset<Row> table,
      Target target,
      Map<String, Long> rows,
      int vectorSize,
      Instant started,
      Trainer trainer,
      Map<String, Object> timed,
      Map<String, Object> tune) {
    Map<String, Object> sparkFacts = new LinkedHashMap<>();
    sparkFacts.put("version", spark.version());
    sparkFacts.put("master", spark.sparkContext().master());
    sparkFacts.put("application_id", spark.sparkContext().applicationId());
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("method", s.split().method().configName());
    split.put("seed", s.split().seed());
    split.put("rows", rows);
    return new RunLineage(
        input,
        source.malformedLineage().orElse(null),
        preflight.stream().map(Finding::toMap).toList(),
        s.name(),
        runId,
        started.toString(),
        Instant.now().toString(),
        Map.of("version", BuildInfo.version(), "git_commit", BuildInfo.gitCommit()),
        sparkFacts,
        s.source().format().configName(),
        s.source().filter(),
        source.rows().schema().toDDL(),
        s.features().sql().stream()
            .map(q -> Map.<String, Object>of("name", q.name(), "sql", q.sql()))
            .toList(),
        table.schema().toDDL(),
        split,
        Map.of("column", target.column(), "task", target.task(), "classes", target.classes()),
        vectorSize,
        // The values trained with: a hyperparameter set to auto appears as the value chosen.
        Map.of("type", trainer.type(), "params", trainer.params()),
        timed,
        tune);
  }

  /** Passes each evaluated split's predictions (features, label, prediction columns) to {@code listener}. */
  TrainJob onEvaluated(BiConsumer<String, Dataset<Row>> listener) {
    this.evaluated = listener;
    return this;
  }

  void label(String what) {
    spark.sparkContext().setJobDescription("runway " + s.name() + ": " + what);
  }
}
