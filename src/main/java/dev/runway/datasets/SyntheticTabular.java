package dev.runway.datasets;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * A synthetic customer-churn table with a known, planted signal, for testing that a pipeline finds
 * what is there and ignores what is not.
 *
 * <p>Columns and how they are drawn (all independent of each other):
 *
 * <ul>
 *   <li>{@code id} BIGINT 0..rows-1.
 *   <li>{@code region} STRING: north 22%, south 18%, east 15%, west 13%, central 11%, coastal 9%,
 *       mountain 7%, islands 5%.
 *   <li>{@code plan} STRING: basic 50%, standard 30%, premium 20%.
 *   <li>{@code device} STRING: mobile 45%, desktop 30%, tablet 12%, tv 8%, console 5%.
 *   <li>{@code user_agent} STRING: uniform over {@code max(1, rows / 10)} values, so high
 *       cardinality.
 *   <li>{@code age} DOUBLE: round(40 + 12·N(0,1)) clipped to 18..90; null in 5% of rows, at random.
 *   <li>{@code tenure_months} DOUBLE: uniform over the integers 1..72 (mean 36.5, sd 20.7826).
 *   <li>{@code monthly_usage} DOUBLE: 50 + 15·N(0,1), clipped at 0, one decimal.
 *   <li>{@code support_calls} INT: Poisson with mean 1.5, capped at 10.
 *   <li>{@code noise_1}, {@code noise_2}, {@code noise_3} DOUBLE: N(0,1).
 *   <li>{@code signup_date} DATE: uniform over 2022-01-01..2024-12-31, for time-based splits.
 *   <li>{@code churned} INT 0/1: Bernoulli(sigmoid(logit)) with the logit of {@link #PLANTED}.
 *   <li>{@code lifetime_value} DOUBLE: the linear function {@link #PLANTED_LIFETIME_VALUE} plus
 *       N(0, {@value #LIFETIME_VALUE_NOISE_SD}²) noise, two decimals.
 * </ul>
 *
 * <p>Planted churn logit ({@link #PLANTED}), where {@code z(x) = (x - mean) / sd} uses the
 * generating distribution's mean and sd given above (support_calls: 1.5 and √1.5):
 *
 * <pre>
 * logit = -1.0 + 1.5·[plan = premium] + 0.5·[plan = standard] + 0.6·[region = north]
 *         - 1.2·z(tenure_months) + 0.9·z(monthly_usage) + 0.4·z(support_calls)
 * </pre>
 *
 * <p>Planted lifetime value ({@link #PLANTED_LIFETIME_VALUE}), on the raw columns; the age term
 * uses the true age, also where {@code age} is null:
 *
 * <pre>
 * lifetime_value = 100 + 6·tenure_months + 3·monthly_usage + 150·[plan = premium]
 *                  + 50·[plan = standard] + 1.5·age - 10·support_calls + N(0, 25²)
 * </pre>
 *
 * <p>Nothing else has an effect: not {@code device}, {@code user_agent}, {@code signup_date}, the
 * noise columns, nor regions other than north; {@code age} has none on churn. Measured on a
 * million rows: 43% churn overall; basic 36%, standard 44%, premium 61%; north 51%, other regions
 * 41%; lifetime value mean 559, sd 148.
 *
 * <p>The data depend only on the seed, the row count and the partition count (and on Spark's
 * {@code rand}, which could change between Spark versions).
 */
public final class SyntheticTabular {
  /**
   * Coefficients of the churn logit by term: {@code intercept}, indicators {@code column=value},
   * and standardized numeric columns {@code z(column)}.
   */
  public static final Map<String, Double> PLANTED = ordered(
      "intercept", -1.0,
      "plan=premium", 1.5,
      "plan=standard", 0.5,
      "region=north", 0.6,
      "z(tenure_months)", -1.2,
      "z(monthly_usage)", 0.9,
      "z(support_calls)", 0.4);

  /**
   * Coefficients of {@code lifetime_value} by term: {@code intercept}, indicators {@code
   * column=value}, and raw numeric columns.
   */
  public static final Map<String, Double> PLANTED_LIFETIME_VALUE = ordered(
      "intercept", 100.0,
      "tenure_months", 6.0,
      "monthly_usage", 3.0,
      "plan=premium", 150.0,
      "plan=standard", 50.0,
      "age", 1.5,
      "support_calls", -10.0);

  /** Standard deviation of the gaussian noise added to {@code lifetime_value}. */
  public static final double LIFETIME_VALUE_NOISE_SD = 25.0;

  private static final Map<String, Double> REGIONS = ordered(
      "north",
      0.22,
      "south",
      0.18,
      "east",
      0.15,
      "west",
      0.13,
      "central",
      0.11,
      "coastal",
      0.09,
      "mountain",
      0.07,
      "islands",
      0.05);
  private static final Map<String, Double> PLANS =
      ordered("basic", 0.5, "standard", 0.3, "premium", 0.2);
  private static final Map<String, Double> DEVICES =
      ordered("mobile", 0.45, "desktop", 0.30, "tablet", 0.12, "tv", 0.08, "console", 0.05);
  private static final double AGE_NULL_SHARE = 0.05;
  private static final int MAX_TENURE_MONTHS = 72;
  private static final double TENURE_MEAN = (MAX_TENURE_MONTHS + 1) / 2.0;
  private static final double TENURE_SD =
      Math.sqrt((MAX_TENURE_MONTHS * (double) MAX_TENURE_MONTHS - 1) / 12);
  private static final double USAGE_MEAN = 50;
  private static final double USAGE_SD = 15;
  private static final double CALLS_MEAN = 1.5;
  private static final int MAX_CALLS = 10;
  private static final String FIRST_SIGNUP = "2022-01-01";
  private static final int SIGNUP_DAYS = 365 + 365 + 366;

  private SyntheticTabular() {}

  /**
   * Generates the table and writes it as Parquet to {@code output}, replacing what is there.
   *
   * @param rows number of rows, positive
   * @param seed seed of every random column
   * @param partitions number of partitions, hence files, positive; the data depend on it
   * @param output Hadoop path or URI of the Parquet directory
   * @return number of rows written
   * @throws IllegalArgumentException if {@code rows} or {@code partitions} is not positive
   */
  public static long generate(
      SparkSession spark, long rows, long seed, int partitions, String output) {
    return generate(spark, rows, seed, partitions, 0, output);
  }

  /**
   * {@link #generate(SparkSession, long, long, int, String)} with {@code extraColumns} more
   * columns, {@code extra_1} to {@code extra_<n>}, DOUBLE: N(0,1) rounded to 3 decimals, noise
   * that nothing depends on (for a wide table: the drift benchmark profiles 50 columns). The other
   * columns are the same as without them.
   */
  public static long generate(
      SparkSession spark, long rows, long seed, int partitions, int extraColumns, String output) {
    if (extraColumns < 0) {
      throw new IllegalArgumentException("Cannot generate synthetic data with extra columns="
          + extraColumns + ": the value must not be negative");
    }
    if (rows <= 0) {
      throw new IllegalArgumentException(
          "Cannot generate synthetic data with rows=" + rows + ": the value must be positive");
    }
    if (partitions <= 0) {
      throw new IllegalArgumentException("Cannot generate synthetic data with partitions="
          + partitions
          + ": the value must be positive");
    }
    Dataset<Row> table = table(spark, rows, seed, partitions, extraColumns);
    return SparkJobs.described(
        spark, "generate synthetic tabular data (" + rows + " rows): write " + output, () -> {
          table.write().mode(SaveMode.Overwrite).parquet(output);
          return rows;
        });
  }

  private static Dataset<Row> table(
      SparkSession spark, long rows, long seed, int partitions, int extraColumns) {
    // Each random draw is made once, in a projection of its own: an expression like rand(seed)
    // used twice in a CASE would be evaluated twice, from two generators. Spark never merges a
    // projection of nondeterministic expressions into the next one, so these stay single draws.
    //
    // rand(s) seeds partition p with s + p, so close seeds (one per column, or a user's seeds 1, 2,
    // 3) would repeat each other's streams a partition apart: SplittableRandom spreads them out.
    SplittableRandom seeds = new SplittableRandom(seed);
    List<Column> drawn = new ArrayList<>(List.of(
        col("id"),
        rand(seeds.nextLong()).as("region_draw"),
        rand(seeds.nextLong()).as("plan_draw"),
        rand(seeds.nextLong()).as("device_draw"),
        rand(seeds.nextLong()).as("user_agent_draw"),
        randn(seeds.nextLong()).as("age_draw"),
        rand(seeds.nextLong()).as("age_missing_draw"),
        rand(seeds.nextLong()).as("tenure_draw"),
        randn(seeds.nextLong()).as("usage_draw"),
        rand(seeds.nextLong()).as("calls_draw"),
        randn(seeds.nextLong()).as("noise_1"),
        randn(seeds.nextLong()).as("noise_2"),
        randn(seeds.nextLong()).as("noise_3"),
        rand(seeds.nextLong()).as("signup_draw"),
        rand(seeds.nextLong()).as("churn_draw"),
        randn(seeds.nextLong()).as("value_noise")));
    // Drawn after every other column's seed: the other columns stay as they are without them.
    List<Column> extra = new ArrayList<>();
    for (int k = 1; k <= extraColumns; k++) {
      drawn.add(round(randn(seeds.nextLong()), 3).as("extra_" + k));
      extra.add(col("extra_" + k));
    }
    Dataset<Row> draws = spark.range(0, rows, 1, partitions).select(drawn.toArray(Column[]::new));

    List<Column> features = new ArrayList<>(List.of(
        col("id"),
        pick(col("region_draw"), REGIONS).as("region"),
        pick(col("plan_draw"), PLANS).as("plan"),
        pick(col("device_draw"), DEVICES).as("device"),
        format_string(
                "Mozilla/5.0 (compatible; client/%d)",
                floor(col("user_agent_draw").multiply(Math.max(1, rows / 10))))
            .as("user_agent"),
        least(greatest(round(col("age_draw").multiply(12).plus(40)), lit(18.0)), lit(90.0))
            .as("true_age"),
        col("age_missing_draw").lt(AGE_NULL_SHARE).as("age_missing"),
        floor(col("tenure_draw").multiply(MAX_TENURE_MONTHS))
            .plus(1)
            .cast(DataTypes.DoubleType)
            .as("tenure_months"),
        round(greatest(col("usage_draw").multiply(USAGE_SD).plus(USAGE_MEAN), lit(0.0)), 1)
            .as("monthly_usage"),
        pick(col("calls_draw"), poissonCalls()).as("support_calls"),
        col("noise_1"),
        col("noise_2"),
        col("noise_3"),
        date_add(
                lit(FIRST_SIGNUP).cast(DataTypes.DateType),
                floor(col("signup_draw").multiply(SIGNUP_DAYS)).cast(DataTypes.IntegerType))
            .as("signup_date"),
        col("churn_draw"),
        col("value_noise")));
    features.addAll(extra);

    Column churnProbability = lit(1.0).divide(lit(1.0).plus(exp(churnLogit().multiply(-1))));
    List<Column> table = new ArrayList<>(List.of(
        col("id"),
        col("region"),
        col("plan"),
        col("device"),
        col("user_agent"),
        when(col("age_missing"), lit(null).cast(DataTypes.DoubleType))
            .otherwise(col("true_age"))
            .as("age"),
        col("tenure_months"),
        col("monthly_usage"),
        col("support_calls"),
        col("noise_1"),
        col("noise_2"),
        col("noise_3"),
        col("signup_date"),
        when(col("churn_draw").lt(churnProbability), 1).otherwise(0).as("churned"),
        round(lifetimeValue().plus(col("value_noise").multiply(LIFETIME_VALUE_NOISE_SD)), 2)
            .as("lifetime_value")));
    table.addAll(extra);
    return draws.select(features.toArray(Column[]::new)).select(table.toArray(Column[]::new));
  }

  private static Column churnLogit() {
    return linear(
        PLANTED,
        Map.of(
            "intercept", lit(1.0),
            "plan=premium", indicator("plan", "premium"),
            "plan=standard", indicator("plan", "standard"),
            "region=north", indicator("region", "north"),
            "z(tenure_months)", col("tenure_months").minus(TENURE_MEAN).divide(TENURE_SD),
            "z(monthly_usage)", col("monthly_usage").minus(USAGE_MEAN).divide(USAGE_SD),
            "z(support_calls)",
                col("support_calls").minus(CALLS_MEAN).divide(Math.sqrt(CALLS_MEAN))));
  }

  private static Column lifetimeValue() {
    return linear(
        PLANTED_LIFETIME_VALUE,
        Map.of(
            "intercept", lit(1.0),
            "tenure_months", col("tenure_months"),
            "monthly_usage", col("monthly_usage"),
            "plan=premium", indicator("plan", "premium"),
            "plan=standard", indicator("plan", "standard"),
            "age", col("true_age"),
            "support_calls", col("support_calls")));
  }

  private static Column linear(Map<String, Double> coefficients, Map<String, Column> terms) {
    if (!terms.keySet().equals(coefficients.keySet())) {
      throw new IllegalStateException(
          "Terms " + terms.keySet() + " do not match coefficients " + coefficients.keySet());
    }
    Column sum = lit(0.0);
    for (Map.Entry<String, Double> coefficient : coefficients.entrySet()) {
      sum = sum.plus(lit(coefficient.getValue()).multiply(terms.get(coefficient.getKey())));
    }
    return sum;
  }

  private static Column indicator(String column, String value) {
    return when(col(column).equalTo(value), 1.0).otherwise(0.0);
  }

  /** Poisson(CALLS_MEAN) probabilities of 0..MAX_CALLS calls; {@link #pick} gives the cap the tail. */
  private static Map<Object, Double> poissonCalls() {
    Map<Object, Double> probabilities = new LinkedHashMap<>();
    double probability = Math.exp(-CALLS_MEAN);
    for (int k = 0; k <= MAX_CALLS; k++) {
      probabilities.put(k, probability);
      probability *= CALLS_MEAN / (k + 1);
    }
    return probabilities;
  }

  /**
   * Maps a uniform draw in [0, 1) to a value with the given probabilities, in order; the last
   * value takes whatever probability the others leave.
   */
  private static Column pick(Column draw, Map<?, Double> probabilities) {
    List<Object> values = new ArrayList<>(probabilities.keySet());
    Object last = values.get(values.size() - 1);
    Column choice = null;
    double cumulative = 0;
    for (Object value : values.subList(0, values.size() - 1)) {
      cumulative += probabilities.get(value);
      Column drawn = draw.lt(cumulative);
      choice = choice == null ? when(drawn, value) : choice.when(drawn, value);
    }
    return choice == null ? lit(last) : choice.otherwise(last);
  }

  /** An unmodifiable map that keeps the order of its {@code name, value} arguments. */
  private static Map<String, Double> ordered(Object... namesAndValues) {
    Map<String, Double> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], (Double) namesAndValues[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
