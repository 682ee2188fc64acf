package dev.runway.compare;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.config.CompareSettings;
import dev.runway.config.CompareSettings.Metric;
import dev.runway.stats.Interval;
import dev.runway.stats.McNemar;
import dev.runway.stats.PairedBootstrap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The promotion gate's error rates, by seeded simulation of paired holdouts, through the same code
 * compare runs: McNemar's test, the paired bootstrap's accuracy interval (its driver path, which
 * gives exactly the Spark interval for the same rows and seed) and {@link Gate#decide}.
 */
class GateCalibrationTest {
  private static final CompareSettings.Gate GATE =
      new CompareSettings.Gate(Metric.ACCURACY, 0.0, 0.05, Map.of(), 600_000);

  /**
   * The share of simulated holdouts the gate promotes the candidate on.
   *
   * @param agreement the chance that the candidate is right exactly where the baseline is (a
   *     retrained model agrees with its predecessor on most rows); otherwise it is right with its
   *     own accuracy, independently
   */
  private static double promotionRate(
      int holdouts,
      int rows,
      double baseline,
      double candidate,
      double agreement,
      int resamples,
      long seed) {
    // Holdouts in parallel (the test JVM has the cores to itself), each from its own seed, so
    // the count does not depend on the threads' order.
    long promoted = IntStream.range(0, holdouts)
        .parallel()
        .filter(
            h -> promotes(rows, baseline, candidate, agreement, resamples, seed * 1_000_003L + h))
        .count();
    return (double) promoted / holdouts;
  }

  private static boolean promotes(
      int rows, double baseline, double candidate, double agreement, int resamples, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] keys = new long[rows];
    boolean[] b = new boolean[rows];
    boolean[] c = new boolean[rows];
    long onlyB = 0;
    long onlyC = 0;
    long rightB = 0;
    long rightC = 0;
    for (int i = 0; i < rows; i++) {
      keys[i] = random.nextLong();
      b[i] = random.nextDouble() < baseline;
      c[i] = random.nextDouble() < agreement ? b[i] : random.nextDouble() < candidate;
      onlyB += b[i] && !c[i] ? 1 : 0;
      onlyC += c[i] && !b[i] ? 1 : 0;
      rightB += b[i] ? 1 : 0;
      rightC += c[i] ? 1 : 0;
    }
    McNemar test = McNemar.test(onlyB, onlyC);
    Interval delta = PairedBootstrap.accuracyDelta(keys, b, c, resamples, 0.95, seed);
    Gate.Comparison comparison = new Gate.Comparison(
        Metric.ACCURACY,
        (double) rightB / rows,
        (double) rightC / rows,
        delta.lower(),
        delta.upper(),
        0.95,
        "McNemar",
        test.pValue(),
        onlyC > onlyB);
    return Gate.decide(GATE, Optional.of(comparison), Map.of()).passes();
  }

  @Test
  void equallyAccurateModelsArePromotedAtMostAlphaPlusOnePointFive() {
    // 1,000 holdouts of 2,000 rows, accuracy 0.85 for both: once with independent errors and
    // the default 1,000 resamples, once with a candidate that agrees with the baseline on 70% of
    // rows by construction (both as accurate) and 500 resamples.
    double independent = promotionRate(1_000, 2_000, 0.85, 0.85, 0.0, 1_000, 11);
    double correlated = promotionRate(1_000, 2_000, 0.85, 0.85, 0.7, 500, 12);
    System.out.printf(
        "gate false promotions at alpha 0.05: %.3f (independent errors), %.3f (70%% agreement)%n",
        independent, correlated);
    assertTrue(independent <= 0.05 + 0.015, "false promotion rate " + independent);
    assertTrue(correlated <= 0.05 + 0.015, "false promotion rate " + correlated);
    // A gate that cannot fail proves nothing: a one-sided 5% test promotes near 2.5% here.
    assertTrue(independent > 0.005 && correlated > 0.005, independent + ", " + correlated);
  }

  @Test
  void aTwoPointGainAtTenThousandRowsIsPromotedNineTimesInTen() {
    // The hardest realistic case for power: errors independent (the most discordant rows).
    double power = promotionRate(300, 10_000, 0.85, 0.87, 0.0, 500, 21);
    System.out.printf("gate promotions of a 2-point gain at n = 10,000: %.3f%n", power);
    assertTrue(power >= 0.90, "promoted in " + power);
  }
}
