package dev.runway.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runway.stats.Bootstrap;
import dev.runway.stats.Coverage;
import dev.runway.stats.Interval;
import dev.runway.stats.Normal;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The array metrics without Spark: counts behave as repeated rows, AUC by hand with ties, and the
 * bootstrap interval of AUC covering a known true AUC by seeded simulation. (Their agreement with
 * Spark's evaluators is in MetricsTest.)
 */
class WeightedMetricsTest {
  @Test
  void aucCountsTiedPairsHalf() {
    // Scores with a tie between a positive and a negative at 0.5.
    double[] label = {0, 1, 0, 1, 1};
    double[] score = {0.1, 0.5, 0.5, 0.9, 0.3};
    // Pairs (positive, negative): (0.5 vs 0.1) 1, (0.5 vs 0.5) ½, (0.9 vs 0.1) 1, (0.9 vs 0.5) 1,
    // (0.3 vs 0.1) 1, (0.3 vs 0.5) 0: 4.5 of 6.
    int[] order = WeightedMetrics.ascendingOrder(score);
    assertEquals(4.5 / 6, WeightedMetrics.auc(label, score, order, WeightedMetrics.ones(5)), 1e-15);
    assertEquals(Double.NaN, WeightedMetrics.auc(label, score, order, new int[] {1, 0, 1, 0, 0}));
  }

  /** Counting a row c times is the same as repeating it c times: what makes the bootstrap right. */
  @Test
  void countsActAsRepeatedRows() {
    SplittableRandom random = new SplittableRandom(11);
    int n = 300;
    int classes = 3;
    double[] label = new double[n];
    double[] prediction = new double[n];
    double[] probability = new double[n];
    double[] score = new double[n];
    double[] value = new double[n];
    double[] estimate = new double[n];
    int[] counts = new int[n];
    for (int i = 0; i < n; i++) {
      label[i] = random.nextInt(classes);
      prediction[i] = random.nextDouble() < 0.6 ? label[i] : random.nextInt(classes);
      probability[i] = random.nextDouble();
      score[i] = Math.round(random.nextDouble() * 20) / 20.0; // ties
      value[i] = random.nextDouble() * 10;
      estimate[i] = value[i] + random.nextDouble() - 0.5;
      counts[i] = random.nextInt(4);
    }
    int total = Arrays.stream(counts).sum();
    double[][] repeated = new double[6][total];
    int at = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < counts[i]; c++, at++) {
        repeated[0][at] = label[i];
        repeated[1][at] = prediction[i];
        repeated[2][at] = probability[i];
        repeated[3][at] = score[i];
        repeated[4][at] = value[i];
        repeated[5][at] = estimate[i];
      }
    }
    int[] ones = WeightedMetrics.ones(total);
    assertEquals(
        WeightedMetrics.accuracy(repeated[0], repeated[1], ones),
        WeightedMetrics.accuracy(label, prediction, counts),
        1e-12);
    assertEquals(
        WeightedMetrics.weightedF1(repeated[0], repeated[1], classes, ones),
        WeightedMetrics.weightedF1(label, prediction, classes, counts),
        1e-12);
    assertEquals(
        WeightedMetrics.mean(WeightedMetrics.logLosses(repeated[2]), ones),
        WeightedMetrics.mean(WeightedMetrics.logLosses(probability), counts),
        1e-12);
    double[] binary = Arrays.stream(label).map(l -> l == 1 ? 1 : 0).toArray();
    double[] repeatedBinary =
        Arrays.stream(repeated[0]).map(l -> l == 1 ? 1 : 0).toArray();
    assertEquals(
        WeightedMetrics.auc(
            repeatedBinary, repeated[3], WeightedMetrics.ascendingOrder(repeated[3]), ones),
        WeightedMetrics.auc(binary, score, WeightedMetrics.ascendingOrder(score), counts),
        1e-12);
    assertArrayEquals(
        WeightedMetrics.regression(repeated[4], repeated[5], ones),
        WeightedMetrics.regression(value, estimate, counts),
        1e-9);
  }

  @Test
  void logLossClipsLikeSpark() {
    double[] losses = WeightedMetrics.logLosses(new double[] {0.0, 1.0, 0.5});
    assertEquals(-Math.log(1e-15), losses[0], 1e-12);
    assertEquals(-Math.log(1 - 1e-15), losses[1], 1e-18);
    assertEquals(Math.log(2), losses[2], 1e-15);
  }

  @Test
  void rSquaredOfAConstantLabelIsUndefined() {
    double[] m = WeightedMetrics.regression(
        new double[] {2, 2, 2}, new double[] {1, 2, 3}, WeightedMetrics.ones(3));
    assertEquals(Math.sqrt(2.0 / 3), m[0], 1e-15);
    assertEquals(2.0 / 3, m[1], 1e-15);
    assertEquals(Double.NaN, m[2]);
  }

  /**
   * Coverage of AUC with a known true value: binormal scores, negatives N(0, 1) and positives
   * N(1, 1), so AUC = Φ(1/√2) = 0.7602. 1,000 seeded samples of 200 rows (each row positive with
   * probability 0.5), 1,000 replicates each: the 95% interval must cover 92.5–97% of the time (the
   * rate's standard error is 0.007); the same intervals made half as wide cover about 70% and must
   * fail that.
   */
  @Test
  void theBootstrapIntervalOfAucCoversTheTrueAuc() {
    SplittableRandom random = new SplittableRandom(12);
    double truth = Normal.cdf(1 / Math.sqrt(2));
    int n = 200;
    int samples = 1_000;
    Coverage coverage = new Coverage();
    for (int s = 0; s < samples; s++) {
      double[] label = new double[n];
      double[] score = new double[n];
      for (int i = 0; i < n; i++) {
        label[i] = random.nextDouble() < 0.5 ? 1 : 0;
        score[i] = label[i] + Normal.quantile(random.nextDouble(1e-12, 1.0));
      }
      int[] order = WeightedMetrics.ascendingOrder(score);
      Interval interval = new Bootstrap(1_000, 0.95, random.nextLong())
          .intervals(n, counts -> new double[] {WeightedMetrics.auc(label, score, order, counts)})
          .get(0)
          .orElseThrow();
      coverage.add(interval, truth);
    }
    coverage.assertNominal95("AUC (binormal, n=200)");
  }
}
