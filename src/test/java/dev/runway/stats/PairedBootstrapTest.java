package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The paired bootstrap on Spark against a plain reference loop over the same rows, its
 * independence from partitioning, its Poisson weights, the binned AUC's error bound, and the
 * coverage of its accuracy interval by seeded simulation.
 */
class PairedBootstrapTest {
  private static final long SEED = 20240611L;
  private final SparkSession spark = TestSpark.session();

  /** A binary holdout scored by two models: scores rounded to 0.01 so that ties occur. */
  private record Holdout(
      long[] key,
      boolean[] positive,
      double[] baselineScore,
      double[] candidateScore,
      boolean[] baselineCorrect,
      boolean[] candidateCorrect,
      double[] baselineLoss,
      double[] candidateLoss) {
    int size() {
      return key.length;
    }
  }

  private static Holdout holdout(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Holdout h = new Holdout(
        new long[n],
        new boolean[n],
        new double[n],
        new double[n],
        new boolean[n],
        new boolean[n],
        new double[n],
        new double[n]);
    for (int i = 0; i < n; i++) {
      h.key[i] = 1_000_003L * i + 17; // sparse keys, as hashed row ids would be
      h.positive[i] = random.nextDouble() < 0.4;
      double signal = h.positive[i] ? 1 : -1;
      h.baselineScore[i] = score(0.8 * signal + random.nextGaussian());
      h.candidateScore[i] = score(1.1 * signal + random.nextGaussian());
      h.baselineCorrect[i] = (h.baselineScore[i] > 0.5) == h.positive[i];
      h.candidateCorrect[i] = (h.candidateScore[i] > 0.5) == h.positive[i];
      h.baselineLoss[i] = loss(h.baselineScore[i], h.positive[i]);
      h.candidateLoss[i] = loss(h.candidateScore[i], h.positive[i]);
    }
    return h;
  }

  private static double score(double logit) {
    return Math.rint(100 / (1 + Math.exp(-logit))) / 100;
  }

  private static double loss(double score, boolean positive) {
    double p = Math.min(1 - 1e-15, Math.max(1e-15, positive ? score : 1 - score));
    return -Math.log(p);
  }

  private Dataset<Row> frame(Holdout h, int partitions) {
    StructType schema = new StructType()
        .add(PairedBootstrap.ROW_KEY, DataTypes.LongType)
        .add(PairedBootstrap.POSITIVE, DataTypes.BooleanType)
        .add(PairedBootstrap.BASELINE_SCORE, DataTypes.DoubleType)
        .add(PairedBootstrap.CANDIDATE_SCORE, DataTypes.DoubleType)
        .add(PairedBootstrap.BASELINE_CORRECT, DataTypes.BooleanType)
        .add(PairedBootstrap.CANDIDATE_CORRECT, DataTypes.BooleanType)
        .add(PairedBootstrap.BASELINE_LOG_LOSS, DataTypes.DoubleType)
        .add(PairedBootstrap.CANDIDATE_LOG_LOSS, DataTypes.DoubleType)
        // Regression columns on the same rows: the errors of two predictions of a score.
        .add(PairedBootstrap.BASELINE_ERROR, DataTypes.DoubleType)
        .add(PairedBootstrap.CANDIDATE_ERROR, DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < h.size(); i++) {
      double label = h.positive[i] ? 1 : 0;
      rows.add(RowFactory.create(
          h.key[i],
          h.positive[i],
          h.baselineScore[i],
          h.candidateScore[i],
          h.baselineCorrect[i],
          h.candidateCorrect[i],
          h.baselineLoss[i],
          h.candidateLoss[i],
          h.baselineScore[i] - label,
          h.candidateScore[i] - label));
    }
    return spark.createDataFrame(rows, schema).repartition(partitions);
  }

  /** The R_7 percentile interval of {@code values}, by commons-math3. */
  private static double[] percentiles(double[] values, double level) {
    Percentile percentile = new Percentile().withEstimationType(EstimationType.R_7);
    double tail = (1 - level) / 2 * 100;
    return new double[] {percentile.evaluate(values, tail), percentile.evaluate(values, 100 - tail)
    };
  }

  private static void assertInterval(double[] expected, MetricDelta actual, double tolerance) {
    Interval interval = actual.interval().orElseThrow();
    assertEquals(expected[0], interval.lower(), tolerance, actual.metric() + " lower");
    assertEquals(expected[1], interval.upper(), tolerance, actual.metric() + " upper");
    assertEquals(Interval.Method.PAIRED_BOOTSTRAP, interval.method());
  }

  /** AUC of weighted rows by comparing every (positive, negative) pair's ranks; ties half. */
  private static double pairwiseAuc(boolean[] positive, double[] rank, int[] weight) {
    double wins = 0;
    double positives = 0;
    double negatives = 0;
    for (int i = 0; i < rank.length; i++) {
      if (positive[i]) {
        positives += weight[i];
      } else {
        negatives += weight[i];
      }
    }
    for (int i = 0; i < rank.length; i++) {
      if (!positive[i] || weight[i] == 0) {
        continue;
      }
      for (int j = 0; j < rank.length; j++) {
        if (positive[j] || weight[j] == 0) {
          continue;
        }
        double order = rank[i] > rank[j] ? 1 : rank[i] == rank[j] ? 0.5 : 0;
        wins += order * weight[i] * weight[j];
      }
    }
    return wins / (positives * negatives);
  }

  /** Cut points straight from the definition: the score of row floor(i·N/bins) in score order. */
  private static double[] cuts(double[] scores, int bins) {
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    double[] cuts = new double[bins - 1];
    for (int i = 1; i < bins; i++) {
      cuts[i - 1] = sorted[(int) ((long) i * sorted.length / bins)];
    }
    return Arrays.stream(cuts).distinct().toArray();
  }

  private static double[] bins(double[] scores, double[] cuts) {
    double[] bins = new double[scores.length];
    for (int i = 0; i < scores.length; i++) {
      int b = 0;
      while (b < cuts.length && cuts[b] <= scores[i]) {
        b++;
      }
      bins[i] = b;
    }
    return bins;
  }

  @Test
  void sparkEqualsAReferenceLoopOverTheSameRows() {
    Holdout h = holdout(300, 1);
    int resamples = 120;
    int bins = 16;
    double level = 0.9;
    PairedBootstrap bootstrap = new PairedBootstrap(resamples, level, SEED).withAucBins(bins);
    Dataset<Row> frame = frame(h, 3);
    List<MetricDelta> metrics = bootstrap.classification(frame, true);

    double[] baselineCuts = cuts(h.baselineScore, bins);
    double[] candidateCuts = cuts(h.candidateScore, bins);
    assertArrayEquals(
        baselineCuts,
        PairedBootstrap.scores(frame, PairedBootstrap.BASELINE_SCORE).cutPoints(bins));
    double[] baselineBins = bins(h.baselineScore, baselineCuts);
    double[] candidateBins = bins(h.candidateScore, candidateCuts);
    double[] accuracy = new double[resamples];
    double[] logLoss = new double[resamples];
    double[] auc = new double[resamples];
    int[] w = new int[h.size()];
    for (int r = 0; r < resamples; r++) {
      long total = 0;
      long baselineRight = 0;
      long candidateRight = 0;
      double baselineLoss = 0;
      double candidateLoss = 0;
      for (int i = 0; i < h.size(); i++) {
        w[i] = PoissonWeights.weight(SEED, h.key[i], r);
        total += w[i];
        baselineRight += h.baselineCorrect[i] ? w[i] : 0;
        candidateRight += h.candidateCorrect[i] ? w[i] : 0;
        baselineLoss += w[i] * h.baselineLoss[i];
        candidateLoss += w[i] * h.candidateLoss[i];
      }
      accuracy[r] = (double) candidateRight / total - (double) baselineRight / total;
      logLoss[r] = candidateLoss / total - baselineLoss / total;
      auc[r] = pairwiseAuc(h.positive, candidateBins, w) - pairwiseAuc(h.positive, baselineBins, w);
    }
    int[] ones = new int[h.size()];
    Arrays.fill(ones, 1);
    double baselineAuc = pairwiseAuc(h.positive, h.baselineScore, ones);
    double candidateAuc = pairwiseAuc(h.positive, h.candidateScore, ones);

    assertEquals(
        List.of("accuracy", "log_loss", "auc"),
        metrics.stream().map(MetricDelta::metric).toList());
    MetricDelta acc = metrics.get(0);
    assertEquals(count(h.baselineCorrect) / 300.0, acc.baseline(), 1e-15);
    assertEquals(count(h.candidateCorrect) / 300.0, acc.candidate(), 1e-15);
    assertInterval(percentiles(accuracy, level), acc, 1e-12);
    assertEquals(
        Arrays.stream(h.candidateLoss).average().orElseThrow(), metrics.get(1).candidate(), 1e-12);
    assertInterval(percentiles(logLoss, level), metrics.get(1), 1e-12);
    MetricDelta a = metrics.get(2);
    assertEquals(baselineAuc, a.baseline(), 1e-12);
    assertEquals(candidateAuc, a.candidate(), 1e-12);
    assertEquals(candidateAuc - baselineAuc, a.delta(), 1e-12);
    assertInterval(percentiles(auc, level), a, 1e-12);
    assertTrue(acc.higherIsBetter() && a.higherIsBetter() && !metrics.get(1).higherIsBetter());
    assertEquals(resamples, acc.interval().orElseThrow().replicates());
    assertEquals("paired-bootstrap", acc.interval().orElseThrow().method().label());

    // Regression on the same rows: errors score − label.
    List<MetricDelta> regression = bootstrap.regression(frame);
    double[] rmse = new double[resamples];
    double[] mae = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      long total = 0;
      double[] squares = new double[2];
      double[] absolutes = new double[2];
      for (int i = 0; i < h.size(); i++) {
        int weight = PoissonWeights.weight(SEED, h.key[i], r);
        double label = h.positive[i] ? 1 : 0;
        double eb = h.baselineScore[i] - label;
        double ec = h.candidateScore[i] - label;
        total += weight;
        squares[0] += weight * eb * eb;
        squares[1] += weight * ec * ec;
        absolutes[0] += weight * Math.abs(eb);
        absolutes[1] += weight * Math.abs(ec);
      }
      rmse[r] = Math.sqrt(squares[1] / total) - Math.sqrt(squares[0] / total);
      mae[r] = absolutes[1] / total - absolutes[0] / total;
    }
    assertEquals(
        List.of("rmse", "mae"), regression.stream().map(MetricDelta::metric).toList());
    assertInterval(percentiles(rmse, level), regression.get(0), 1e-12);
    assertInterval(percentiles(mae, level), regression.get(1), 1e-12);
  }

  private static int count(boolean[] flags) {
    int n = 0;
    for (boolean flag : flags) {
      n += flag ? 1 : 0;
    }
    return n;
  }

  @Test
  void oneOrSevenPartitionsGiveTheSameIntervals() {
    Holdout h = holdout(2000, 2);
    PairedBootstrap bootstrap = new PairedBootstrap(200, 0.95, SEED).withAucBins(100);
    List<MetricDelta> one = bootstrap.classification(frame(h, 1), true);
    List<MetricDelta> seven = bootstrap.classification(frame(h, 7), true);
    for (int m = 0; m < one.size(); m++) {
      Interval a = one.get(m).interval().orElseThrow();
      Interval b = seven.get(m).interval().orElseThrow();
      if (one.get(m).metric().equals("log_loss")) {
        assertEquals(a.lower(), b.lower(), 1e-12);
        assertEquals(a.upper(), b.upper(), 1e-12);
      } else { // counts only: bit-identical
        assertEquals(a, b, one.get(m).metric());
        assertEquals(one.get(m).baseline(), seven.get(m).baseline());
      }
    }
    // The driver's path gives the Spark path's accuracy interval, bit for bit.
    assertEquals(
        one.get(0).interval().orElseThrow(),
        PairedBootstrap.accuracyDelta(
            h.key, h.baselineCorrect, h.candidateCorrect, 200, 0.95, SEED));
  }

  @Test
  void binnedAucStaysWithinItsBoundOfTheExactAuc() {
    Holdout h = holdout(20_000, 3);
    int bins = 50;
    List<MetricDelta> metrics =
        new PairedBootstrap(5, 0.95, SEED).withAucBins(bins).classification(frame(h, 4), true);
    MetricDelta auc = metrics.get(2);
    double[] scores = h.candidateScore;
    double[] cuts = cuts(scores, bins);
    double[] binOf = bins(scores, cuts);
    long[] positives = new long[cuts.length + 1];
    long[] negatives = new long[cuts.length + 1];
    for (int i = 0; i < scores.length; i++) {
      (h.positive[i] ? positives : negatives)[(int) binOf[i]]++;
    }
    double u = 0;
    long below = 0;
    long p = 0;
    for (int b = 0; b < positives.length; b++) {
      u += positives[b] * (below + negatives[b] / 2.0);
      below += negatives[b];
      p += positives[b];
    }
    double binned = u / ((double) p * below);
    double error = Math.abs(binned - auc.candidate());
    System.out.printf(
        "Binned AUC (%d bins, %d distinct cut points) off the exact %.6f by %.2e; bound %.2e%n",
        bins, cuts.length, auc.candidate(), error, auc.binningError());
    assertTrue(error <= auc.binningError(), error + " > " + auc.binningError());
    assertTrue(auc.binningError() <= 1.0 / bins, "bound " + auc.binningError());
    assertTrue(error > 0, "the check could fail: binning changed the AUC");
  }

  @Test
  void poissonWeightsHaveMeanAndVarianceOne() {
    long draws = 0;
    double sum = 0;
    double squares = 0;
    long[] frequency = new long[PoissonWeights.maxWeight() + 1];
    int[] weights = new int[200];
    for (long key = 0; key < 10_000; key++) {
      PoissonWeights.fill(7, key, weights);
      for (int r = 0; r < weights.length; r++) {
        int w = weights[r];
        sum += w;
        squares += (double) w * w;
        frequency[w]++;
        draws++;
      }
      assertEquals(PoissonWeights.weight(7, key, 123), weights[123]);
    }
    double mean = sum / draws;
    double variance = squares / draws - mean * mean;
    // 2,000,000 draws: standard errors of the mean and variance are 0.0007 and 0.0011.
    assertEquals(1.0, mean, 0.004, "mean");
    assertEquals(1.0, variance, 0.006, "variance");
    double pmf = Math.exp(-1);
    for (int k = 0; k <= 5; k++) {
      assertEquals(pmf, (double) frequency[k] / draws, 0.002, "P(X = " + k + ")");
      pmf /= k + 1;
    }
    assertEquals(18, PoissonWeights.maxWeight()); // P(X > 18) < 2^-54: the table stops there
  }

  @Test
  void theAccuracyIntervalCoversTheTrueDifferenceAboutNinetyFivePercentOfTheTime() {
    // Paired holdouts of 1,000 rows: both right 0.80, only baseline 0.05, only candidate 0.07,
    // neither 0.08, so the true difference in accuracy is 0.87 − 0.85 = 0.02.
    SplittableRandom random = new SplittableRandom(5);
    int rows = 1000;
    long[] keys = new long[rows];
    boolean[] baseline = new boolean[rows];
    boolean[] candidate = new boolean[rows];
    Coverage coverage = new Coverage();
    long started = System.nanoTime();
    int holdouts = 1000;
    for (int s = 0; s < holdouts; s++) {
      for (int i = 0; i < rows; i++) {
        keys[i] = random.nextLong();
        double u = random.nextDouble();
        baseline[i] = u < 0.85;
        candidate[i] = u < 0.80 || (u >= 0.85 && u < 0.92);
      }
      coverage.add(PairedBootstrap.accuracyDelta(keys, baseline, candidate, 300, 0.95, s), 0.02);
    }
    System.out.printf(
        "accuracyDelta: %.2f ms per holdout of %d rows with 300 resamples%n",
        (System.nanoTime() - started) / 1e6 / holdouts, rows);
    // 1,000 holdouts: the rate's standard error is 0.007 at 95%; Coverage's band is
    // [0.925, 0.97] and a half-width interval must cover under 80%.
    coverage.assertNominal95("paired accuracy difference");
  }

  @Test
  void nullsAndBadSettingsAreRejectedWithTheReason() {
    IllegalArgumentException resamples =
        assertThrows(IllegalArgumentException.class, () -> new PairedBootstrap(0, 0.95, 1));
    assertEquals("Cannot bootstrap with 0 resamples: need at least 1", resamples.getMessage());
    IllegalArgumentException lengths = assertThrows(
        IllegalArgumentException.class,
        () -> PairedBootstrap.accuracyDelta(
            new long[2], new boolean[2], new boolean[1], 10, 0.95, 1));
    assertEquals(
        "Cannot bootstrap accuracy: 2 row keys, 2 and 1 correct flags; need one of each per row",
        lengths.getMessage());
    Dataset<Row> withNull = frame(holdout(20, 4), 1)
        .selectExpr(
            "row_key",
            "IF(row_key < 3000000, NULL, baseline_error) AS baseline_error",
            "candidate_error");
    IllegalArgumentException nulls = assertThrows(
        IllegalArgumentException.class,
        () -> new PairedBootstrap(10, 0.95, 1).regression(withNull));
    assertEquals(
        "Cannot bootstrap a comparison with nulls: 3 rows have a null in a column the metrics"
            + " need",
        nulls.getMessage());
  }
}
