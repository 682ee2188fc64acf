package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Benjamini–Hochberg adjusted p-values against the paper's example (with the figures R's
 * p.adjust gives) and against the definition, evaluated directly, on seeded vectors with ties.
 */
class BenjaminiHochbergTest {
  /**
   * The definition without sorting: p̃_i = min(1, min over p_j ≥ p_i of p_j·m / #{l : p_l ≤ p_j}),
   * in O(m²). The count is the largest rank among p_j's ties, where R's cumulative minimum lands.
   */
  private static double[] byDefinition(double[] p) {
    int m = p.length;
    double[] adjusted = new double[m];
    for (int i = 0; i < m; i++) {
      double best = 1;
      for (double pj : p) {
        if (pj >= p[i]) {
          int rank = 0;
          for (double pl : p) {
            rank += pl <= pj ? 1 : 0;
          }
          best = Math.min(best, pj * m / rank);
        }
      }
      adjusted[i] = best;
    }
    return adjusted;
  }

  @Test
  void thePapersFifteenPValuesGiveRsAdjustedValues() {
    // Benjamini and Hochberg (1995), JRSS B 57:289-300, section 4.2: 15 p-values from a study of
    // myocardial infarction treatments; at q = 0.05 the procedure rejects the four smallest.
    // Adjusted by hand: p_(i)·15/i is 0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0695, 0.0638571,
    // 0.0645, 0.0765, 0.486, 0.5811818, 0.714875, 0.7532308, 0.8132143, 1; the running minimum
    // from the largest replaces 0.0695 by 0.0638571 (0.0298·15/7). R's p.adjust(p, "BH") prints
    // the same.
    double[] sorted = {
      0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
      0.5719, 0.6528, 0.7590, 1.000
    };
    double[] expectedSorted = {
      0.0015,
      0.003,
      0.0095,
      0.035625,
      0.0603,
      0.0298 * 15 / 7,
      0.0298 * 15 / 7,
      0.0645,
      0.0765,
      0.486,
      0.4262 * 15 / 11,
      0.714875,
      0.6528 * 15 / 13,
      0.7590 * 15 / 14,
      1.0
    };
    assertArrayEquals(expectedSorted, BenjaminiHochberg.adjust(sorted), 1e-12);
    // The same p-values shuffled: each adjusted value comes back in its input position.
    int[] order = {9, 3, 14, 0, 7, 12, 5, 1, 11, 4, 13, 8, 2, 10, 6};
    double[] shuffled = new double[order.length];
    double[] expected = new double[order.length];
    for (int i = 0; i < order.length; i++) {
      shuffled[i] = sorted[order[i]];
      expected[i] = expectedSorted[order[i]];
    }
    double[] adjusted = BenjaminiHochberg.adjust(shuffled);
    assertArrayEquals(expected, adjusted, 1e-12);
    assertEquals(4, Arrays.stream(adjusted).filter(p -> p <= 0.05).count());
    assertArrayEquals(byDefinition(shuffled), adjusted, 1e-15);
  }

  @Test
  void equalsTheDefinitionOnSeededVectorsWithTies() {
    SplittableRandom random = new SplittableRandom(5);
    for (int trial = 0; trial < 300; trial++) {
      int m = 1 + random.nextInt(60);
      double[] p = new double[m];
      for (int i = 0; i < m; i++) {
        // A mix of small signals, uniform nulls, ties (rounded to 2 digits) and exact 0 and 1.
        double u = random.nextDouble();
        p[i] = switch (random.nextInt(5)) {
          case 0 -> u * 1e-4;
          case 1 -> Math.rint(u * 100) / 100;
          case 2 -> random.nextBoolean() ? 0.0 : 1.0;
          default -> u;
        };
      }
      double[] input = p.clone();
      assertArrayEquals(byDefinition(p), BenjaminiHochberg.adjust(p), 1e-15, "trial " + trial);
      assertArrayEquals(input, p, "the input is left as it was");
    }
  }

  @Test
  void noPValuesGiveNoneAndOneIsItsOwnAdjustment() {
    assertArrayEquals(new double[0], BenjaminiHochberg.adjust(new double[0]));
    assertArrayEquals(new double[] {0.03}, BenjaminiHochberg.adjust(new double[] {0.03}));
  }

  @Test
  void aPValueOutsideZeroToOneIsRejected() {
    IllegalArgumentException nan = assertThrows(
        IllegalArgumentException.class,
        () -> BenjaminiHochberg.adjust(new double[] {0.2, Double.NaN}));
    assertEquals(
        "Cannot adjust p-value 1 = NaN for multiple testing: p-values must be in [0, 1]",
        nan.getMessage());
    IllegalArgumentException above = assertThrows(
        IllegalArgumentException.class, () -> BenjaminiHochberg.adjust(new double[] {1.5}));
    assertEquals(
        "Cannot adjust p-value 0 = 1.5 for multiple testing: p-values must be in [0, 1]",
        above.getMessage());
  }
}
