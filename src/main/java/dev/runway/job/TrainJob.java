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
    index(hadoop, run);
    if (outcome.alreadyCommitted()) {
      RunMetrics metrics = Json.read(run.readText(RunFiles.METRICS), RunMetrics.class);
      return new RunResult(
          outcome.status(), s.name(), runId, run.uri(), RunResult.headline(metrics));
    }
    return outcome.value();
  }

  /**
   * Adds the committed run to the registry's index (again after a retry: adding is idempotent).
   * The run is committed already, so a failure here fails nothing: the run is listed once the
   * index is rebuilt.
   */
  private void index(Configuration hadoop, RunDirectory run) {
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

  /** Checkpoints as files under {@value #CHECKPOINTS}/ in the uncommitted run. */
  private static Checkpoints checkpointsIn(RunDirectory run) {
    return new Checkpoints() {
      @Override
      public void save(String name, byte[] data) {
        run.writeBytes(CHECKPOINTS + "/" + name, data);
      }

      @Override
      public Optional<byte[]> load(String name) {
        return run.readBytes(CHECKPOINTS + "/" + name);
      }
    };
  }

  private RunWriter.Commit<RunResult> trainAndCommit(RunDirectory run, String runId) {
    Instant started = Instant.now();

    label("read source " + s.source().path());
    LOG.info("Reading {} ({})", s.source().path(), s.source().format());
    try (SparkWork work = SparkWork.watch(spark);
        Source source = timings.time("read", () -> SourceReader.read(spark, s.source()))) {
      return trainFrom(source, run, runId, started, work);
    }
  }

  private RunWriter.Commit<RunResult> trainFrom(
      Source source, RunDirectory run, String runId, Instant started, SparkWork work) {
    Map<String, Object> input = Failures.guard(DataException::new, "list input files", () -> {
      try {
        return InputFiles.describe(
            spark.sparkContext().hadoopConfiguration(), s.source().path());
      } catch (IOException e) {
        throw new DataException(
            "Cannot list source.path " + s.source().path() + ": " + e.getMessage(), e);
      }
    });

    try (TrainingInputs inputs =
        TrainingInputs.prepare(spark, job, source.rows(), timings, this::label)) {
      Target target = inputs.target();
      Map<String, Long> rows = inputs.rows();
      Map<String, Dataset<Row>> vectors = inputs.vectors();
      int vectorSize = inputs.vectorSize();
      PipelineModel features = inputs.features();

      CrossValidation.Result crossValidation = s.split().kFold() ? crossValidate(inputs) : null;
      Trainer trainer = crossValidation == null ? job.trainer() : crossValidation.chosen();

      label("train " + job.trainer().type());
      LOG.info(
          "Training {} on {} features{}",
          job.trainer().type(),
          vectorSize,
          crossValidation == null ? "" : " (refit on all " + rows.get("train") + " non-test rows)");
      TrainedModel model;
      ModelSelection.Chosen chosen;
      List<Map<String, Object>> executors;
      try (ExecutorsSeen seen = ExecutorsSeen.watch(spark)) {
        TrainingData data = new TrainingData(
            vectors.get("train"),
            vectors.get("validation"),
            target,
            s.split().seed(),
            checkpointsIn(run));
        chosen = timings.time(
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
        model = chosen.model();
        executors = seen.executors();
      }
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
                        : Metrics.of(
                            predictions, target, s.evaluate(), s.split().seed()))));
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
                Json.pretty(InputContract.of(
                    spark, source.rows().schema(), s.features(), target.column())));
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
          input,
          source,
          inputs.table(),
          target,
          rows,
          vectorSize,
          started,
          chosen.trainer(),
          timed);
      run.writeText(RunFiles.LINEAGE, Json.pretty(lineage));
      // Last before the commit, from the files just written: what `report` renders later too.
      run.writeText(RunFiles.REPORT, RunReport.html(run));

      return new RunWriter.Commit<>(
          ManifestHeader.run(s.name(), runId, model.format()),
          new RunResult("committed", s.name(), runId, run.uri(), RunResult.headline(metrics)));
    }
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
      Map<String, Object> timed) {
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
        timed);
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
