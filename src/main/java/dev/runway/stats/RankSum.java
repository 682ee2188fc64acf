package dev.runway.stats;

import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Rank sums over rows grouped by a sortable key, as the Wilcoxon signed-rank test and the
 * Mann-Whitney U (AUC) need them, computed on Spark without collecting rows.
 *
 * <p>Group g holds {@code ranked_g} rows that take ranks and {@code hits_g} rows whose ranks are
 * summed. With {@code before_g} the ranked rows of all groups of smaller key, {@code twiceSum} =
 * Σ_g hits_g·(2·before_g + ranked_g). Tied rows share their group's average rank, so:
 *
 * <ul>
 *   <li>Wilcoxon: groups are distinct |d|, ranked = rows, hits = positive d; W+ = (twiceSum +
 *       hits) / 2 (ranks start at 1);
 *   <li>AUC: groups are distinct scores, ranked = negatives, hits = positives; U = twiceSum / 2
 *       counts each (positive, negative) pair with the positive scored higher once, tied pairs
 *       half.
 * </ul>
 *
 * <p>Sums are longs, exact whatever the partitioning: up to 2·n² for n rows, so to about 2·10⁹
 * rows.
 *
 * @param twiceSum Σ_g hits_g·(2·before_g + ranked_g)
 * @param ranked Σ_g ranked_g
 * @param hits Σ_g hits_g
 * @param tieTerm Σ_g (ranked_g³ − ranked_g), for the variance's tie correction
 * @param invalid rows whose key is null or NaN, left out of all the other sums
 */
record RankSum(long twiceSum, long ranked, long hits, double tieTerm, long invalid)
    implements Serializable {
  static final RankSum ZERO = new RankSum(0, 0, 0, 0, 0);

  RankSum plus(RankSum other) {
    return new RankSum(
        twiceSum + other.twiceSum,
        ranked + other.ranked,
        hits + other.hits,
        tieTerm + other.tieTerm,
        invalid + other.invalid);
  }

  /** Sums groups added in ascending key order; the one place the formulas live. */
  static final class Running {
    private final long offset;
    private long before;
    private long twiceSum;
    private long hits;
    private double tieTerm;
    private long invalid;

    /** @param offset ranked rows in groups before the first one added */
    Running(long offset) {
      this.offset = offset;
      this.before = offset;
    }

    void add(long ranked, long groupHits) {
      twiceSum += groupHits * (2 * before + ranked);
      hits += groupHits;
      double t = ranked;
      tieTerm += t * t * t - t;
      before += ranked;
    }

    void addInvalid(long rows) {
      invalid += rows;
    }

    RankSum result() {
      return new RankSum(twiceSum, before - offset, hits, tieTerm, invalid);
    }
  }

  /**
   * The sums over {@code groups}: one row per distinct key, columns (key double, ranked long, hits
   * long) in that order. Three small jobs: the sort's sampling, ranked rows per sorted partition
   * (one long each to the driver), and the sums with each partition's offset (one RankSum each).
   */
  static RankSum of(Dataset<Row> groups) {
    JavaRDD<Row> sorted = groups.orderBy(groups.col(groups.columns()[0])).javaRDD();
    // The same RDD object serves both jobs, so the sort's shuffle output is reused, not redone.
    List<long[]> totals = sorted
        .mapPartitionsWithIndex(
            (index, rows) -> {
              long total = 0;
              while (rows.hasNext()) {
                Row row = rows.next();
                total += valid(row) ? row.getLong(1) : 0;
              }
              return Collections.singletonList(new long[] {index, total}).iterator();
            },
            false)
        .collect();
    long[] ranked = new long[sorted.getNumPartitions()];
    for (long[] total : totals) {
      ranked[(int) total[0]] = total[1];
    }
    long[] offsets = new long[ranked.length];
    for (int i = 1; i < ranked.length; i++) {
      offsets[i] = offsets[i - 1] + ranked[i - 1];
    }
    return sorted
        .mapPartitionsWithIndex(
            (index, rows) ->
                Collections.singletonList(sum(rows, offsets[index])).iterator(),
            false)
        .fold(ZERO, RankSum::plus);
  }

  private static RankSum sum(Iterator<Row> rows, long offset) {
    Running running = new Running(offset);
    while (rows.hasNext()) {
      Row row = rows.next();
      if (valid(row)) {
        running.add(row.getLong(1), row.getLong(2));
      } else {
        running.addInvalid(row.getLong(1));
      }
    }
    return running.result();
  }

  private static boolean valid(Row row) {
    return !row.isNullAt(0) && !Double.isNaN(row.getDouble(0));
  }
}
