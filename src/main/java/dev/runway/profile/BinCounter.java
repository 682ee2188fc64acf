package dev.runway.profile;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Counts rows into fixed bins, for every profiled column at once: the one pass over the data that
 * both the training profile (its exact counts) and drift (a new batch's counts) make. Each
 * partition counts into its own arrays on its executor; only one small array per partition
 * reaches the driver.
 *
 * <p>The rows must hold, in the profiles' order, each numeric column as a double and each
 * categorical one as a string ({@link Profiler#prepare}): both sides of a comparison are cast the
 * same way, so a value lands in the same bin whichever side it is on. They are read as Spark's
 * internal rows, straight from the query's output: converting every row to a {@link Row} first
 * cost more than the counting.
 */
final class BinCounter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final boolean[] numeric;
  private final double[][] edges;
  private final List<List<String>> values;
  private final int[] cells;
  /** Per categorical column, its values' cells, keyed the way the rows hold them (built lazily). */
  private transient List<Map<UTF8String, Integer>> index;

  BinCounter(List<ColumnProfile> columns) {
    int n = columns.size();
    numeric = new boolean[n];
    edges = new double[n][];
    cells = new int[n];
    values = columns.stream().map(c -> List.copyOf(c.values())).toList();
    for (int i = 0; i < n; i++) {
      ColumnProfile c = columns.get(i);
      numeric[i] = c.kind() == ColumnProfile.Kind.NUMERIC;
      edges[i] = c.edges().stream().mapToDouble(Double::doubleValue).toArray();
      cells[i] = c.counts().size();
    }
  }

  /** Counts of every column's cells over all of {@code rows}. */
  long[][] count(Dataset<Row> rows) {
    return rows.queryExecution()
        .toRdd()
        .toJavaRDD()
        .mapPartitions(this::countPartition)
        .fold(zero(), BinCounter::sum);
  }

  private Iterator<long[][]> countPartition(Iterator<InternalRow> rows) {
    long[][] counts = zero();
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      for (int i = 0; i < numeric.length; i++) {
        counts[i][cell(i, row)]++;
      }
    }
    return Collections.singletonList(counts).iterator();
  }

  /** The cell of column {@code i}'s value in {@code row}. */
  int cell(int i, InternalRow row) {
    int missing = cells[i] - 1;
    if (row.isNullAt(i)) {
      return missing;
    }
    if (numeric[i]) {
      double v = row.getDouble(i) + 0.0; // -0.0 sorts below 0.0 in binarySearch: the same bin as 0
      return Double.isNaN(v) ? missing : bin(edges[i], v);
    }
    Integer known = index().get(i).get(row.getUTF8String(i));
    return known != null ? known : missing - 1; // "other"
  }

  private List<Map<UTF8String, Integer>> index() {
    if (index == null) {
      List<Map<UTF8String, Integer>> built = new ArrayList<>();
      for (List<String> column : values) {
        Map<UTF8String, Integer> cells = new HashMap<>();
        for (int v = 0; v < column.size(); v++) {
          cells.put(UTF8String.fromString(column.get(v)), v);
        }
        built.add(cells);
      }
      index = built;
    }
    return index;
  }

  /** The bin of {@code v}: the first edge it does not exceed, or past the last. */
  static int bin(double[] edges, double v) {
    int at = Arrays.binarySearch(edges, v);
    return at >= 0 ? at : -at - 1;
  }

  private long[][] zero() {
    long[][] z = new long[cells.length][];
    for (int i = 0; i < cells.length; i++) {
      z[i] = new long[cells[i]];
    }
    return z;
  }

  private static long[][] sum(long[][] a, long[][] b) {
    long[][] out = new long[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = new long[a[i].length];
      for (int j = 0; j < a[i].length; j++) {
        out[i][j] = a[i][j] + b[i][j];
      }
    }
    return out;
  }
}
