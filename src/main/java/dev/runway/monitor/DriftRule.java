package dev.runway.monitor;

import dev.runway.stats.BenjaminiHochberg;
import dev.runway.stats.ChiSquare;
import dev.runway.stats.Psi;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When a batch has drifted from the training data, per column and as a whole, from both sides'
 * bin counts. A column drifts when it is both significant and large:
 *
 * <ul>
 *   <li>Significant: its chi-square test of homogeneity ({@link ChiSquare#homogeneity}), whose
 *       null distribution accounts for both sample sizes and the bin count, has a
 *       Benjamini–Hochberg adjusted p-value ({@link BenjaminiHochberg}) at most {@code fdr}, the
 *       adjustment taken across all the batch's columns. When no column has changed, the chance
 *       that any is significant is then at most {@code fdr} (for independent or positively
 *       dependent columns), whatever the sizes and however many columns: the false-retrain rate
 *       the check states. A fixed PSI band cannot state one, because PSI's noise shrinks with n:
 *       at small n it fires on noise, at large n it is quiet only by luck of the threshold.
 *   <li>Large: its PSI ({@link Psi}) is at least {@code minPsi}. A test alone flags any
 *       difference once the batch is large enough, and a shift of a hundredth of a standard
 *       deviation is no reason to retrain. The floor is an effect size, so it does not move with
 *       n: at the usual 0.1, a 0.2 SD shift of a normal column (PSI ≈ 0.04) is significant at n =
 *       10,000 but not flagged; a 0.5 SD shift (≈ 0.24) is.
 * </ul>
 *
 * <p>The floor can only remove columns from the significant ones, so it never raises the
 * false-alarm rate. Pure: counts in, verdict out; the bins come from the reference profile and
 * the batch's profile, made elsewhere.
 *
 * @param fdr the false-discovery rate q of the Benjamini–Hochberg step, in (0, 1)
 * @param minPsi the PSI a significant column must reach to count as drifted, at least 0
 */
public record DriftRule(double fdr, double minPsi) {

  /** Rejects a rate outside (0, 1) or a negative or infinite floor, before any counts are read. */
  public DriftRule {
    if (!(fdr > 0 && fdr < 1)) {
      throw new IllegalArgumentException("Cannot set drift.false-alarm-rate=" + fdr
          + ": the false-discovery rate must be in (0, 1)");
    }
    if (!(minPsi >= 0 && minPsi < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("Cannot set drift.min-psi=" + minPsi
          + ": the PSI floor must be a finite number at least 0");
    }
  }

  /** The rule at false-discovery rate {@code fdr} with PSI floor {@code minPsi}. */
  public static DriftRule of(double fdr, double minPsi) {
    return new DriftRule(fdr, minPsi);
  }

  /**
   * One column's bin counts on both sides, the same bins in the same order (for a numeric column
   * the reference's quantile bins and a missing bin; for a categorical one its top values,
   * "other" and missing). The arrays are read, never changed.
   */
  public record Binned(String column, long[] reference, long[] current) {}

  /**
   * One column's figures and verdict, as drift.json reports them.
   *
   * @param statistic the chi-square statistic of homogeneity
   * @param degreesOfFreedom bins kept (not empty on both sides) − 1
   * @param pValue the chi-square test's own p-value
   * @param adjustedPValue the Benjamini–Hochberg adjusted p-value across the batch's columns
   * @param psi PSI of the current bins against the reference's
   * @param significant adjustedPValue ≤ fdr
   * @param drifted significant and psi ≥ minPsi
   */
  public record ColumnTest(
      String column,
      double statistic,
      int degreesOfFreedom,
      double pValue,
      double adjustedPValue,
      double psi,
      boolean significant,
      boolean drifted) {}

  /**
   * The batch's verdict, with the settings it was reached at, so a report can state the floor and
   * the rate beside the figures.
   *
   * @param columns one test per column, in the order given
   */
  public record Result(double fdr, double minPsi, List<ColumnTest> columns) {
    public Result {
      columns = List.copyOf(columns);
    }

    /** Whether any column drifted: the signal to retrain. */
    public boolean retrain() {
      return columns.stream().anyMatch(ColumnTest::drifted);
    }

    /** The columns that drifted, in the order given. */
    public List<String> drifted() {
      return columns.stream()
          .filter(ColumnTest::drifted)
          .map(ColumnTest::column)
          .toList();
    }
  }

  /**
   * Tests every column and adjusts across all of them: a column's adjusted p-value depends on the
   * others, so the batch is decided at once, never column by column.
   *
   * @throws IllegalArgumentException when a column name repeats, or a column's bins differ in
   *     length, hold a negative count, or are empty on a side; the message names the column
   */
  public Result test(List<Binned> columns) {
    Set<String> seen = new HashSet<>();
    List<ChiSquare> tests = new ArrayList<>(columns.size());
    double[] psis = new double[columns.size()];
    double[] pValues = new double[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      Binned binned = columns.get(i);
      if (!seen.add(binned.column())) {
        throw new IllegalArgumentException("Cannot test drift of column " + binned.column()
            + " twice: each column must be given once");
      }
      try {
        ChiSquare test = ChiSquare.homogeneity(binned.reference(), binned.current());
        tests.add(test);
        pValues[i] = test.pValue();
        psis[i] = Psi.of(binned.reference(), binned.current());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Cannot test drift of column " + binned.column() + ": " + e.getMessage(), e);
      }
    }
    double[] adjusted = BenjaminiHochberg.adjust(pValues);
    List<ColumnTest> results = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      ChiSquare test = tests.get(i);
      boolean significant = adjusted[i] <= fdr;
      results.add(new ColumnTest(
          columns.get(i).column(),
          test.statistic(),
          test.degreesOfFreedom(),
          test.pValue(),
          adjusted[i],
          psis[i],
          significant,
          significant && psis[i] >= minPsi));
    }
    return new Result(fdr, minPsi, results);
  }
}
