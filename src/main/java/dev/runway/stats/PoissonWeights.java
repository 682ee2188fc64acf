package dev.runway.stats;

/**
 * Poisson(1) bootstrap weights as a pure function of (seed, row key, resample): the row's count in
 * a resample does not depend on which task, partition or machine sees the row, so the same seed
 * gives the same intervals on a laptop and on a cluster. Poisson(1) counts are the limit of the
 * multinomial counts of an n-out-of-n resample (Hanley and MacGibbon 2006; Chamandy et al. 2012,
 * "Estimating uncertainty for massive data streams"), and unlike those need no global n.
 *
 * <p>A row's draws are a SplitMix64 stream (Steele, Lea and Flood 2014) started from a hash of the
 * seed and the row key; each 64-bit draw becomes a uniform of 53 bits and then a count by the
 * inverse of the Poisson(1) distribution function, tabulated once.
 */
final class PoissonWeights {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private static final long UNIT = 1L << 53;
  /** P(X ≤ k)·2^53, rounded; the last entry is 2^53, so every 53-bit uniform finds a k. */
  private static final long[] THRESHOLDS = thresholds();

  private static final long T0 = THRESHOLDS[0];
  private static final long T1 = THRESHOLDS[1];
  private static final long T2 = THRESHOLDS[2];
  private static final long T3 = THRESHOLDS[3];

  private PoissonWeights() {}

  /** The weight of row {@code rowKey} in resample {@code resample} (from 0) under {@code seed}. */
  static int weight(long seed, long rowKey, int resample) {
    return poisson(mix64(start(seed, rowKey) + (resample + 1L) * GOLDEN_GAMMA));
  }

  /** Fills {@code weights[r]} with {@link #weight}(seed, rowKey, r) for every r, in one pass. */
  static void fill(long seed, long rowKey, int[] weights) {
    long state = start(seed, rowKey);
    for (int r = 0; r < weights.length; r++) {
      state += GOLDEN_GAMMA;
      weights[r] = poisson(mix64(state));
    }
  }

  /** The Poisson(1) count whose distribution function first exceeds the top 53 bits of bits. */
  static int poisson(long bits) {
    long u = bits >>> 11;
    // Counts 0 to 4 (99.6% of draws) without a branch to mispredict: each term is 1 when u is at
    // or above that threshold (both below 2^53, so the difference's sign bit says which).
    int k = (int) ((T0 - 1 - u) >>> 63)
        + (int) ((T1 - 1 - u) >>> 63)
        + (int) ((T2 - 1 - u) >>> 63)
        + (int) ((T3 - 1 - u) >>> 63);
    while (u >= THRESHOLDS[k]) {
      k++;
    }
    return k;
  }

  /** Largest weight the table can give. */
  static int maxWeight() {
    return THRESHOLDS.length - 1;
  }

  private static long start(long seed, long rowKey) {
    // Hash the key before mixing in the seed, so neighbouring keys under neighbouring seeds do
    // not start neighbouring streams.
    return mix64(seed ^ mix64(rowKey + GOLDEN_GAMMA));
  }

  /** SplitMix64's finaliser (Stafford's variant 13): a bijection that scatters every input bit. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static long[] thresholds() {
    // Each tail P(X > k) summed directly from its own small terms: 1 − P(X ≤ k) would lose the
    // tail's digits to cancellation.
    int terms = 40;
    double[] pmf = new double[terms];
    pmf[0] = Math.exp(-1);
    for (int j = 1; j < terms; j++) {
      pmf[j] = pmf[j - 1] / j;
    }
    long[] table = new long[terms];
    for (int k = 0; k < terms; k++) {
      double tail = 0;
      for (int j = terms - 1; j > k; j--) {
        tail += pmf[j];
      }
      table[k] = UNIT - Math.round(tail * UNIT);
      if (table[k] == UNIT) {
        long[] used = new long[k + 1];
        System.arraycopy(table, 0, used, 0, k + 1);
        return used;
      }
    }
    throw new IllegalStateException("the Poisson(1) table did not reach 1");
  }
}
