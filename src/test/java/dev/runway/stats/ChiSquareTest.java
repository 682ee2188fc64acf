package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.SignificanceResult;
import org.junit.jupiter.api.Test;

/**
 * The chi-square test of homogeneity against commons-statistics-inference on seeded tables and a
 * textbook example with its published figures.
 */
class ChiSquareTest {
  /** The library's Pearson test of the 2×k table whose rows are the two samples. */
  private static SignificanceResult commons(long[] reference, long[] current) {
    return org.apache.commons.statistics.inference.ChiSquareTest.withDefaults()
        .test(new long[][] {reference, current});
  }

  @Test
  void equalsCommonsOnSeededTablesFromTwoBinsToThirty() {
    SplittableRandom random = new SplittableRandom(7);
    double smallest = 1;
    double largest = 0;
    for (int trial = 0; trial < 300; trial++) {
      int bins = 2 + random.nextInt(29);
      // Sizes from a handful of rows per bin to millions, unequal, and often drifted.
      long referenceScale = (long) Math.pow(10, 1 + random.nextInt(6));
      long currentScale = (long) Math.pow(10, 1 + random.nextInt(6));
      double drift = random.nextInt(3) * random.nextDouble();
      long[] reference = new long[bins];
      long[] current = new long[bins];
      for (int i = 0; i < bins; i++) {
        double weight = 1 + random.nextDouble();
        reference[i] = 1 + (long) (referenceScale * weight * random.nextDouble(0.9, 1.1));
        current[i] =
            (long) (currentScale * weight * (1 + drift * i / bins) * random.nextDouble(0.9, 1.1));
      }
      SignificanceResult expected = commons(reference, current);
      ChiSquare actual = ChiSquare.homogeneity(reference, current);
      String what = "trial " + trial + ": " + actual;
      assertEquals(bins - 1, actual.degreesOfFreedom(), what);
      assertEquals(
          expected.getStatistic(), actual.statistic(), 1e-9 * expected.getStatistic(), what);
      assertEquals(expected.getPValue(), actual.pValue(), 1e-12, what);
      assertEquals(expected.getPValue(), actual.pValue(), 1e-6 * expected.getPValue(), what);
      smallest = Math.min(smallest, actual.pValue());
      largest = Math.max(largest, actual.pValue());
    }
    assertTrue(
        smallest < 1e-100 && largest > 0.5, "the tables span p " + smallest + " to " + largest);
  }

  @Test
  void aTextbookExampleGivesItsPublishedFigures() {
    // Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5: party
    // identification (Democrat, Independent, Republican) by gender, 2,757 respondents; R's
    // chisq.test example: X-squared = 30.07, df = 2, p-value = 2.954e-07.
    long[] females = {762, 327, 468};
    long[] males = {484, 239, 477};
    ChiSquare test = ChiSquare.homogeneity(females, males);
    assertEquals(30.07, test.statistic(), 0.005);
    assertEquals(2, test.degreesOfFreedom());
    assertEquals(2.954e-7, test.pValue(), 0.0005e-7);
    // With 2 degrees of freedom the survival function is exp(−x/2) exactly.
    assertEquals(Math.exp(-test.statistic() / 2), test.pValue(), 1e-12 * test.pValue());
    // Homogeneity is symmetric in the two samples.
    ChiSquare swapped = ChiSquare.homogeneity(males, females);
    assertEquals(test.statistic(), swapped.statistic(), 1e-12);
    assertEquals(test.pValue(), swapped.pValue(), 1e-20);
  }

  @Test
  void binsEmptyOnBothSidesAreDropped() {
    ChiSquare kept = ChiSquare.homogeneity(new long[] {30, 50, 20}, new long[] {10, 70, 5});
    ChiSquare withEmpty =
        ChiSquare.homogeneity(new long[] {0, 30, 50, 0, 20, 0}, new long[] {0, 10, 70, 0, 5, 0});
    assertEquals(kept, withEmpty);
    assertEquals(2, withEmpty.degreesOfFreedom());
    // A bin empty on one side only is kept: a category the reference never saw is evidence.
    ChiSquare newCategory = ChiSquare.homogeneity(new long[] {100, 0}, new long[] {90, 10});
    assertEquals(1, newCategory.degreesOfFreedom());
    assertEquals(
        commons(new long[] {100, 0}, new long[] {90, 10}).getPValue(), newCategory.pValue(), 1e-15);
  }

  @Test
  void oneBinLeftMeansNothingCanDiffer() {
    ChiSquare test = ChiSquare.homogeneity(new long[] {0, 5, 0}, new long[] {0, 700, 0});
    assertEquals(new ChiSquare(0.0, 0, 1.0), test);
  }

  @Test
  void badBinsAreRejectedWithTheCause() {
    IllegalArgumentException length = assertThrows(
        IllegalArgumentException.class,
        () -> ChiSquare.homogeneity(new long[] {1, 2, 3}, new long[] {1, 2}));
    assertEquals(
        "Cannot run the chi-square test of homogeneity of 3 reference bins and 2 current bins:"
            + " both sides must have the same bins",
        length.getMessage());
    IllegalArgumentException negative = assertThrows(
        IllegalArgumentException.class,
        () -> ChiSquare.homogeneity(new long[] {-3, 2}, new long[] {1, 2}));
    assertEquals(
        "Cannot run the chi-square test of homogeneity with reference bin 0 = -3: counts must not"
            + " be negative",
        negative.getMessage());
    IllegalArgumentException empty = assertThrows(
        IllegalArgumentException.class,
        () -> ChiSquare.homogeneity(new long[] {3, 2}, new long[] {0, 0}));
    assertEquals(
        "Cannot run the chi-square test of homogeneity with no current rows: every current bin is"
            + " empty, so there are no proportions to compare",
        empty.getMessage());
  }
}
