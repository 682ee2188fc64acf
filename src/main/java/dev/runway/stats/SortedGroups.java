package dev.runway.stats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Groups of rows with one key each, sorted by key on Spark, with how many rows precede each
 * partition: the ranks of a distributed sort without collecting the rows or numbering them one by
 * one. Input columns, in order: key (double), ranked (long), hits (long), rows (long), one row per
 * distinct key; groups whose key is null or NaN are counted as invalid and otherwise ignored.
 *
 * <p>Built with two small jobs (the sort's sampling and one long pair per partition); each method
 * then runs one more job over the same sorted partitions, whose shuffle output Spark reuses.
 */
final class SortedGroups {
  private final JavaRDD<Row> sorted;
  private final long[] rankedBefore;
  private final long[] rowsBefore;
  private final long rows;

  private SortedGroups(JavaRDD<Row> sorted, long[] rankedBefore, long[] rowsBefore, long rows) {
    this.sorted = sorted;
    this.rankedBefore = rankedBefore;
    this.rowsBefore = rowsBefore;
    this.rows = rows;
  }

  static SortedGroups of(Dataset<Row> groups) {
    JavaRDD<Row> sorted = groups.orderBy(groups.col(groups.columns()[0])).javaRDD();
    List<long[]> totals = sorted
        .mapPartitionsWithIndex(
            (index, it) -> {
              long ranked = 0;
              long rows = 0;
              while (it.hasNext()) {
                Row row = it.next();
                if (valid(row)) {
                  ranked += row.getLong(1);
                  rows += row.getLong(3);
                }
              }
              return Collections.singletonList(new long[] {index, ranked, rows}).iterator();
            },
            false)
        .collect();
    int partitions = sorted.getNumPartitions();
    long[] ranked = new long[partitions];
    long[] rows = new long[partitions];
    for (long[] total : totals) {
      ranked[(int) total[0]] = total[1];
      rows[(int) total[0]] = total[2];
    }
    long[] rankedBefore = new long[partitions];
    long[] rowsBefore = new long[partitions];
    long allRows = partitions == 0 ? 0 : rows[0];
    for (int i = 1; i < partitions; i++) {
      rankedBefore[i] = rankedBefore[i - 1] + ranked[i - 1];
      rowsBefore[i] = rowsBefore[i - 1] + rows[i - 1];
      allRows += rows[i];
    }
    return new SortedGroups(sorted, rankedBefore, rowsBefore, allRows);
  }

  /** The rank sums over all groups ({@link RankSum}). */
  RankSum rankSum() {
    long[] offsets = rankedBefore;
    return sorted
        .mapPartitionsWithIndex(
            (index, it) -> Collections.singletonList(sum(it, offsets[index])).iterator(), false)
        .fold(RankSum.ZERO, RankSum::plus);
  }

  /**
   * Cut points between {@code bins} equal-mass bins of the rows in key order: bin i nominally
   * holds the rows ranked floor(i·N/bins) to floor((i+1)·N/bins) − 1 (from 0), and its cut point
   * is the key of its first row. A group is never split, so equal keys share a bin and a large
   * group makes fewer, unequal bins; duplicates are removed. Exact, and the same whatever the
   * partitioning.
   */
  double[] cutPoints(int bins) {
    long n = rows;
    long[] offsets = rowsBefore;
    List<Double> cuts = sorted
        .mapPartitionsWithIndex(
            (index, it) -> {
              List<Double> found = new ArrayList<>();
              long before = offsets[index];
              int next = firstCut(before, n, bins);
              while (it.hasNext()) {
                Row row = it.next();
                if (!valid(row)) {
                  continue;
                }
                long after = before + row.getLong(3);
                // Cut i's first row, floor(i·N/bins), falls in [before, after).
                for (; next < bins && Math.floorDiv(next * n, bins) < after; next++) {
                  found.add(row.getDouble(0));
                }
                before = after;
              }
              return found.iterator();
            },
            false)
        .collect();
    return cuts.stream().mapToDouble(Double::doubleValue).distinct().sorted().toArray();
  }

  /** The first i ≥ 1 whose first row floor(i·N/bins) is not before {@code before}. */
  private static int firstCut(long before, long n, int bins) {
    int i = 1;
    while (i < bins && Math.floorDiv(i * n, bins) < before) {
      i++;
    }
    return i;
  }

  private static RankSum sum(Iterator<Row> rows, long offset) {
    RankSum.Running running = new RankSum.Running(offset);
    while (rows.hasNext()) {
      Row row = rows.next();
      if (valid(row)) {
        running.add(row.getLong(1), row.getLong(2));
      } else {
        running.addInvalid(row.getLong(3));
      }
    }
    return running.result();
  }

  private static boolean valid(Row row) {
    return !row.isNullAt(0) && !Double.isNaN(row.getDouble(0));
  }
}
