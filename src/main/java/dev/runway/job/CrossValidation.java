package dev.runway.job;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;
import static org.apache.spark.sql.functions.col;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.SplitSettings;
import dev.runway.error.DataException;
import dev.runway.error.TrainingException;
import dev.runway.eval.Metrics;
import dev.runway.features.Columns;
import dev.runway.features.FeaturePipeline;
import dev.runway.features.Splitter;
import dev.runway.features.Target;
import dev.runway.stats.Spread;
import dev.runway.train.Checkpoints;
import dev.runway.train.Grid;
import dev.runway.train.TrainedModel;
import dev.runway.train.Trainer;
import dev.runway.train.TrainingData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code split.method = k-fold}: the job's trainer fitted once per fold of the non-test rows and
 * scored on the fold it did not see, {@code split.repeats} times over. Each fold fits its own
 * feature pipeline on its own training rows, as the committed run does, so nothing of the
 * held-out fold (its categories, its means) leaks into the features it is scored with.
 *
 * <p>Fold models train without a validation split (networks run every epoch), like the model
 * refit on all non-test rows afterwards: what the folds estimate is what is committed.
 */
final class CrossValidation {
  private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);

  /** Metrics summarized over folds: those that are a single number. */
  private static final List<String> SUMMARIZED =
      List.of("accuracy", "weighted_f1", "log_loss", "auc", "rmse", "mae", "r2");

  private CrossValidation() {}

  /**
   * The cross-validation's record for metrics.json, the trainer to refit on all non-test rows
   * (with a grid, the candidate of best mean fold score), and the record of that choice (null
   * without a grid).
   */
  record Result(Map<String, Object> metrics, Trainer chosen, Map<String, Object> selection) {}

  private record Task(int candidate, int repeat, int fold) {}

  /**
   * Trains and scores every fold of every candidate, {@link #concurrency} fits at a time, as
   * concurrent Spark jobs.
   */
  static Result run(
      SparkSession spark, JobDefinition job, TrainingInputs inputs, double confidence) {
    SplitSettings s = job.settings().split();
    FeatureSettings f = job.settings().features();
    Target target = inputs.target();
    Optional<Grid> grid = job.trainer().grid();
    List<Trainer> candidates = grid.map(Grid::trainers).orElse(List.of(job.trainer()));
    Dataset<Row> pool = Splitter.part(inputs.labelled(), "train");
    Dataset<Row> noValidation = inputs.vectors().get("validation");
    long poolRows = inputs.rows().get("train");
    int concurrent = concurrency(
        spark.sparkContext().defaultParallelism(),
        candidates.size() * s.folds() * s.repeats(),
        job.trainer());
    LOG.info(
        "Cross-validation: {} folds x {} repeat(s) of {} rows{}, {} fit(s) at a time",
        s.folds(),
        s.repeats(),
        inputs.rows().get("train"),
        grid.map(g -> " for each of " + g.values().size() + " values of " + g.key())
            .orElse(""),
        concurrent);

    List<Dataset<Row>> dealt = new ArrayList<>();
    try {
      for (int repeat = 0; repeat < s.repeats(); repeat++) {
        dealt.add(Splitter.folds(
                pool, target.classification() ? LABEL : null, s.folds(), s.seed(), repeat)
            .persist(StorageLevel.MEMORY_AND_DISK()));
      }
      List<Task> tasks = new ArrayList<>();
      for (int c = 0; c < candidates.size(); c++) {
        for (int repeat = 0; repeat < s.repeats(); repeat++) {
          for (int fold = 0; fold < s.folds(); fold++) {
            tasks.add(new Task(c, repeat, fold));
          }
        }
      }
      List<Map<String, Object>> scored =
          Concurrently.map(spark.sparkContext(), tasks, concurrent, t -> {
            spark
                .sparkContext()
                .setJobDescription("runway " + job.settings().name() + ": cross-validate fold "
                    + (t.fold() + 1) + "/" + s.folds()
                    + (s.repeats() > 1 ? ", repeat " + (t.repeat() + 1) : "")
                    + grid.map(g -> ", " + g.key() + " = " + g.values().get(t.candidate()))
                        .orElse(""));
            return fold(
                dealt.get(t.repeat()),
                poolRows,
                t.repeat(),
                t.fold(),
                f,
                candidates.get(t.candidate()),
                target,
                noValidation,
                s.seed());
          });

      String metric = ModelSelection.metric(target);
      int perCandidate = s.folds() * s.repeats();
      double[] means = new double[candidates.size()];
      for (int c = 0; c < candidates.size(); c++) {
        means[c] = scored.subList(c * perCandidate, (c + 1) * perCandidate).stream()
            .mapToDouble(m -> m.get(metric) instanceof Number n ? n.doubleValue() : Double.NaN)
            .average()
            .orElse(Double.NaN);
      }
      int best = grid.isPresent()
          ? ModelSelection.best(means, grid.get(), job.trainer().type(), metric, "mean fold")
          : 0;
      List<Map<String, Object>> perFold =
          scored.subList(best * perCandidate, (best + 1) * perCandidate);
      Map<String, Object> selection = null;
      if (grid.isPresent()) {
        selection = ModelSelection.record(
            grid.get(), metric, "cross-validation (mean over folds)", means, best);
        LOG.info(
            "Chose {} = {} by mean fold {}: {}",
            grid.get().key(),
            grid.get().values().get(best),
            metric,
            ModelSelection.describe(grid.get(), means));
      }
      perFold.forEach(m -> LOG.info(
          "Fold {}{}: {}",
          (Integer) m.get("fold") + 1,
          s.repeats() > 1 ? " (repeat " + ((Integer) m.get("repeat") + 1) + ")" : "",
          brief(m)));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("folds", s.folds());
      out.put("repeats", s.repeats());
      out.put("stratified", target.classification());
      out.put("concurrent_fits", concurrent);
      out.put("summary", summary(perFold, confidence));
      out.put("per_fold", perFold);
      return new Result(out, candidates.get(best), selection);
    } finally {
      dealt.forEach(Dataset::unpersist);
    }
  }

  /** How many fits run at once: as many as the slots hold, never more than there are fits. */
  static int concurrency(int slots, int fits, Trainer trainer) {
    return Math.max(1, Math.min(fits, slots / Math.max(1, trainer.slotsPerFit(slots))));
  }

  private static Map<String, Object> fold(
      Dataset<Row> folds,
      long poolRows,
      int repeat,
      int fold,
      FeatureSettings f,
      Trainer trainer,
      Target target,
      Dataset<Row> noValidation,
      long seed) {
    Dataset<Row> train = folds.filter(col(Columns.FOLD).notEqual(fold)).drop(Columns.FOLD);
    Dataset<Row> held = folds.filter(col(Columns.FOLD).equalTo(fold)).drop(Columns.FOLD);
    PipelineModel features = Failures.guard(
        DataException::new,
        "fit the feature pipeline of fold " + (fold + 1),
        () -> FeaturePipeline.pipeline(f, FeaturePipeline.vectorSizes(train, f)).fit(train));
    Dataset<Row> trainVectors =
        features.transform(train).select(FEATURES, LABEL).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> heldVectors =
        features.transform(held).select(FEATURES, LABEL).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      TrainedModel model = Failures.guard(
          TrainingException::new,
          "train " + trainer.type() + " on fold " + (fold + 1),
          () -> trainer.fit(
              new TrainingData(trainVectors, noValidation, target, seed, Checkpoints.NONE)));
      Dataset<Row> predictions = model.predict(heldVectors).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repeat", repeat);
        m.put("fold", fold);
        Map<String, Object> metrics = Failures.guard(
            TrainingException::new,
            "evaluate fold " + (fold + 1),
            () -> Metrics.of(predictions, target));
        m.put("train_rows", poolRows - (long) metrics.get("rows"));
        m.putAll(metrics);
        return m;
      } finally {
        predictions.unpersist();
      }
    } finally {
      trainVectors.unpersist();
      heldVectors.unpersist();
    }
  }

  /** Mean, standard deviation and t interval of each single-number metric over the folds. */
  static Map<String, Object> summary(List<Map<String, Object>> perFold, double confidence) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String metric : SUMMARIZED) {
      double[] values = perFold.stream()
          .map(m -> m.get(metric))
          .filter(v -> v instanceof Number)
          .mapToDouble(v -> ((Number) v).doubleValue())
          .toArray();
      if (values.length == perFold.size() && values.length > 0) {
        out.put(metric, Spread.of(values, confidence).toMap());
      }
    }
    return out;
  }

  /** The summary as one progress line, e.g. "accuracy 0.874 ± 0.012 (sd)". */
  static String brief(Map<String, Object> metrics) {
    List<String> parts = new ArrayList<>();
    for (String metric : SUMMARIZED) {
      Object v = metrics.get(metric);
      if (v instanceof Number n) {
        parts.add(String.format(Locale.ROOT, "%s %.4f", metric, n.doubleValue()));
      } else if (v instanceof Map<?, ?> spread && spread.get("mean") instanceof Number mean) {
        parts.add(String.format(
            Locale.ROOT,
            "%s %.4f (sd %.4f, %.0f%% interval [%.4f, %.4f])",
            metric,
            mean.doubleValue(),
            (Double) spread.get("sd"),
            100 * (Double) spread.get("confidence"),
            (Double) spread.get("lower"),
            (Double) spread.get("upper")));
      }
    }
    return String.join(", ", parts);
  }
}
