package dev.runway.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.monitor.DriftRule.Binned;
import dev.runway.monitor.DriftRule.ColumnTest;
import dev.runway.stats.BenjaminiHochberg;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

/**
 * The drift rule's false-retrain rate and power, by seeded simulation of whole batches of 50
 * columns through {@link DriftRule}: the reference profile is a training table binned at its own
 * deciles (equal counts by construction, random edges), the batch is counted in those bins.
 * Counts are drawn exactly without drawing rows ({@link Draws}), so 100,000-row batches cost what
 * 1,000-row ones do.
 */
class DriftCalibrationTest {
  private static final int COLUMNS = 50;
  private static final int BINS = 10;
  private static final NormalDistribution STANDARD = NormalDistribution.of(0, 1);
  private static final DriftRule DEFAULTS = DriftRule.of(0.01, 0.1);

  /** A numeric column binned at its own deciles: rows/10 per bin, and an empty missing bin. */
  private static long[] deciles(int rows) {
    long[] counts = new long[BINS + 1];
    Arrays.fill(counts, 0, BINS, rows / BINS);
    return counts;
  }

  /** Bin probabilities with a missing bin that the batch never fills. */
  private static double[] withMissing(double[] probabilities) {
    return Arrays.copyOf(probabilities, probabilities.length + 1);
  }

  /** An unchanged continuous column: the batch comes from the reference's distribution. */
  private static Binned unchanged(
      UniformRandomProvider random, String name, int referenceRows, long batchRows) {
    double[] widths = Draws.widths(Draws.uniformEdges(random, referenceRows, BINS));
    return new Binned(
        name, deciles(referenceRows), Draws.multinomial(random, batchRows, withMissing(widths)));
  }

  /**
   * A normal column whose batch has moved by {@code shift} standard deviations: the reference's
   * decile edges are e_j = Φ⁻¹(U_(r_j)), and the batch's bin probabilities Φ(e_j − shift) −
   * Φ(e_(j−1) − shift).
   */
  private static Binned shifted(
      UniformRandomProvider random, String name, int referenceRows, long batchRows, double shift) {
    double[] edges = Draws.uniformEdges(random, referenceRows, BINS);
    double[] probabilities = new double[BINS];
    double below = 0;
    for (int j = 0; j < BINS; j++) {
      double upper = j < BINS - 1
          ? STANDARD.cumulativeProbability(STANDARD.inverseCumulativeProbability(edges[j]) - shift)
          : 1;
      probabilities[j] = upper - below;
      below = upper;
    }
    return new Binned(
        name,
        deciles(referenceRows),
        Draws.multinomial(random, batchRows, withMissing(probabilities)));
  }

  /**
   * A categorical column of five values (40, 30, 15, 10 and 5% of 10,000 reference rows, all five
   * its top values, "other" and missing empty) whose batch of 10,000 has a new value in 10% of
   * rows, counted in "other", and the rest as before.
   */
  private static Binned newCategory(UniformRandomProvider random, String name) {
    double[] reference = {0.4, 0.3, 0.15, 0.1, 0.05, 0, 0};
    double[] batch = new double[reference.length];
    for (int j = 0; j < 5; j++) {
      batch[j] = 0.9 * reference[j];
    }
    batch[5] = 0.1;
    return new Binned(
        name,
        Draws.multinomial(random, 10_000, reference),
        Draws.multinomial(random, 10_000, batch));
  }

  /** One batch: {@code first} and 49 unchanged columns, all from the batch's generator. */
  private static List<Binned> batch(
      UniformRandomProvider random, int referenceRows, long batchRows, Binned first) {
    List<Binned> columns = new ArrayList<>(COLUMNS);
    columns.add(first);
    for (int c = 1; c < COLUMNS; c++) {
      columns.add(unchanged(random, "x" + c, referenceRows, batchRows));
    }
    return columns;
  }

  /**
   * {@code outcome} of each of {@code draws} batches, in parallel (each batch from its own seed, so
   * the results do not depend on the threads' order).
   */
  private static <T> List<T> simulate(
      int draws, long seed, Batch batch, Function<List<Binned>, T> outcome) {
    return IntStream.range(0, draws)
        .parallel()
        .mapToObj(d -> outcome.apply(batch.draw(Draws.random(seed * 1_000_003L + d))))
        .toList();
  }

  /** The verdicts of {@code rules} on each of {@code draws} batches: result[d][r]. */
  private static List<List<DriftRule.Result>> simulate(
      int draws, long seed, Batch batch, DriftRule... rules) {
    return simulate(draws, seed, batch, columns -> verdicts(columns, rules));
  }

  private static List<DriftRule.Result> verdicts(List<Binned> columns, DriftRule... rules) {
    return Arrays.stream(rules).map(rule -> rule.test(columns)).toList();
  }

  /**
   * Whether Benjamini–Hochberg at {@code q} flags any column when each is tested against the
   * reference's proportions as if they were exact (a chi-square goodness-of-fit test of the batch
   * alone): the test the homogeneity test replaces, whose false alarms grow with the batch's size
   * relative to the reference's.
   */
  private static boolean naiveRetrain(List<Binned> columns, double q) {
    double[] pValues = new double[columns.size()];
    for (int c = 0; c < pValues.length; c++) {
      long[] reference = Arrays.copyOf(columns.get(c).reference(), BINS);
      long[] current = Arrays.copyOf(columns.get(c).current(), BINS);
      double scale =
          (double) Arrays.stream(current).sum() / Arrays.stream(reference).sum();
      double[] expected = Arrays.stream(reference).mapToDouble(r -> r * scale).toArray();
      pValues[c] = ChiSquareTest.withDefaults().test(expected, current).getPValue();
    }
    return Arrays.stream(BenjaminiHochberg.adjust(pValues)).anyMatch(p -> p <= q);
  }

  /** An unchanged batch's verdicts, and the naive test's. */
  private record Unchanged(List<DriftRule.Result> results, boolean naiveRetrain) {}

  /** Makes one simulated batch's columns from its generator. */
  private interface Batch {
    List<Binned> draw(UniformRandomProvider random);
  }

  /** The share of draws for which {@code hit} holds of rule {@code rule}'s result. */
  private static double share(
      List<List<DriftRule.Result>> results, int rule, Predicate<DriftRule.Result> hit) {
    return (double) results.stream().filter(r -> hit.test(r.get(rule))).count() / results.size();
  }

  @Test
  void theSamplersDrawTheirDistributions() {
    UniformRandomProvider random = Draws.random(1);
    int draws = 20_000;
    // Sizes on both sides of the direct cutoff (64), and p near 0, 1/2 and 1.
    long[] trials = {10, 65, 1_000, 5_000, 100_000, 100_000};
    double[] ps = {0.4, 0.3, 0.5, 0.97, 0.1, 0.001};
    for (int c = 0; c < trials.length; c++) {
      double sum = 0;
      double squares = 0;
      for (int d = 0; d < draws; d++) {
        double x = Draws.binomial(random, trials[c], ps[c]);
        sum += x;
        squares += x * x;
      }
      double mean = sum / draws;
      double variance = (squares - draws * mean * mean) / (draws - 1);
      double expectedVariance = trials[c] * ps[c] * (1 - ps[c]);
      String what = "Binomial(" + trials[c] + ", " + ps[c] + ")";
      assertEquals(trials[c] * ps[c], mean, 5 * Math.sqrt(expectedVariance / draws), what);
      assertEquals(1, variance / expectedVariance, 0.05, what);
    }
    // The whole distribution past one split, by the library's goodness-of-fit test: values with
    // fewer than 5 expected draws pooled into the two tails.
    BinomialDistribution binomial = BinomialDistribution.of(500, 0.3);
    int low = 120;
    int high = 180;
    double[] expected = new double[high - low + 3];
    long[] observed = new long[expected.length];
    expected[0] = draws * binomial.cumulativeProbability(low - 1);
    expected[expected.length - 1] = draws * binomial.survivalProbability(high);
    for (int k = low; k <= high; k++) {
      expected[k - low + 1] = draws * binomial.probability(k);
    }
    for (int d = 0; d < draws; d++) {
      long x = Draws.binomial(random, 500, 0.3);
      observed[x < low ? 0 : x > high ? expected.length - 1 : (int) x - low + 1]++;
    }
    double fit = ChiSquareTest.withDefaults().test(expected, observed).getPValue();
    assertTrue(fit > 0.001, "Binomial(500, 0.3) goodness of fit p " + fit);
    // Multinomial counts add up to the trials, leave a zero-probability bin empty, and average
    // trials·p.
    double[] probabilities = {0.2, 0.3, 0.5, 0};
    double[] sums = new double[probabilities.length];
    for (int d = 0; d < 5_000; d++) {
      long[] counts = Draws.multinomial(random, 1_000, probabilities);
      assertEquals(1_000, Arrays.stream(counts).sum());
      for (int j = 0; j < counts.length; j++) {
        sums[j] += counts[j];
      }
    }
    for (int j = 0; j < probabilities.length; j++) {
      double sd = Math.sqrt(1_000 * probabilities[j] * (1 - probabilities[j]) / 5_000);
      assertEquals(1_000 * probabilities[j], sums[j] / 5_000, 5 * sd + 1e-12, "bin " + j);
    }
    // Decile edges of 50,000 uniform rows: U_(r) has mean r/(n+1) and variance
    // r(n+1−r)/((n+1)²(n+2)).
    int rows = 50_000;
    int edgeDraws = 2_000;
    double[] edgeSums = new double[BINS - 1];
    double[] edgeSquares = new double[BINS - 1];
    for (int d = 0; d < edgeDraws; d++) {
      double[] edges = Draws.uniformEdges(random, rows, BINS);
      for (int j = 0; j < edges.length; j++) {
        edgeSums[j] += edges[j];
        edgeSquares[j] += edges[j] * edges[j];
      }
    }
    for (int j = 0; j < BINS - 1; j++) {
      double r = (j + 1) * (rows / BINS);
      double n1 = rows + 1.0;
      double expectedMean = r / n1;
      double expectedVariance = r * (n1 - r) / (n1 * n1 * (rows + 2.0));
      double mean = edgeSums[j] / edgeDraws;
      double variance = (edgeSquares[j] - edgeDraws * mean * mean) / (edgeDraws - 1);
      assertEquals(expectedMean, mean, 5 * Math.sqrt(expectedVariance / edgeDraws), "edge " + j);
      assertEquals(1, variance / expectedVariance, 0.15, "edge " + j);
    }
  }

  /** False-retrain rates of unchanged 50-column batches of {@code batchRows}, asserted and printed. */
  private static void assertFalseRetrainRate(long batchRows, int batches, long seed) {
    int referenceRows = 50_000;
    DriftRule[] rules = {
      DEFAULTS, DriftRule.of(0.01, 0), DriftRule.of(0.05, 0.1), DriftRule.of(0.05, 0)
    };
    List<Unchanged> draws = simulate(
        batches,
        seed,
        random -> batch(
            random, referenceRows, batchRows, unchanged(random, "x0", referenceRows, batchRows)),
        columns -> new Unchanged(verdicts(columns, rules), naiveRetrain(columns, 0.01)));
    List<List<DriftRule.Result>> results =
        draws.stream().map(Unchanged::results).toList();
    double retrain = share(results, 0, DriftRule.Result::retrain);
    double significant = share(results, 1, DriftRule.Result::retrain);
    double retrain05 = share(results, 2, DriftRule.Result::retrain);
    double significant05 = share(results, 3, DriftRule.Result::retrain);
    double naive = (double) draws.stream().filter(Unchanged::naiveRetrain).count() / batches;
    System.out.printf(
        "A/A, 50 columns, reference %,d rows at its deciles, batch %,d rows, %,d batches:"
            + " false-retrain rate %.4f at q 0.01 (%.4f without the PSI floor),"
            + " %.4f at q 0.05 (%.4f without the floor); a goodness-of-fit test against the"
            + " reference's proportions as exact, at q 0.01 without the floor: %.4f%n",
        referenceRows, batchRows, batches, retrain, significant, retrain05, significant05, naive);
    assertTrue(retrain <= 0.02, "false-retrain rate at q 0.01: " + retrain);
    assertTrue(retrain05 <= 0.06, "false-retrain rate at q 0.05: " + retrain05);
    // The test alone holds the rate too, so the guarantee does not rest on the floor...
    assertTrue(significant <= 0.02, "rate without the floor at q 0.01: " + significant);
    assertTrue(significant05 <= 0.06, "rate without the floor at q 0.05: " + significant05);
    // ...and is not met by a test that never fires: BH under the global null spends about q.
    assertTrue(significant >= 0.004 && significant05 >= 0.025, significant + ", " + significant05);
    if (batchRows > referenceRows) {
      // Treating the reference as exact ignores its noise, which a batch twice its size weighs
      // more than its own: the naive test raises false alarms on most unchanged batches.
      assertTrue(naive > 0.5, "naive false-retrain rate " + naive);
    }
  }

  @Test
  void unchangedBatchesOfAThousandRowsRetrainAtMostQPlusOnePoint() {
    assertFalseRetrainRate(1_000, 10_000, 31);
  }

  @Test
  void unchangedBatchesOfAHundredThousandRowsRetrainAtMostQPlusOnePoint() {
    assertFalseRetrainRate(100_000, 10_000, 32);
  }

  @Test
  void unchangedBatchesOfAMillionRowsRetrainAtMostQPlusOnePoint() {
    // Counts are drawn, not rows: a million-row batch costs what a thousand-row one does.
    assertFalseRetrainRate(1_000_000, 10_000, 33);
  }

  @Test
  void aPointTwoSdShiftIsFoundAboveAnEffectFloorOfPointZeroTwoButIsBelowTheDefault() {
    List<List<DriftRule.Result>> results = simulate(
        500,
        41,
        random -> batch(random, 10_000, 10_000, shifted(random, "x0", 10_000, 10_000, 0.2)),
        DriftRule.of(0.01, 0.02),
        DEFAULTS);
    double found = share(results, 0, r -> r.retrain() && r.columns().get(0).drifted());
    double others =
        share(results, 0, r -> r.columns().stream().skip(1).anyMatch(ColumnTest::drifted));
    double flaggedAtDefault = share(results, 1, r -> r.columns().get(0).drifted());
    double significantAtDefault = share(results, 1, r -> r.columns().get(0).significant());
    double meanPsi = results.stream()
        .mapToDouble(r -> r.get(1).columns().get(0).psi())
        .average()
        .orElseThrow();
    System.out.printf(
        "0.2 SD shift of 1 column of 50, 10,000 rows each side, 500 batches: found %.3f with"
            + " min-psi 0.02 (an unchanged column flagged in %.3f); at the defaults significant"
            + " %.3f, flagged %.3f, mean PSI %.4f%n",
        found, others, significantAtDefault, flaggedAtDefault, meanPsi);
    assertTrue(found >= 0.95, "found in " + found);
    // At the default floor it is still significant; what stops it is the effect size.
    assertTrue(significantAtDefault >= 0.95, "significant in " + significantAtDefault);
    assertTrue(flaggedAtDefault < 0.5, "flagged at min-psi 0.1 in " + flaggedAtDefault);
    assertEquals(0.04, meanPsi, 0.005);
  }

  @Test
  void aPointFiveSdShiftIsFoundAtTheDefaults() {
    List<List<DriftRule.Result>> results = simulate(
        500,
        42,
        random -> batch(random, 10_000, 10_000, shifted(random, "x0", 10_000, 10_000, 0.5)),
        DEFAULTS);
    double found = share(results, 0, r -> r.retrain() && r.columns().get(0).drifted());
    System.out.printf(
        "0.5 SD shift of 1 column of 50, 10,000 rows each side, 500 batches: found %.3f at the"
            + " defaults%n",
        found);
    assertTrue(found >= 0.95, "found in " + found);
  }

  @Test
  void aNewCategoryInTenPercentOfRowsIsFoundAtTheDefaults() {
    List<List<DriftRule.Result>> results = simulate(
        500, 43, random -> batch(random, 10_000, 10_000, newCategory(random, "city")), DEFAULTS);
    double found = share(results, 0, r -> r.retrain() && r.drifted().contains("city"));
    double meanPsi = results.stream()
        .mapToDouble(r -> r.get(0).columns().get(0).psi())
        .average()
        .orElseThrow();
    System.out.printf(
        "new category in 10%% of rows, 1 column of 50, 10,000 rows each side, 500 batches: found"
            + " %.3f at the defaults, mean PSI %.3f%n",
        found, meanPsi);
    assertTrue(found >= 0.95, "found in " + found);
  }
}
