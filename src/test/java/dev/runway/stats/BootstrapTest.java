package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;
import org.junit.jupiter.api.Test;

/**
 * The percentile bootstrap: its quantile rule against commons-math3, its resampling, its
 * reproducibility, a textbook interval of a mean, and its coverage shown by seeded simulation.
 */
class BootstrapTest {
  /** Counted mean of {@code values}: the simplest weighted statistic. */
  private static Bootstrap.Statistics mean(double[] values) {
    return counts -> {
      double sum = 0;
      long n = 0;
      for (int i = 0; i < counts.length; i++) {
        sum += counts[i] * values[i];
        n += counts[i];
      }
      return new double[] {sum / n};
    };
  }

  private static double[] normals(SplittableRandom random, int n, double mean, double sd) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = mean + sd * Normal.quantile(random.nextDouble(1e-12, 1.0));
    }
    return x;
  }

  @Test
  void percentilesFollowDefinitionSevenLikeCommonsMath() {
    SplittableRandom random = new SplittableRandom(1);
    Percentile reference = new Percentile().withEstimationType(EstimationType.R_7);
    for (int n : new int[] {1, 2, 3, 10, 999, 1000}) {
      double[] values = random.doubles(n).toArray();
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      for (double p : new double[] {0.005, 0.025, 0.5, 0.975, 0.995, 1.0}) {
        assertEquals(
            reference.evaluate(values, p * 100),
            Bootstrap.percentile(sorted, n, p),
            1e-12,
            "n=" + n + " p=" + p);
      }
      assertEquals(
          sorted[0], Bootstrap.percentile(sorted, n, 0.0)); // commons-math3 takes p > 0 only
    }
  }

  @Test
  void aResampleDrawsEachRowBinomiallyOften() {
    SplittableRandom random = new SplittableRandom(2);
    int n = 50;
    int[] counts = new int[n];
    long draws = 0;
    double sumOfSquares = 0;
    int resamples = 20_000;
    for (int r = 0; r < resamples; r++) {
      Bootstrap.resample(random, counts);
      assertEquals(n, Arrays.stream(counts).sum());
      draws += counts[7];
      sumOfSquares += (counts[7] - 1.0) * (counts[7] - 1.0);
    }
    // A row's count is Binomial(n, 1/n): mean 1, variance 1 - 1/n = 0.98.
    assertEquals(1.0, (double) draws / resamples, 0.03);
    assertEquals(0.98, sumOfSquares / resamples, 0.05);
  }

  @Test
  void theSameSeedGivesTheSameIntervalsOnAnyNumberOfThreads() throws Exception {
    double[] x = normals(new SplittableRandom(3), 500, 10, 2);
    Bootstrap bootstrap = new Bootstrap(400, 0.95, 42);
    List<Optional<Interval>> here = bootstrap.intervals(x.length, mean(x));
    ForkJoinPool one = new ForkJoinPool(1);
    ForkJoinPool four = new ForkJoinPool(4);
    try {
      double[][] single =
          one.submit(() -> bootstrap.replicateValues(x.length, mean(x))).get();
      double[][] many =
          four.submit(() -> bootstrap.replicateValues(x.length, mean(x))).get();
      assertArrayEquals(single, many);
      assertArrayEquals(single, bootstrap.replicateValues(x.length, mean(x)));
    } finally {
      one.shutdown();
      four.shutdown();
    }
    assertEquals(here, bootstrap.intervals(x.length, mean(x)));
    assertNotEquals(here, new Bootstrap(400, 0.95, 43).intervals(x.length, mean(x)));
    assertEquals(400, here.get(0).orElseThrow().replicates());
    assertEquals(Interval.Method.BOOTSTRAP, here.get(0).orElseThrow().method());
  }

  /**
   * For the mean of a large normal sample the percentile interval approaches the textbook
   * x̄ ± z·s/√n (Efron and Tibshirani 1993, §13.3).
   */
  @Test
  void theIntervalOfAMeanMatchesTheNormalTheoryOne() {
    int n = 4_000;
    double[] x = normals(new SplittableRandom(4), n, 5, 3);
    double mean = Arrays.stream(x).average().orElseThrow();
    double sd = Math.sqrt(Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / (n - 1));
    double half = Normal.twoSidedZ(0.95) * sd / Math.sqrt(n);
    Interval interval =
        new Bootstrap(4_000, 0.95, 5).intervals(n, mean(x)).get(0).orElseThrow();
    // 4,000 replicates place each 2.5% tail to about 3% of the half-width.
    assertEquals(mean - half, interval.lower(), 0.06 * half, interval.toString());
    assertEquals(mean + half, interval.upper(), 0.06 * half, interval.toString());
  }

  @Test
  void aStatisticUndefinedInMostReplicatesGetsNoInterval() {
    // NaN unless row 0 is drawn (about 65% of replicates); then always NaN, then always infinite
    // (a diverged model's RMSE: no interval, the diverged metric itself is reported).
    Bootstrap.Statistics statistics = counts ->
        new double[] {counts[0] > 0 ? counts[0] : Double.NaN, Double.NaN, Double.POSITIVE_INFINITY};
    List<Optional<Interval>> intervals = new Bootstrap(1000, 0.9, 6).intervals(10, statistics);
    Interval first = intervals.get(0).orElseThrow();
    assertTrue(first.replicates() > 590 && first.replicates() < 710, first.toString());
    assertEquals(1.0, first.lower());
    assertFalse(intervals.get(1).isPresent());
    assertFalse(intervals.get(2).isPresent());
  }

  @Test
  void refusesNonsense() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Bootstrap(0, 0.95, 1));
    assertEquals("Cannot bootstrap with 0 replicates: need at least 1", e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> new Bootstrap(10, 0.95, 1).intervals(0, c -> new double[0]));
    assertEquals("Cannot bootstrap 0 rows: need at least 1", e.getMessage());
  }

  /**
   * Coverage of a mean-like metric with a known true value: the mean absolute error of errors
   * drawn from N(0, 2²), whose true value is 2·sqrt(2/π). 1,000 seeded samples of 100 rows, 1,000
   * replicates each: the 95% interval must cover 92.5–97% of the time (the standard error of the
   * rate is 0.007; the percentile interval of a skewed statistic at n = 100 runs a point low); the
   * same intervals made half as wide cover about 70% and must fail that.
   */
  @Test
  void coversTheTrueMeanAbsoluteErrorAtTheNominalRate() {
    SplittableRandom random = new SplittableRandom(7);
    double sigma = 2;
    double truth = sigma * Math.sqrt(2 / Math.PI);
    int samples = 1_000;
    Coverage coverage = new Coverage();
    for (int s = 0; s < samples; s++) {
      double[] absoluteErrors =
          Arrays.stream(normals(random, 100, 0, sigma)).map(Math::abs).toArray();
      Interval interval = new Bootstrap(1_000, 0.95, random.nextLong())
          .intervals(100, mean(absoluteErrors))
          .get(0)
          .orElseThrow();
      coverage.add(interval, truth);
    }
    coverage.assertNominal95("MAE (n=100)");
  }
}
