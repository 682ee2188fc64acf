package dev.runway.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.monitor.DriftRule.Binned;
import dev.runway.monitor.DriftRule.ColumnTest;
import dev.runway.stats.BenjaminiHochberg;
import dev.runway.stats.ChiSquare;
import dev.runway.stats.Psi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The drift rule's verdicts on hand-made bins, and its argument checks. */
class DriftRuleTest {
  private static final long[] TENTHS = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0};

  /** Deciles of a 1,000-row reference, a missing bin, and the columns of one batch. */
  private static List<Binned> batch() {
    return List.of(
        // Unchanged: the batch's counts wobble around the reference's.
        new Binned("steady", TENTHS, new long[] {98, 105, 101, 97, 103, 99, 100, 102, 96, 99, 0}),
        // Moved by about half a standard deviation: significant and large.
        new Binned("moved", TENTHS, new long[] {35, 50, 65, 75, 90, 100, 115, 130, 150, 190, 0}),
        // A batch of a million rows a hair off the reference: significant, far below the floor.
        new Binned("trivial", new long[] {1_000_000, 1_000_000, 1_000_000, 0}, new long[] {
          1_010_000, 1_000_000, 990_000, 0
        }),
        // Nulls appear in the batch: the missing bin, empty in the reference, is kept.
        new Binned("nulls", TENTHS, new long[] {90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 100}));
  }

  @Test
  void eachColumnCarriesItsTestItsAdjustmentAndItsPsi() {
    List<Binned> columns = batch();
    DriftRule.Result result = DriftRule.of(0.01, 0.1).test(columns);
    double[] pValues = columns.stream()
        .mapToDouble(b -> ChiSquare.homogeneity(b.reference(), b.current()).pValue())
        .toArray();
    double[] adjusted = BenjaminiHochberg.adjust(pValues);
    assertEquals(columns.size(), result.columns().size());
    for (int i = 0; i < columns.size(); i++) {
      Binned binned = columns.get(i);
      ColumnTest test = result.columns().get(i);
      ChiSquare chiSquare = ChiSquare.homogeneity(binned.reference(), binned.current());
      assertEquals(binned.column(), test.column());
      assertEquals(chiSquare.statistic(), test.statistic());
      assertEquals(chiSquare.degreesOfFreedom(), test.degreesOfFreedom());
      assertEquals(chiSquare.pValue(), test.pValue());
      assertEquals(adjusted[i], test.adjustedPValue());
      assertEquals(Psi.of(binned.reference(), binned.current()), test.psi());
      assertEquals(adjusted[i] <= 0.01, test.significant(), binned.column());
      assertEquals(test.significant() && test.psi() >= 0.1, test.drifted(), binned.column());
    }
    assertEquals(0.01, result.fdr());
    assertEquals(0.1, result.minPsi());
  }

  @Test
  void aColumnDriftsOnlyWhenSignificantAndAboveTheFloor() {
    DriftRule.Result result = DriftRule.of(0.01, 0.1).test(batch());
    ColumnTest steady = result.columns().get(0);
    ColumnTest moved = result.columns().get(1);
    ColumnTest trivial = result.columns().get(2);
    ColumnTest nulls = result.columns().get(3);
    assertFalse(steady.significant(), steady.toString());
    assertTrue(moved.drifted(), moved.toString());
    // Huge samples make a 1% wobble significant; the floor keeps it from calling for a retrain.
    assertTrue(trivial.significant() && !trivial.drifted(), trivial.toString());
    assertTrue(trivial.psi() < 1e-3, trivial.toString());
    assertTrue(nulls.drifted() && nulls.degreesOfFreedom() == 10, nulls.toString());
    assertEquals(List.of("moved", "nulls"), result.drifted());
    assertTrue(result.retrain());
    // With no floor the trivial column drifts too; with a floor above every PSI nothing does.
    assertEquals(
        List.of("moved", "trivial", "nulls"),
        DriftRule.of(0.01, 0).test(batch()).drifted());
    assertFalse(DriftRule.of(0.01, 100).test(batch()).retrain());
  }

  @Test
  void theAdjustmentIsAcrossColumns() {
    // p ≈ 0.004 on its own: significant at q = 0.01 alone, not among 20 unchanged columns.
    long[] reference = {500, 500};
    long[] current = {565, 435};
    double p = ChiSquare.homogeneity(reference, current).pValue();
    assertTrue(p > 0.002 && p < 0.006, "p " + p);
    DriftRule rule = DriftRule.of(0.01, 0);
    assertTrue(rule.test(List.of(new Binned("x", reference, current))).retrain());
    List<Binned> many = new ArrayList<>();
    many.add(new Binned("x", reference, current));
    for (int i = 0; i < 20; i++) {
      many.add(new Binned("quiet" + i, reference, new long[] {500 + i % 3, 500 - i % 3}));
    }
    DriftRule.Result result = rule.test(many);
    assertFalse(result.retrain(), result.columns().get(0).toString());
    assertEquals(Math.min(1, p * 21), result.columns().get(0).adjustedPValue(), 1e-12);
  }

  @Test
  void noColumnsMeanNoRetrain() {
    DriftRule.Result result = DriftRule.of(0.01, 0.1).test(List.of());
    assertTrue(result.columns().isEmpty());
    assertFalse(result.retrain());
    assertEquals(List.of(), result.drifted());
  }

  @Test
  void badSettingsAreRejectedWithTheRule() {
    for (double fdr : new double[] {0, 1, -0.1, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DriftRule.of(fdr, 0.1));
      assertEquals(
          "Cannot set drift.false-alarm-rate=" + fdr
              + ": the false-discovery rate must be in (0, 1)",
          e.getMessage());
    }
    for (double minPsi : new double[] {-0.01, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DriftRule.of(0.01, minPsi));
      assertEquals(
          "Cannot set drift.min-psi=" + minPsi
              + ": the PSI floor must be a finite number at least 0",
          e.getMessage());
    }
  }

  @Test
  void badColumnsAreRejectedByName() {
    DriftRule rule = DriftRule.of(0.01, 0.1);
    IllegalArgumentException twice = assertThrows(
        IllegalArgumentException.class,
        () -> rule.test(
            List.of(new Binned("age", TENTHS, TENTHS), new Binned("age", TENTHS, TENTHS))));
    assertEquals(
        "Cannot test drift of column age twice: each column must be given once",
        twice.getMessage());
    IllegalArgumentException empty = assertThrows(
        IllegalArgumentException.class,
        () -> rule.test(List.of(new Binned("city", new long[] {5, 5}, new long[] {0, 0}))));
    assertEquals(
        "Cannot test drift of column city: Cannot run the chi-square test of homogeneity with no"
            + " current rows: every current bin is empty, so there are no proportions to compare",
        empty.getMessage());
  }
}
