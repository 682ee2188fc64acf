package dev.runway.stats;

import java.io.Serializable;

/**
 * The paired bootstrap's running sums, for every resample at once: one pass over the rows adds
 * each row to all resamples with its Poisson(1) weight there, and sums from separate partitions
 * merge by addition. Counts are longs (ints per bin), so accuracy and AUC come out exact and the
 * same whatever the partitioning and merge order; sums of losses and errors are doubles, equal to
 * rounding.
 *
 * <p>Per resample r: {@code weight[r]} = Σ w; count statistic k: Σ w over rows where flag k holds;
 * sum statistic s: Σ w·value_s. With AUC bins, the weighted positives and negatives of each model
 * in each score bin, R × bins × 2 classes × 2 models ints (16 MB at 1,000 resamples and 1,000
 * bins), laid out so that one row's R updates are contiguous. The unweighted counterparts
 * ({@code rows}, {@code plainCounts}, {@code plainSums}, {@code plainBinned}) give the metrics on
 * all rows in the same pass.
 */
final class PairedSums implements Serializable {
  private static final long serialVersionUID = 1L;

  final int resamples;
  final long seed;
  final int bins;
  final long[] weight;
  final long[] counts;
  final double[] sums;
  final int[] binned;
  long rows;
  long skipped;
  final long[] plainCounts;
  final double[] plainSums;
  final long[] plainBinned;
  private transient int[] scratch;

  /**
   * @param countStatistics flags per row, each counted with weight where it holds
   * @param sumStatistics values per row, each summed with weight
   * @param bins score bins per model for AUC; 0 for none
   */
  PairedSums(int resamples, long seed, int countStatistics, int sumStatistics, int bins) {
    this.resamples = resamples;
    this.seed = seed;
    this.bins = bins;
    weight = new long[resamples];
    counts = new long[countStatistics * resamples];
    sums = new double[sumStatistics * resamples];
    binned = new int[4 * bins * resamples];
    plainCounts = new long[countStatistics];
    plainSums = new double[sumStatistics];
    plainBinned = new long[4 * bins];
  }

  /**
   * Adds one row. {@code flags} and {@code values} are read, not kept (callers reuse them). The
   * bins are ignored without AUC bins.
   */
  void add(
      long rowKey,
      boolean[] flags,
      double[] values,
      boolean positive,
      int baselineBin,
      int candidateBin) {
    if (scratch == null) {
      scratch = new int[resamples];
    }
    int[] w = scratch;
    PoissonWeights.fill(seed, rowKey, w);
    int n = resamples;
    rows++;
    for (int r = 0; r < n; r++) {
      weight[r] += w[r];
    }
    for (int k = 0; k < flags.length; k++) {
      if (flags[k]) {
        plainCounts[k]++;
        int base = k * n;
        for (int r = 0; r < n; r++) {
          counts[base + r] += w[r];
        }
      }
    }
    for (int s = 0; s < values.length; s++) {
      double v = values[s];
      plainSums[s] += v;
      int base = s * n;
      for (int r = 0; r < n; r++) {
        sums[base + r] += w[r] * v;
      }
    }
    if (bins > 0) {
      int label = positive ? 1 : 0;
      addToBin(binIndex(0, label, baselineBin), w);
      addToBin(binIndex(1, label, candidateBin), w);
    }
  }

  /** Slot of (model 0 baseline / 1 candidate, label 0 negative / 1 positive, bin). */
  int binIndex(int model, int label, int bin) {
    return (model * 2 + label) * bins + bin;
  }

  private void addToBin(int index, int[] w) {
    plainBinned[index]++;
    int base = index * resamples;
    for (int r = 0; r < resamples; r++) {
      binned[base + r] += w[r];
    }
  }

  /** Adds {@code other} into this one and returns this. */
  PairedSums merge(PairedSums other) {
    rows += other.rows;
    skipped += other.skipped;
    add(weight, other.weight);
    add(counts, other.counts);
    add(plainCounts, other.plainCounts);
    add(plainBinned, other.plainBinned);
    for (int i = 0; i < sums.length; i++) {
      sums[i] += other.sums[i];
    }
    for (int i = 0; i < plainSums.length; i++) {
      plainSums[i] += other.plainSums[i];
    }
    for (int i = 0; i < binned.length; i++) {
      // A bin's weighted count stays far below 2^31 unless one bin holds ~10^9 rows; fail then
      // rather than wrap.
      binned[i] = Math.addExact(binned[i], other.binned[i]);
    }
    return this;
  }

  private static void add(long[] into, long[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  /**
   * Resample r's AUC of {@code model} from its binned counts: pairs in different bins ordered by
   * bin, pairs within a bin counted half; NaN without a positive or a negative.
   */
  double binnedAuc(int model, int r) {
    long positives = 0;
    long negatives = 0;
    long twiceU = 0;
    for (int b = 0; b < bins; b++) {
      long pos = binned[binIndex(model, 1, b) * resamples + r];
      long neg = binned[binIndex(model, 0, b) * resamples + r];
      twiceU += pos * (2 * negatives + neg);
      positives += pos;
      negatives += neg;
    }
    return positives == 0 || negatives == 0 ? Double.NaN : twiceU / (2.0 * positives * negatives);
  }

  /**
   * The most the plain binned AUC of {@code model} can differ from its exact AUC: only pairs of a
   * positive and a negative in the same bin are counted half without looking at their scores, so
   * the error is at most Σ_b pos_b·neg_b / (2·P·N). With equal-mass bins it is at most (rows per
   * bin) / (2·max(P, N)) ≤ 1/bins.
   */
  double binningErrorBound(int model) {
    double pairs = 0;
    long positives = 0;
    long negatives = 0;
    for (int b = 0; b < bins; b++) {
      long pos = plainBinned[binIndex(model, 1, b)];
      long neg = plainBinned[binIndex(model, 0, b)];
      pairs += (double) pos * neg;
      positives += pos;
      negatives += neg;
    }
    return positives == 0 || negatives == 0 ? 0.0 : pairs / (2.0 * positives * negatives);
  }
}
