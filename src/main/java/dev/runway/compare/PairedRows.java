package dev.runway.compare;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static dev.runway.features.Columns.quote;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

import dev.runway.error.JobConfigException;
import dev.runway.eval.WeightedMetrics;
import dev.runway.features.Target;
import dev.runway.run.FittedRun;
import dev.runway.run.KeyedPredictions;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * Two runs' predictions on one holdout, joined row by row: the rows every paired test and interval
 * of {@code compare} reads. One row per holdout row that both runs predicted with a label both
 * know, in these columns:
 *
 * <ul>
 *   <li>the key ({@link KeyedPredictions}), {@code label} as read, each run's named prediction;
 *   <li>{@value #PAIR_KEY}: a 64-bit key of the row for the bootstrap's weights (the key, with the
 *       occurrence number when identical rows share a hashed key);
 *   <li>classification: {@code baseline_correct}, {@code candidate_correct}, each run's
 *       probability of the true class and its log loss, and for two classes {@code positive} and
 *       each run's probability of the second class ({@code baseline_score},
 *       {@code candidate_score});
 *   <li>regression: {@code baseline_error}, {@code candidate_error} (prediction − label) and
 *       {@value #ABS_ERROR_DIFFERENCE} (|baseline error| − |candidate error|: positive where the
 *       candidate is closer).
 * </ul>
 */
final class PairedRows {
  static final String PAIR_KEY = "pair_key";
  static final String ABS_ERROR_DIFFERENCE = "abs_error_difference";

  private PairedRows() {}

  /**
   * Refuses two runs that predict different things: exit code 2 naming what differs.
   *
   * @param baseline how messages name the baseline (its URI)
   */
  static void requireComparable(FittedRun baseline, FittedRun candidate) {
    Target b = baseline.target();
    Target c = candidate.target();
    List<String> differences = new ArrayList<>();
    if (!b.column().equals(c.column())) {
      differences.add("target column " + b.column() + " vs " + c.column());
    }
    if (b.classification() != c.classification()) {
      differences.add("task " + b.task() + " vs " + c.task());
    } else if (!b.classes().equals(c.classes())) {
      differences.add("classes " + b.classes() + " vs " + c.classes());
    }
    if (!differences.isEmpty()) {
      throw new JobConfigException("Cannot compare run " + candidate.uri() + " with "
          + baseline.uri() + ": they predict different things (" + String.join("; ", differences)
          + ", candidate vs baseline)");
    }
  }

  /**
   * One run's side: its valid rows, numbered within equal keys so that identical rows (which
   * share a hashed key) pair up one to one instead of multiplying in the join.
   */
  static Dataset<Row> side(KeyedPredictions keyed, String prefix) {
    String key = keyed.keyColumn();
    Column keyCol = col(quote(key));
    return keyed
        .rows()
        .filter(col(KeyedPredictions.VALID))
        .withColumn(
            "_occurrence",
            row_number()
                .over(Window.partitionBy(keyCol)
                    .orderBy(col(KeyedPredictions.LABEL_COLUMN).cast("string"), col(PREDICTION))))
        .select(
            keyCol.as(prefix + "key"),
            col("_occurrence").as(prefix + "occurrence"),
            col(KeyedPredictions.LABEL_COLUMN).as(prefix + "label_as_read"),
            col(LABEL).as(prefix + "label"),
            col(PREDICTION).as(prefix + "prediction_index"),
            col(PROBABILITY).as(prefix + "probability"));
  }

  /** The two sides joined on key and occurrence, with the per-row columns of the tests. */
  static Dataset<Row> join(
      Dataset<Row> baseline, Dataset<Row> candidate, Target target, String keyColumn) {
    Dataset<Row> joined = baseline.join(
        candidate,
        col("b_key").equalTo(col("c_key")).and(col("b_occurrence").equalTo(col("c_occurrence"))));
    List<Column> out = new ArrayList<>();
    out.add(col("b_key").as(keyColumn));
    out.add(xxhash64(col("b_key"), col("b_occurrence")).as(PAIR_KEY));
    out.add(col("b_label_as_read").as(KeyedPredictions.LABEL_COLUMN));
    Column label = col("b_label");
    if (target.classification()) {
      Column classes = array(target.classes().stream().map(c -> lit(c)).toArray(Column[]::new));
      for (String side : List.of("baseline", "candidate")) {
        String p = side.substring(0, 1) + "_";
        Column index = col(p + "prediction_index");
        Column probabilities = vector_to_array(col(p + "probability"), "float64");
        Column trueProbability = element_at(probabilities, label.cast("int").plus(1));
        out.add(element_at(classes, index.cast("int").plus(1)).as(side + "_prediction"));
        out.add(index.equalTo(label).as(side + "_correct"));
        out.add(trueProbability.as(side + "_true_probability"));
        out.add(functions
            .negate(log(greatest(trueProbability, lit(WeightedMetrics.LOG_LOSS_EPS))))
            .as(side + "_log_loss"));
        if (target.binary()) {
          out.add(element_at(probabilities, 2).as(side + "_score"));
        }
      }
      if (target.binary()) {
        out.add(label.equalTo(1).as("positive"));
      }
    } else {
      for (String side : List.of("baseline", "candidate")) {
        String p = side.substring(0, 1) + "_";
        out.add(col(p + "prediction_index").as(side + "_prediction"));
        out.add(col(p + "prediction_index").minus(label).as(side + "_error"));
      }
    }
    Dataset<Row> pairs = joined.select(out.toArray(Column[]::new));
    return target.classification()
        ? pairs
        : pairs.withColumn(
            ABS_ERROR_DIFFERENCE, abs(col("baseline_error")).minus(abs(col("candidate_error"))));
  }
}
