package dev.runway.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The metrics of {@link Metrics}, over predictions held in arrays, with every row counted a whole
 * number of times: all ones give the plain metric, a bootstrap resample's multiplicities give the
 * metric of that resample without copying a row. Each is defined as Spark ML's evaluators define
 * it (MetricsTest checks them against Spark). Labels and predictions are class indices stored as
 * doubles, as in Spark's columns.
 */
public final class WeightedMetrics {
  /** Spark's default clipping of probabilities in log loss (MulticlassClassificationEvaluator eps). */
  public static final double LOG_LOSS_EPS = 1e-15;

  private WeightedMetrics() {}

  /** n ones: every row counted once. */
  public static int[] ones(int n) {
    int[] counts = new int[n];
    Arrays.fill(counts, 1);
    return counts;
  }

  /** Counted share of rows whose prediction is their label. */
  public static double accuracy(double[] label, double[] prediction, int[] counts) {
    long correct = 0;
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      total += counts[i];
      if (label[i] == prediction[i]) {
        correct += counts[i];
      }
    }
    return total == 0 ? Double.NaN : (double) correct / total;
  }

  /**
   * F1 of each class weighted by its counted true rows (Spark's weightedFMeasure): per class
   * 2·tp / (true + predicted), 0 when it has no true positive.
   */
  public static double weightedF1(double[] label, double[] prediction, int classes, int[] counts) {
    // The counted confusion matrix, one add per row (no branch: this runs once per replicate).
    long[] cells = new long[classes * classes];
    for (int i = 0; i < counts.length; i++) {
      cells[(int) label[i] * classes + (int) prediction[i]] += counts[i];
    }
    long total = 0;
    double sum = 0;
    for (int k = 0; k < classes; k++) {
      long tp = cells[k * classes + k];
      long actual = 0;
      long predicted = 0;
      for (int j = 0; j < classes; j++) {
        actual += cells[k * classes + j];
        predicted += cells[j * classes + k];
      }
      total += actual;
      if (tp > 0) {
        sum += 2.0 * tp / (actual + predicted) * actual;
      }
    }
    return total == 0 ? Double.NaN : sum / total;
  }

  /**
   * Each row's log loss, -log p, from its predicted probability of the true class, clipped to
   * [eps, 1 - eps] as Spark does. Computed once, then averaged under any counts by {@link #mean}.
   */
  public static double[] logLosses(double[] trueClassProbability) {
    double[] losses = new double[trueClassProbability.length];
    for (int i = 0; i < losses.length; i++) {
      double p = Math.max(LOG_LOSS_EPS, Math.min(1 - LOG_LOSS_EPS, trueClassProbability[i]));
      losses[i] = -Math.log(p);
    }
    return losses;
  }

  /** Counted mean of {@code values}: log loss from {@link #logLosses}. */
  public static double mean(double[] values, int[] counts) {
    double sum = 0;
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      sum += counts[i] * values[i];
      total += counts[i];
    }
    return total == 0 ? Double.NaN : sum / total;
  }

  /** Row indices in increasing order of {@code score}: sort once, then pass to {@link #auc}. */
  public static int[] ascendingOrder(double[] score) {
    return IntStream.range(0, score.length)
        .boxed()
        .sorted(Comparator.comparingDouble(i -> score[i]))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /**
   * Area under the ROC curve of a binary label (1 positive) and a score, as Spark's areaUnderROC
   * computes it without binning: the curve has one point per distinct score, joined by straight
   * lines, so a positive and a negative with equal scores count half. That is the share of
   * (positive, negative) pairs ordered correctly by score, ties halved. NaN without both classes.
   * Labels must be 0 or 1.
   *
   * @param ascending row indices by increasing score, from {@link #ascendingOrder}
   */
  public static double auc(double[] label, double[] score, int[] ascending, int[] counts) {
    // Counts summed as doubles (exact below 2^53) and labels multiplied in, not branched on: this
    // runs once per bootstrap replicate, and a branch on a random label costs three times as much.
    double area = 0; // correctly ordered (positive, negative) pairs, ties counted half
    double negativesBelow = 0;
    double positives = 0;
    int i = 0;
    while (i < ascending.length) {
      double s = score[ascending[i]];
      double groupPositives = 0;
      double groupRows = 0;
      for (; i < ascending.length && score[ascending[i]] == s; i++) {
        int row = ascending[i];
        groupRows += counts[row];
        groupPositives += counts[row] * label[row];
      }
      double groupNegatives = groupRows - groupPositives;
      area += groupPositives * (negativesBelow + groupNegatives / 2);
      negativesBelow += groupNegatives;
      positives += groupPositives;
    }
    return positives == 0 || negativesBelow == 0 ? Double.NaN : area / (positives * negativesBelow);
  }

  /**
   * RMSE, MAE and R² = 1 - SSE/SST of a regression, as {@link Metrics} (and Spark's
   * RegressionEvaluator) define them; R² is NaN when the counted labels do not vary.
   */
  public static double[] regression(double[] label, double[] prediction, int[] counts) {
    long total = 0;
    double labelSum = 0;
    for (int i = 0; i < counts.length; i++) {
      total += counts[i];
      labelSum += counts[i] * label[i];
    }
    if (total == 0) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
    // Two passes: deviations from the mean, not sums of squares, keep SST exact for large labels.
    double mean = labelSum / total;
    double squaredErrors = 0;
    double absoluteErrors = 0;
    double squaredDeviations = 0;
    for (int i = 0; i < counts.length; i++) {
      int c = counts[i];
      double error = prediction[i] - label[i];
      double deviation = label[i] - mean;
      squaredErrors += c * error * error;
      absoluteErrors += c * Math.abs(error);
      squaredDeviations += c * deviation * deviation;
    }
    double r2 = squaredDeviations == 0 ? Double.NaN : 1 - squaredErrors / squaredDeviations;
    return new double[] {Math.sqrt(squaredErrors / total), absoluteErrors / total, r2};
  }
}
