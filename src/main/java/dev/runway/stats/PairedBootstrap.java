package dev.runway.stats;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.IntToDoubleFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Paired bootstrap confidence intervals of the difference candidate − baseline of a metric, both
 * models scored on the same rows, computed on Spark in one pass over the rows.
 *
 * <p>Pairing is what makes the interval narrow: in each resample a row carries the same weight for
 * both models, so the difference only varies through the rows where the models disagree, as in
 * McNemar's test. Weights are Poisson(1) counts from a pure function of (seed, row key, resample)
 * ({@link PoissonWeights}), so the rows need no global numbering, any partitioning gives the same
 * weights, and accuracy and AUC intervals are bit-identical across partitionings (losses and errors
 * are sums of doubles, equal to rounding). The interval is the percentile interval (Hyndman and
 * Fan definition 7, as {@link Bootstrap}) of the resampled differences.
 *
 * <p>AUC per resample needs the order of the scores, which one pass cannot sort: each model's
 * scores are cut into equal-mass bins (exact cut points from a distributed sort of the distinct
 * scores, the same sort that gives the exact AUC) and every resample
 * keeps weighted positives and negatives per bin. Pairs within a bin count half, so a resampled AUC
 * is off by at most Σ_b pos_b·neg_b / (2·P·N), about 1/bins or less ({@link
 * MetricDelta#binningError} reports it for the data). The reported AUCs themselves are exact
 * (rank sums on Spark, {@link RankSum}). Memory per task: R × bins × 2 classes × 2 models ints.
 *
 * <p>Input columns, one row per holdout row, no nulls: {@link #ROW_KEY} (long, unique per row)
 * and, for classification, {@link #BASELINE_CORRECT}, {@link #CANDIDATE_CORRECT} (boolean), {@link
 * #BASELINE_LOG_LOSS}, {@link #CANDIDATE_LOG_LOSS} (double, −log p(true class), already clipped),
 * and when binary {@link #POSITIVE} (boolean) with {@link #BASELINE_SCORE}, {@link
 * #CANDIDATE_SCORE} (probability of the positive class); for regression {@link #BASELINE_ERROR},
 * {@link #CANDIDATE_ERROR} (prediction − label).
 */
public final class PairedBootstrap {
  public static final String ROW_KEY = "row_key";
  public static final String BASELINE_CORRECT = "baseline_correct";
  public static final String CANDIDATE_CORRECT = "candidate_correct";
  public static final String BASELINE_LOG_LOSS = "baseline_log_loss";
  public static final String CANDIDATE_LOG_LOSS = "candidate_log_loss";
  public static final String POSITIVE = "positive";
  public static final String BASELINE_SCORE = "baseline_score";
  public static final String CANDIDATE_SCORE = "candidate_score";
  public static final String BASELINE_ERROR = "baseline_error";
  public static final String CANDIDATE_ERROR = "candidate_error";

  /** Score bins per model for the resampled AUCs unless {@link #withAucBins} says otherwise. */
  public static final int DEFAULT_AUC_BINS = 1000;

  private static final int BASELINE = 0;
  private static final int CANDIDATE = 1;

  private final int resamples;
  private final double level;
  private final long seed;
  private final int aucBins;

  /**
   * @param resamples resamples drawn, at least 1
   * @param level confidence level of the intervals, in (0, 1)
   * @param seed seed of the Poisson weights
   */
  public PairedBootstrap(int resamples, double level, long seed) {
    this(resamples, level, seed, DEFAULT_AUC_BINS);
  }

  private PairedBootstrap(int resamples, double level, long seed, int aucBins) {
    if (resamples < 1) {
      throw new IllegalArgumentException(
          "Cannot bootstrap with " + resamples + " resamples: need at least 1");
    }
    Normal.checkConfidence(level);
    if (aucBins < 2 || (long) aucBins * resamples * 4 > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Cannot bin scores into " + aucBins + " bins for "
          + resamples + " resamples: need at least 2 bins and bins × resamples × 4 < 2^31");
    }
    this.resamples = resamples;
    this.level = level;
    this.seed = seed;
    this.aucBins = aucBins;
  }

  /** The same bootstrap with {@code bins} score bins per model for AUC. */
  public PairedBootstrap withAucBins(int bins) {
    return new PairedBootstrap(resamples, level, seed, bins);
  }

  /**
   * Accuracy, log loss and, when {@code binary}, AUC of both models on {@code rows}, each with the
   * interval of its difference. Jobs: the bootstrap pass; when binary also, per model, an
   * aggregation and sort of the distinct scores (for the exact AUC and the bins' cut points).
   */
  public List<MetricDelta> classification(Dataset<Row> rows, boolean binary) {
    List<Column> columns = new ArrayList<>(List.of(
        col(ROW_KEY).cast("long"),
        col(BASELINE_CORRECT),
        col(CANDIDATE_CORRECT),
        col(BASELINE_LOG_LOSS).cast("double"),
        col(CANDIDATE_LOG_LOSS).cast("double")));
    double[] baselineCuts = new double[0];
    double[] candidateCuts = new double[0];
    double baselineAuc = Double.NaN;
    double candidateAuc = Double.NaN;
    if (binary) {
      columns.add(col(POSITIVE));
      columns.add(col(BASELINE_SCORE).cast("double"));
      columns.add(col(CANDIDATE_SCORE).cast("double"));
      // One sort of each model's distinct scores gives its exact AUC and its bins' cut points.
      SortedGroups baseline = scores(rows, BASELINE_SCORE);
      SortedGroups candidate = scores(rows, CANDIDATE_SCORE);
      baselineAuc = auc(baseline.rankSum());
      candidateAuc = auc(candidate.rankSum());
      baselineCuts = baseline.cutPoints(aucBins);
      candidateCuts = candidate.cutPoints(aucBins);
    }
    int bins = binary ? Math.max(baselineCuts.length, candidateCuts.length) + 1 : 0;
    PairedSums total = pass(
        rows.select(columns.toArray(new Column[0])).javaRDD(),
        2,
        2,
        bins,
        baselineCuts,
        candidateCuts);
    List<MetricDelta> metrics = new ArrayList<>();
    double n = total.rows;
    metrics.add(delta(
        "accuracy",
        true,
        total.plainCounts[BASELINE] / n,
        total.plainCounts[CANDIDATE] / n,
        r -> ratio(total.counts, CANDIDATE, total, r) - ratio(total.counts, BASELINE, total, r),
        0.0));
    metrics.add(delta(
        "log_loss",
        false,
        total.plainSums[BASELINE] / n,
        total.plainSums[CANDIDATE] / n,
        r -> mean(total.sums, CANDIDATE, total, r) - mean(total.sums, BASELINE, total, r),
        0.0));
    if (binary) {
      metrics.add(delta(
          "auc",
          true,
          baselineAuc,
          candidateAuc,
          r -> total.binnedAuc(CANDIDATE, r) - total.binnedAuc(BASELINE, r),
          Math.max(total.binningErrorBound(BASELINE), total.binningErrorBound(CANDIDATE))));
    }
    return metrics;
  }

  /** RMSE and MAE of both models on {@code rows}, each with the interval of its difference. */
  public List<MetricDelta> regression(Dataset<Row> rows) {
    Column baseline = col(BASELINE_ERROR).cast("double");
    Column candidate = col(CANDIDATE_ERROR).cast("double");
    // Sum statistics: 0, 1 squared errors; 2, 3 absolute errors (baseline, candidate).
    JavaRDD<Row> selected = rows.select(
            col(ROW_KEY).cast("long"),
            baseline.multiply(baseline),
            candidate.multiply(candidate),
            abs(baseline),
            abs(candidate))
        .javaRDD();
    PairedSums total = pass(selected, 0, 4, 0, new double[0], new double[0]);
    double n = total.rows;
    return List.of(
        delta(
            "rmse",
            false,
            Math.sqrt(total.plainSums[0] / n),
            Math.sqrt(total.plainSums[1] / n),
            r ->
                Math.sqrt(mean(total.sums, 1, total, r)) - Math.sqrt(mean(total.sums, 0, total, r)),
            0.0),
        delta(
            "mae",
            false,
            total.plainSums[2] / n,
            total.plainSums[3] / n,
            r -> mean(total.sums, 3, total, r) - mean(total.sums, 2, total, r),
            0.0));
  }

  /**
   * The interval of candidate accuracy − baseline accuracy on the driver, from arrays: the same
   * weights and sums as {@link #classification} (so the same interval for the same rows and seed),
   * without Spark and without allocating per row. For simulations of the promotion gate.
   */
  public static Interval accuracyDelta(
      long[] rowKeys,
      boolean[] baselineCorrect,
      boolean[] candidateCorrect,
      int resamples,
      double level,
      long seed) {
    if (rowKeys.length != baselineCorrect.length || rowKeys.length != candidateCorrect.length) {
      throw new IllegalArgumentException("Cannot bootstrap accuracy: " + rowKeys.length
          + " row keys, " + baselineCorrect.length + " and " + candidateCorrect.length
          + " correct flags; need one of each per row");
    }
    PairedBootstrap bootstrap = new PairedBootstrap(resamples, level, seed);
    PairedSums total = new PairedSums(resamples, seed, 2, 0, 0);
    boolean[] flags = new boolean[2];
    double[] none = new double[0];
    for (int i = 0; i < rowKeys.length; i++) {
      flags[BASELINE] = baselineCorrect[i];
      flags[CANDIDATE] = candidateCorrect[i];
      total.add(rowKeys[i], flags, none, false, 0, 0);
    }
    return bootstrap
        .interval(
            r -> ratio(total.counts, CANDIDATE, total, r) - ratio(total.counts, BASELINE, total, r))
        .orElseThrow(() -> new IllegalArgumentException(
            "Cannot bootstrap accuracy on " + rowKeys.length + " rows: most resamples are empty"));
  }

  /**
   * One pass: rows of (row key, {@code countStatistics} booleans, {@code sumStatistics} doubles,
   * then when binned positive and the two scores) into merged sums. Rows with a null are counted,
   * not added, and rejected on the driver.
   */
  private PairedSums pass(
      JavaRDD<Row> rows,
      int countStatistics,
      int sumStatistics,
      int bins,
      double[] baselineCuts,
      double[] candidateCuts) {
    // Locals only in the closure: executors get these numbers, not this object.
    int r = resamples;
    long s = seed;
    JavaRDD<PairedSums> partials = rows.mapPartitions(
        it -> {
          PairedSums sums = new PairedSums(r, s, countStatistics, sumStatistics, bins);
          boolean[] flags = new boolean[countStatistics];
          double[] values = new double[sumStatistics];
          int width = 1 + countStatistics + sumStatistics + (bins > 0 ? 3 : 0);
          while (it.hasNext()) {
            Row row = it.next();
            if (anyNull(row, width)) {
              sums.skipped++;
              continue;
            }
            int c = 1;
            for (int k = 0; k < countStatistics; k++) {
              flags[k] = row.getBoolean(c++);
            }
            for (int v = 0; v < sumStatistics; v++) {
              values[v] = row.getDouble(c++);
            }
            boolean positive = false;
            int baselineBin = 0;
            int candidateBin = 0;
            if (bins > 0) {
              positive = row.getBoolean(c++);
              baselineBin = bin(baselineCuts, row.getDouble(c++));
              candidateBin = bin(candidateCuts, row.getDouble(c));
            }
            sums.add(row.getLong(0), flags, values, positive, baselineBin, candidateBin);
          }
          return Collections.singletonList(sums).iterator();
        },
        false);
    PairedSums total = partials.getNumPartitions() == 0
        ? new PairedSums(r, s, countStatistics, sumStatistics, bins)
        : partials.treeReduce(PairedSums::merge, 2);
    if (total.skipped > 0) {
      throw new IllegalArgumentException("Cannot bootstrap a comparison with nulls: "
          + total.skipped + " rows have a null in a column the metrics need");
    }
    if (total.rows == 0) {
      throw new IllegalArgumentException("Cannot bootstrap a comparison of 0 rows");
    }
    return total;
  }

  private static boolean anyNull(Row row, int width) {
    for (int i = 0; i < width; i++) {
      if (row.isNullAt(i)) {
        return true;
      }
    }
    return false;
  }

  /** Bin of {@code score}: how many cut points are at or below it, so equal scores share a bin. */
  static int bin(double[] cuts, double score) {
    int found = Arrays.binarySearch(cuts, score);
    return found >= 0 ? found + 1 : -found - 1;
  }

  /**
   * The distinct values of {@code scoreColumn}, sorted, each with its negatives (ranked), positives
   * (hits) and rows: for the exact AUC and the bins' cut points.
   */
  static SortedGroups scores(Dataset<Row> rows, String scoreColumn) {
    Column positive = col(POSITIVE);
    return SortedGroups.of(rows.groupBy(col(scoreColumn).cast("double").as("score"))
        .agg(
            sum(when(positive, 0L).otherwise(1L)).as("negatives"),
            sum(when(positive, 1L).otherwise(0L)).as("positives"),
            count(lit(1)).as("rows"))
        .select(col("score"), col("negatives"), col("positives"), col("rows")));
  }

  /**
   * The exact AUC from rank sums over distinct scores (negatives ranked, positives hit): the
   * Mann-Whitney U over P·N, tied pairs counted half; NaN without both classes.
   */
  static double auc(RankSum sums) {
    long negatives = sums.ranked();
    long positives = sums.hits();
    return positives == 0 || negatives == 0
        ? Double.NaN
        : sums.twiceSum() / (2.0 * positives * negatives);
  }

  private MetricDelta delta(
      String metric,
      boolean higherIsBetter,
      double baseline,
      double candidate,
      IntToDoubleFunction resampledDelta,
      double binningError) {
    return new MetricDelta(
        metric,
        baseline,
        candidate,
        candidate - baseline,
        interval(resampledDelta),
        resamples,
        level,
        seed,
        higherIsBetter,
        binningError);
  }

  /**
   * The percentile interval of the resampled differences; empty when they are undefined (NaN, as
   * AUC without a positive or an empty resample) in more than half the resamples.
   */
  Optional<Interval> interval(IntToDoubleFunction resampledDelta) {
    double[] values = new double[resamples];
    int defined = 0;
    for (int r = 0; r < resamples; r++) {
      double value = resampledDelta.applyAsDouble(r);
      if (Double.isFinite(value)) {
        values[defined++] = value;
      }
    }
    if (defined * 2 < resamples) {
      return Optional.empty();
    }
    Arrays.sort(values, 0, defined);
    double tail = (1 - level) / 2;
    return Optional.of(new Interval(
        Bootstrap.percentile(values, defined, tail),
        Bootstrap.percentile(values, defined, 1 - tail),
        Interval.Method.PAIRED_BOOTSTRAP,
        defined));
  }

  /** Resample r's weighted share of rows where count statistic k holds. */
  private static double ratio(long[] counts, int k, PairedSums total, int r) {
    return (double) counts[k * total.resamples + r] / total.weight[r];
  }

  /** Resample r's weighted mean of sum statistic s. */
  private static double mean(double[] sums, int s, PairedSums total, int r) {
    return sums[s * total.resamples + r] / total.weight[r];
  }
}
