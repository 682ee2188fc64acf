package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** The exact McNemar test against an exact sum of binomial coefficients and a published example. */
class McNemarTest {
  /**
   * p = min(1, 2·Σ_{k ≤ min(b,c)} C(n,k) / 2^n), n = b + c, in exact integer arithmetic: at p =
   * 1/2 the binomial is symmetric, so both tails are equal and the two-sided p-value is twice the
   * smaller one.
   */
  private static double exactP(int b, int c) {
    int n = b + c;
    int m = Math.min(b, c);
    BigInteger coefficient = BigInteger.ONE; // C(n, 0)
    BigInteger sum = BigInteger.ZERO;
    for (int k = 0; k <= m; k++) {
      sum = sum.add(coefficient);
      coefficient =
          coefficient.multiply(BigInteger.valueOf(n - k)).divide(BigInteger.valueOf(k + 1));
    }
    BigDecimal p = new BigDecimal(sum.shiftLeft(1))
        .divide(new BigDecimal(BigInteger.ONE.shiftLeft(n)), MathContext.DECIMAL128);
    return Math.min(1.0, p.doubleValue());
  }

  @Test
  void pValuesEqualTheExactBinomialSumUpToTwentyThousandDiscordantRows() {
    int[][] grid = {
      {0, 1},
      {1, 0},
      {1, 1},
      {0, 5},
      {2, 3},
      {3, 2},
      {1, 7},
      {7, 1},
      {5, 5},
      {4, 6},
      {0, 30},
      {10, 40},
      {25, 26},
      {45, 55},
      {30, 70},
      {480, 520},
      {450, 550},
      {400, 600},
      {9_950, 10_050},
      {9_800, 10_200},
      {9_700, 10_300},
      {10_000, 10_000},
      {10_200, 9_800},
      {9_500, 10_500},
      {100, 900}
    };
    double smallest = 1;
    for (int[] bc : grid) {
      McNemar test = McNemar.test(bc[0], bc[1]);
      double expected = exactP(bc[0], bc[1]);
      assertEquals(expected, test.pValue(), 1e-9, "b=" + bc[0] + " c=" + bc[1]);
      // Relative agreement too, so tiny p-values are checked, not only rounded to 0 together.
      assertEquals(expected, test.pValue(), 1e-9 * expected, "relative");
      smallest = Math.min(smallest, expected);
      double d = bc[0] - bc[1];
      assertEquals(d * d / (bc[0] + bc[1]), test.statistic(), 1e-12);
    }
    assertTrue(smallest < 1e-100, "the grid reaches tiny p-values: " + smallest);
  }

  @Test
  void aPublishedExampleGivesItsPublishedPValue() {
    // Fagerland, Lydersen and Laake (2013), "The McNemar test for binary matched-pairs data:
    // mid-p and asymptotic are better than exact conditional", BMC Med Res Methodol 13:91,
    // Table 1 (airway hyper-responsiveness before and after stem cell transplantation, Bentur
    // et al. 2009): b = 1, c = 7 discordant pairs; exact conditional p = 0.070 (= 18/256).
    McNemar test = McNemar.test(1, 7);
    assertEquals(18.0 / 256, test.pValue(), 1e-12);
    assertEquals(4.5, test.statistic(), 1e-12); // (1 − 7)² / 8
    assertEquals(8, test.discordant());
  }

  @Test
  void noDiscordantRowsMeansNoEvidence() {
    McNemar test = McNemar.test(0, 0);
    assertEquals(1.0, test.pValue());
    assertEquals(0.0, test.statistic());
  }

  @Test
  void negativeCountsAreRejectedWithTheReason() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> McNemar.test(-1, 3));
    assertEquals(
        "Cannot run McNemar's test on b=-1, c=3: the discordant counts must not be negative",
        e.getMessage());
  }
}
