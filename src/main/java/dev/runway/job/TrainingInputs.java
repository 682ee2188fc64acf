package dev.runway.job;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.error.DataException;
import dev.runway.features.Columns;
import dev.runway.features.FeatureChecks;
import dev.runway.features.FeaturePipeline;
import dev.runway.features.Splitter;
import dev.runway.features.Target;
import dev.runway.features.TargetInference;
import dev.runway.profile.Profiler;
import dev.runway.profile.ReferenceProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature half of a job, ready for a trainer: the training table, its target and split, the
 * feature pipeline fitted on the training split, and each split as cached feature vectors and
 * labels. Shared by {@code train} and the benchmark, so both train on exactly the same inputs.
 * Close it to release the cached data.
 *
 * @param table the training table (after the SQL statements)
 * @param target what is predicted
 * @param rows rows per split
 * @param features the fitted feature pipeline
 * @param vectors per split, {@link Columns#FEATURES} and {@link Columns#LABEL}, cached
 * @param vectorSize size of the feature vector
 * @param assigned the training table with its split column, cached
 * @param labelled {@code assigned} ready for a feature pipeline, with {@link Columns#LABEL}
 *     (what k-fold fits each fold's own pipeline on)
 * @param reference the bins of the run's reference profile, decided on the training split, to be
 *     counted once the model's predictions are known ({@link ReferenceProfile#of})
 */
public record TrainingInputs(
    Dataset<Row> table,
    Target target,
    Map<String, Long> rows,
    PipelineModel features,
    Map<String, Dataset<Row>> vectors,
    int vectorSize,
    Dataset<Row> assigned,
    Dataset<Row> labelled,
    Profiler.Planned reference)
    implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingInputs.class);

  /** Builds the inputs of {@code job} from its source as read; labels Spark jobs with {@code label}. */
  public static TrainingInputs prepare(
      SparkSession spark,
      JobDefinition job,
      Dataset<Row> source,
      Timings timings,
      Consumer<String> label) {
    FeatureSettings f = job.settings().features();
    Dataset<Row> withSplit =
        Splitter.trainingTable(spark, source, f, job.settings().split());
    Dataset<Row> table = withSplit.drop(Columns.SPLIT);
    FeatureChecks.checkColumns(table.schema(), f);
    Dataset<Row> assigned = withSplit.persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Dataset<Row>> vectors = new LinkedHashMap<>();
    try {
      label.accept("inspect label and split");
      // One pass counts each split's rows and the labels present (the target's null check).
      SplitCounts counts = timings.time(
          "inspect",
          () -> Failures.guard(
              DataException::new,
              "count the training table's rows",
              () -> SplitCounts.of(assigned, f.label())));
      Map<String, Long> rows = counts.rows();
      if (rows.values().stream().mapToLong(Long::longValue).sum() == 0) {
        throw new DataException(
            "No rows to train on: source.path " + job.settings().source().path() + " holds none"
                + (job.settings().source().filter().isBlank() ? "" : " that pass source.filter")
                + (f.sql().isEmpty() ? "" : " (or the SQL statements return none)"));
      }
      if (rows.get("train") == 0 || rows.get("test") == 0) {
        throw new DataException("The " + (rows.get("train") == 0 ? "train" : "test")
            + " split is empty (rows per split: " + rows + "): check split settings");
      }
      Target target = timings.time(
          "inspect",
          () -> Failures.guard(
              DataException::new,
              "inspect the training table",
              () -> TargetInference.inspectTarget(assigned, f, counts.total(), counts.labelled())));
      job.trainer().checkTarget(target);
      LOG.info(
          "Training table: {} ({}, {} classes)",
          rows,
          target.task(),
          target.classes().size());

      Dataset<Row> labelled = FeaturePipeline.prepare(assigned, f)
          .withColumn(LABEL, TargetInference.labelColumn(target));
      label.accept("fit feature pipeline");
      LOG.info("Fitting the feature pipeline on {} training rows", rows.get("train"));
      Dataset<Row> train = Splitter.part(labelled, "train");
      // One pass decides the bins of the run's reference profile and counts what the value checks
      // need (distinct categories, infinite numbers): both read every value of the training split.
      Profiler.Planned reference = timings.time(
          "inspect",
          () -> Failures.guard(
              DataException::new,
              "inspect the training split",
              () -> ReferenceProfile.plan(
                  Splitter.part(assigned, "train"), f, target, job.settings().monitor())));
      timings.time(
          "inspect",
          () -> FeatureChecks.checkValues(train, f, ReferenceProfile.seen(reference, f)));
      PipelineModel features = timings.time(
          "features",
          () -> Failures.guard(
              DataException::new,
              "fit the feature pipeline",
              () -> FeaturePipeline.pipeline(f, FeaturePipeline.vectorSizes(train, f))
                  .fit(train)));
      // Named for the trainers' summaries: coefficients and importances by feature, not index.
      List<String> names = FeaturePipeline.featureNames(features, f);
      for (String split : Splitter.NAMES) {
        vectors.put(
            split,
            FeaturePipeline.named(
                    features.transform(Splitter.part(labelled, split)).select(FEATURES, LABEL),
                    names)
                .persist(StorageLevel.MEMORY_AND_DISK()));
      }
      int vectorSize = timings.time(
          "features",
          () -> Failures.guard(
              DataException::new,
              "build feature vectors",
              () -> vectors.get("train").first().<Vector>getAs(0).size()));
      if (names.size() != vectorSize) {
        throw new IllegalStateException("The feature pipeline names " + names.size()
            + " features but builds vectors of " + vectorSize);
      }
      return new TrainingInputs(
          table, target, rows, features, vectors, vectorSize, assigned, labelled, reference);
    } catch (RuntimeException e) {
      vectors.values().forEach(Dataset::unpersist);
      assigned.unpersist();
      throw e;
    }
  }

  /**
   * Rows per split, and over the whole table (rows no split takes included) its rows and its
   * non-null labels.
   */
  private record SplitCounts(Map<String, Long> rows, long total, long labelled) {
    static SplitCounts of(Dataset<Row> assigned, String label) {
      Map<String, Long> rows = new LinkedHashMap<>();
      Splitter.NAMES.forEach(n -> rows.put(n, 0L));
      long total = 0;
      long labelled = 0;
      for (Row r : assigned
          .groupBy(Columns.SPLIT)
          .agg(functions.count(functions.lit(1)), functions.count(functions.col(label)))
          .collectAsList()) {
        total += r.getLong(1);
        labelled += r.getLong(2);
        if (!r.isNullAt(0)) {
          rows.put(r.getString(0), r.getLong(1));
        }
      }
      return new SplitCounts(rows, total, labelled);
    }
  }

  @Override
  public void close() {
    vectors.values().forEach(Dataset::unpersist);
    assigned.unpersist();
  }
}
