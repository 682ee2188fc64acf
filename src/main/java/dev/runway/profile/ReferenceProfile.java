package dev.runway.profile;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.MonitorSettings;
import dev.runway.features.Columns;
import dev.runway.features.FeatureChecks;
import dev.runway.features.Target;
import dev.runway.profile.ColumnProfile.Kind;
import dev.runway.profile.Profiler.Spec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What the data a run was trained on looked like, saved with the run as {@code
 * profile/profile.json}: the reference {@code drift} compares a later batch with, bin by bin.
 * Features and label are profiled on the training split (what the model learned from); the
 * predictions on the validation split (what the model says on rows it did not learn from, which is
 * what it will say on new rows).
 *
 * @param format {@value #FORMAT}
 * @param rows training rows profiled
 * @param columns the feature columns of the training table: numeric ones by quantile bins,
 *     categorical ones by their most frequent values (vector and hashed text columns are not
 *     profiled: see {@code skipped})
 * @param skipped feature columns not profiled, as "column: why"
 * @param label the label on the training split
 * @param predictionRows validation rows the predictions were profiled on
 * @param prediction the predictions on the validation split: the predicted class for a classifier
 *     (every class a value, in the target's order), the predicted value for a regression
 */
@JsonPropertyOrder({"format", "rows", "columns", "skipped", "label", "prediction_rows", "prediction"
})
public record ReferenceProfile(
    String format,
    long rows,
    List<ColumnProfile> columns,
    List<String> skipped,
    ColumnProfile label,
    @JsonProperty("prediction_rows") long predictionRows,
    ColumnProfile prediction) {

  public static final String FORMAT = "runway-profile/1";

  /** The name the predictions go by in a profile and in drift's output. */
  public static final String PREDICTION = "prediction";

  public ReferenceProfile {
    columns = List.copyOf(columns);
    skipped = List.copyOf(skipped);
  }

  /**
   * The bins of a run's profile, decided in one pass over {@code train}, the training split of the
   * training table (after the SQL statements, label included): every feature column the profile
   * covers, then the label. The same pass counts what the job's value checks need, so the job
   * makes it in place of theirs.
   */
  public static Profiler.Planned plan(
      Dataset<Row> train, FeatureSettings features, Target target, MonitorSettings settings) {
    List<Spec> specs = new ArrayList<>();
    features.numeric().forEach(c -> specs.add(Spec.of(train, c, Kind.NUMERIC, 0)));
    features
        .categorical()
        .forEach(c -> specs.add(Spec.of(train, c, Kind.CATEGORICAL, settings.topValues())));
    specs.add(labelSpec(train, target, settings));
    // One more than the check allows: enough to tell a column over the limit.
    int tallied = (int) Math.min(Profiler.MAX_TALLIED, features.maxCategories() + 1L);
    return Profiler.plan(train, specs, settings, tallied);
  }

  /** What {@link #plan}'s pass saw of the feature columns, for the job's value checks. */
  public static FeatureChecks.Seen seen(Profiler.Planned planned, FeatureSettings features) {
    Map<String, Long> distinct = new LinkedHashMap<>();
    Map<String, Long> infinite = new LinkedHashMap<>();
    features.categorical().forEach(c -> distinct.put(c, planned.distinct(c)));
    features.numeric().forEach(c -> infinite.put(c, planned.infinite(c)));
    return new FeatureChecks.Seen(distinct, planned.tallyLimit(), infinite);
  }

  /**
   * The profile of a run: {@code planned} ({@link #plan}) counted over {@code train}, the rows it
   * was planned on, and {@code validationPredictions}, the model's predictions on the validation
   * split ({@link Columns#PREDICTION}), profiled.
   */
  public static ReferenceProfile of(
      Dataset<Row> train,
      Profiler.Planned planned,
      FeatureSettings features,
      Target target,
      Dataset<Row> validationPredictions,
      MonitorSettings settings) {
    List<ColumnProfile> profiled = Profiler.count(train, planned);
    List<ColumnProfile> columns = profiled.subList(0, profiled.size() - 1);
    ColumnProfile label = profiled.get(profiled.size() - 1);

    Spec predicted = predictionSpec(target, settings);
    // A classifier's predictions take the classes' names, known already: one pass counts them.
    ColumnProfile prediction = target.classification()
        ? Profiler.count(
                validationPredictions,
                List.of(predicted.value()),
                List.of(ColumnProfile.empty(
                    PREDICTION, Kind.CATEGORICAL, predicted.type(), List.of(), target.classes())))
            .get(0)
        : Profiler.profile(validationPredictions, List.of(predicted), settings).get(0);
    List<String> skipped = new ArrayList<>();
    features.vectors().forEach(c -> skipped.add(c + ": a vector column"));
    features.hashedColumns().forEach(c -> skipped.add(c + ": a hashed text column"));
    return new ReferenceProfile(
        FORMAT, label.rows(), columns, skipped, label, prediction.rows(), prediction);
  }

  /** The label column, binned as its task says: a class per value, or quantile bins. */
  public static Spec labelSpec(Dataset<Row> rows, Target target, MonitorSettings settings) {
    return Spec.of(
        rows,
        target.column(),
        target.classification() ? Kind.CATEGORICAL : Kind.NUMERIC,
        Math.max(settings.topValues(), target.classes().size()));
  }

  /** The predictions, as profiled: the predicted class's name, or the predicted value. */
  public static Spec predictionSpec(Target target, MonitorSettings settings) {
    if (!target.classification()) {
      return new Spec(PREDICTION, col(Columns.PREDICTION), Kind.NUMERIC, "DOUBLE", 0);
    }
    return new Spec(
        PREDICTION,
        predictedClass(target),
        Kind.CATEGORICAL,
        "STRING",
        Math.max(settings.topValues(), target.classes().size()));
  }

  private static Column predictedClass(Target target) {
    Column[] names = target.classes().stream().map(c -> lit(c)).toArray(Column[]::new);
    return element_at(array(names), col(Columns.PREDICTION).cast("int").plus(1));
  }

  /** The profiled column named {@code name}, if any. */
  public Optional<ColumnProfile> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}
