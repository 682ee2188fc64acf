package dev.runway.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runway.profile.ColumnProfile.Kind;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** Which cell a value lands in: the rule both the reference and a later batch are counted by. */
class BinCounterTest {
  private static final ColumnProfile NUMBERS =
      ColumnProfile.empty("x", Kind.NUMERIC, "DOUBLE", List.of(1.0, 2.5, 4.0), List.of());
  private static final ColumnProfile COLOURS =
      ColumnProfile.empty("c", Kind.CATEGORICAL, "STRING", List.of(), List.of("red", "blue"));

  private static int cell(ColumnProfile column, Object value) {
    return new BinCounter(List.of(column)).cell(0, row(value));
  }

  /** A row as the counter reads it: Spark's internal row, strings as UTF8String. */
  private static InternalRow row(Object... values) {
    Object[] internal = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      internal[i] = values[i] instanceof String s ? UTF8String.fromString(s) : values[i];
    }
    return new GenericInternalRow(internal);
  }

  @Test
  void aNumberLandsInTheFirstBinWhoseUpperEdgeItDoesNotExceed() {
    assertEquals(0, cell(NUMBERS, -7.0));
    assertEquals(0, cell(NUMBERS, 1.0), "edges are upper bounds, inclusive");
    assertEquals(1, cell(NUMBERS, 1.0000001));
    assertEquals(1, cell(NUMBERS, 2.5));
    assertEquals(2, cell(NUMBERS, 3.0));
    assertEquals(3, cell(NUMBERS, 4.5), "above the last edge");
    assertEquals(3, cell(NUMBERS, Double.POSITIVE_INFINITY));
    assertEquals(0, cell(NUMBERS, Double.NEGATIVE_INFINITY));
    assertEquals(4, cell(NUMBERS, Double.NaN), "NaN is missing");
    assertEquals(4, cell(NUMBERS, null), "null is missing");
    ColumnProfile zero = ColumnProfile.empty("z", Kind.NUMERIC, "DOUBLE", List.of(0.0), List.of());
    assertEquals(0, cell(zero, -0.0), "-0.0 is 0: the same bin");
  }

  @Test
  void aCategoryIsItsOwnCellOrOtherOrMissing() {
    assertEquals(0, cell(COLOURS, "red"));
    assertEquals(1, cell(COLOURS, "blue"));
    assertEquals(2, cell(COLOURS, "green"), "other");
    assertEquals(2, cell(COLOURS, "Red"), "values are compared exactly");
    assertEquals(3, cell(COLOURS, null), "missing");
  }

  @Test
  void theCellsReadAsTheirBoundsInTheReport() {
    assertEquals(
        List.of("(-inf, 1]", "(1, 2.5]", "(2.5, 4]", "(4, +inf)", "missing"), NUMBERS.labels());
    assertEquals(List.of("red", "blue", "other", "missing"), COLOURS.labels());
    ColumnProfile none = ColumnProfile.empty("n", Kind.NUMERIC, "DOUBLE", List.of(), List.of());
    assertEquals(List.of("(-inf, +inf)", "missing"), none.labels(), "a column with no values");
  }

  @Test
  void countsArePerColumnPerCell() {
    BinCounter counter = new BinCounter(List.of(NUMBERS, COLOURS));
    long[][] counts = {new long[5], new long[4]};
    for (InternalRow row :
        List.of(row(0.5, "red"), row(3.0, "red"), row(null, "mauve"), row(9.0, null))) {
      for (int i = 0; i < 2; i++) {
        counts[i][counter.cell(i, row)]++;
      }
    }
    assertArrayEquals(new long[] {1, 0, 1, 1, 1}, counts[0]);
    assertArrayEquals(new long[] {2, 0, 1, 1}, counts[1]);
  }
}
