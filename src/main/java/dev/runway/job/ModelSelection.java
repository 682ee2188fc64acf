package dev.runway.job;

import dev.runway.error.JobConfigException;
import dev.runway.error.TrainingException;
import dev.runway.eval.Metrics;
import dev.runway.features.Target;
import dev.runway.train.Grid;
import dev.runway.train.TrainedModel;
import dev.runway.train.Trainer;
import dev.runway.train.TrainingData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses among a trainer's candidates ({@link Trainer#grid}, a hyperparameter set to auto) by
 * a proper score on held-out rows: log loss for classification (it rewards calibrated
 * probabilities, not only the argmax), RMSE for regression. Lower is better for both.
 */
final class ModelSelection {
  private static final Logger LOG = LoggerFactory.getLogger(ModelSelection.class);

  /**
   * What was trained: the trainer used (a candidate, or the job's own), its model, and the record
   * of the choice for metrics.json (null when nothing was chosen).
   */
  record Chosen(Trainer trainer, TrainedModel model, Map<String, Object> record) {}

  private ModelSelection() {}

  /** The score candidates are compared by. */
  static String metric(Target target) {
    return target.classification() ? "log_loss" : "rmse";
  }

  /** The selection score of {@code predictions}: the same figure {@link Metrics} reports. */
  static double score(Dataset<Row> predictions, Target target) {
    return target.classification()
        ? Metrics.logLoss(predictions)
        : ((Number) Metrics.regression(predictions).get("rmse")).doubleValue();
  }

  /**
   * Fits {@code trainer} on the training rows, or with a grid, every candidate, keeping the one
   * with the best score on the {@code validationRows} validation rows; {@code concurrent}
   * candidates at a time.
   */
  static Chosen onValidation(
      Trainer trainer,
      TrainingData data,
      long validationRows,
      int concurrent,
      Consumer<String> label) {
    if (trainer.grid().isEmpty()) {
      return new Chosen(trainer, trainer.fit(data), null);
    }
    Grid grid = trainer.grid().get();
    if (validationRows == 0) {
      throw new JobConfigException(
          "Cannot choose " + grid.key() + " = auto: the job has no validation rows to"
              + " choose on; set split.fractions.validation above 0, use split.method = k-fold, or set a number");
    }
    String metric = metric(data.target());
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < grid.trainers().size(); i++) {
      indexes.add(i);
    }
    List<Fitted> fitted =
        Concurrently.map(data.train().sparkSession().sparkContext(), indexes, concurrent, i -> {
          label.accept("choose " + grid.key() + " = " + grid.values().get(i));
          TrainedModel model = grid.trainers().get(i).fit(data);
          Dataset<Row> predictions =
              model.predict(data.validation()).persist(StorageLevel.MEMORY_AND_DISK());
          try {
            return new Fitted(model, score(predictions, data.target()));
          } finally {
            predictions.unpersist();
          }
        });
    double[] scores = fitted.stream().mapToDouble(Fitted::score).toArray();
    int best = best(scores, grid, trainer.type(), metric, "validation");
    Map<String, Object> record = record(grid, metric, "validation", scores, best);
    LOG.info(
        "Chose {} = {} by validation {}: {}",
        grid.key(),
        grid.values().get(best),
        metric,
        describe(grid, scores));
    return new Chosen(grid.trainers().get(best), fitted.get(best).model(), record);
  }

  private record Fitted(TrainedModel model, double score) {}

  /**
   * Index of the lowest finite score (the first on ties); a NaN score never wins. When every
   * candidate's score is NaN, each model diverged: a failed training, named like one.
   */
  static int best(double[] scores, Grid grid, String type, String metric, String on) {
    int best = -1;
    for (int i = 0; i < scores.length; i++) {
      if (Double.isFinite(scores[i]) && (best < 0 || scores[i] < scores[best])) {
        best = i;
      }
    }
    if (best < 0) {
      throw new TrainingException("Training " + type + " diverged: " + on + " " + metric
          + " is NaN for every " + grid.key() + " in " + grid.values()
          + " (extreme feature values? try features.standardize = true)");
    }
    return best;
  }

  /** As recorded in metrics.json under model_selection. */
  static Map<String, Object> record(
      Grid grid, String metric, String on, double[] scores, int best) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", grid.key());
    m.put("metric", metric);
    m.put("on", on);
    List<Map<String, Object>> candidates = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("value", grid.values().get(i));
      c.put(metric, Double.isFinite(scores[i]) ? scores[i] : null);
      candidates.add(c);
    }
    m.put("candidates", candidates);
    m.put("chosen", grid.values().get(best));
    return m;
  }

  static String describe(Grid grid, double[] scores) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      parts.add(String.format(Locale.ROOT, "%s %.4f", grid.values().get(i), scores[i]));
    }
    return String.join(", ", parts);
  }
}
