package dev.runway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.WilcoxonSignedRankTest.Result;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The Wilcoxon signed-rank test, on the driver and on Spark, against commons-statistics-inference
 * and two textbook examples.
 */
class WilcoxonSignedRankTest {
  private final SparkSession spark = TestSpark.session();

  /** Seeded differences: continuous, rounded (ties), with zeros, at sizes on both sides of 50. */
  private static List<double[]> dataSets() {
    SplittableRandom random = new SplittableRandom(11);
    List<double[]> sets = new ArrayList<>();
    for (int n : new int[] {12, 40, 50, 51, 300, 3000}) {
      for (double step : new double[] {0, 0.25, 1}) { // 0: continuous; else rounded to step
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          double x = 0.3 + Normal.quantile(random.nextDouble(1e-12, 1.0));
          d[i] = step == 0 ? x : step * Math.rint(x / step);
        }
        sets.add(d);
      }
    }
    sets.add(new double[] {0, 0, 1, -1, 2, -2, 2, 3}); // symmetric with zeros: p near 1
    return sets;
  }

  /** commons ranks zeros too (Pratt) when given them; Wilcoxon's method drops them first. */
  private static Result commons(double[] d) {
    double[] nonZero = Arrays.stream(d).filter(x -> x != 0).toArray();
    return org.apache.commons.statistics.inference.WilcoxonSignedRankTest.withDefaults()
        .test(nonZero);
  }

  /** Two input partitions; the sort by |d| spreads the groups over up to four. */
  private Dataset<Row> rows(double[] d) {
    List<Double> values = Arrays.stream(d).boxed().toList();
    return spark.createDataset(values, Encoders.DOUBLE()).toDF("d");
  }

  @Test
  void localAndSparkEqualCommonsOnSeededDataWithTiesAndZeros() {
    int exact = 0;
    int normal = 0;
    List<double[]> sets = dataSets();
    for (int s = 0; s < sets.size(); s++) {
      double[] d = sets.get(s);
      Result expected = commons(d);
      WilcoxonSignedRank local = WilcoxonSignedRank.test(d);
      // Spark on one rounding per size (a second of jobs each): exact, normal, ties, zeros.
      List<WilcoxonSignedRank> actuals = s % 3 == (s / 3) % 3 || s == sets.size() - 1
          ? List.of(local, WilcoxonSignedRank.test(rows(d), "d"))
          : List.of(local);
      String what = "n=" + d.length + " " + local;
      for (WilcoxonSignedRank actual : actuals) {
        assertEquals(expected.getStatistic(), actual.wPlus(), 1e-9, what);
        assertEquals(expected.getPValue(), actual.pValue(), 1e-9, what);
        boolean exactExpected =
            actual.n() <= WilcoxonSignedRank.EXACT_LIMIT && !expected.hasTiedValues();
        assertEquals(
            exactExpected ? WilcoxonSignedRank.Method.EXACT : WilcoxonSignedRank.Method.NORMAL,
            actual.method(),
            what);
        assertEquals(Arrays.stream(d).filter(x -> x != 0).count(), actual.n());
        assertEquals(local.z(), actual.z(), 1e-12, what);
      }
      exact += local.method() == WilcoxonSignedRank.Method.EXACT ? 1 : 0;
      normal += local.method() == WilcoxonSignedRank.Method.NORMAL ? 1 : 0;
    }
    assertTrue(exact >= 3 && normal >= 10, "both methods checked: " + exact + ", " + normal);
  }

  @Test
  void anExactTextbookExample() {
    // Hollander and Wolfe (1999), Nonparametric Statistical Methods, 2nd ed., Example 3.1
    // (Hamilton depression scale before x and after y a tranquilizer), R's wilcox.test example:
    // V = 40, one-sided p = 0.01953 = 10/512, so two-sided 20/512.
    double[] x = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
    double[] y = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
    double[] d = new double[x.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = x[i] - y[i];
    }
    for (WilcoxonSignedRank test :
        List.of(WilcoxonSignedRank.test(d), WilcoxonSignedRank.test(rows(d), "d"))) {
      assertEquals(40.0, test.wPlus());
      assertEquals(20.0 / 512, test.pValue(), 1e-12);
      assertEquals(WilcoxonSignedRank.Method.EXACT, test.method());
    }
  }

  @Test
  void aTextbookExampleWithATieAndAZero() {
    // Wikipedia, "Wilcoxon signed-rank test", Example: ten pairs, one zero difference dropped,
    // |d| = 5 tied twice; W = W+ − W− = 9, so W+ = 27 of 45. Normal approximation with the tie
    // correction: z = (27 − 22.5 − 0.5) / sqrt(71.25 − 6/48) = 0.4743, p = 0.6353.
    double[] after = {110, 122, 125, 120, 140, 124, 123, 137, 135, 145};
    double[] before = {125, 115, 130, 140, 140, 115, 140, 125, 140, 135};
    double[] d = new double[after.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = before[i] - after[i];
    }
    WilcoxonSignedRank test = WilcoxonSignedRank.test(d);
    assertEquals(9, test.n());
    assertEquals(27.0, test.wPlus());
    assertEquals(0.4742953333830018, test.z(), 1e-12);
    assertEquals(0.6352893188352069, test.pValue(), 1e-9);
    assertEquals(WilcoxonSignedRank.Method.NORMAL, test.method());
  }

  @Test
  void allZeroDifferencesGiveNoEvidence() {
    WilcoxonSignedRank test = WilcoxonSignedRank.test(new double[] {0, 0, -0.0});
    assertEquals(0, test.n());
    assertEquals(1.0, test.pValue());
  }

  @Test
  void nullOrNaNDifferencesAreRejectedWithTheCount() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> WilcoxonSignedRank.test(rows(new double[] {1, Double.NaN, -2, Double.NaN}), "d"));
    assertEquals(
        "Cannot run the Wilcoxon signed-rank test on column d: 2 rows are null or NaN",
        e.getMessage());
    IllegalArgumentException local = assertThrows(
        IllegalArgumentException.class,
        () -> WilcoxonSignedRank.test(new double[] {1, Double.NaN}));
    assertEquals("Cannot run the Wilcoxon signed-rank test on NaN differences", local.getMessage());
  }
}
