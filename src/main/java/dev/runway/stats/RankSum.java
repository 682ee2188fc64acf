package dev.runway.stats;

import java.io.Serializable;

/**
 * Rank sums over rows grouped by a sortable key, as the Wilcoxon signed-rank test and the
 * Mann-Whitney U (AUC) need them; on Spark from {@link SortedGroups}, on the driver from a local
 * sort, with the same formulas ({@link Running}).
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
}
