package dev.runway.train.nn;

import java.io.Serializable;

/**
 * A seeded pseudo-random permutation of {@code 0..n-1} that maps one index at a time, so rows can
 * be scattered over workers and blocks in a streaming pass without any array of size n: a
 * four-round Feistel network on the smallest even-bit domain that holds n, with cycle walking
 * back into {@code [0, n)} (at most four steps on average, since the domain is below 4n).
 */
final class RowPermutation implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int ROUNDS = 4;

  private final long n;
  private final int half;
  private final long mask;
  private final long[] keys = new long[ROUNDS];

  RowPermutation(long n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("negative size " + n);
    }
    this.n = n;
    int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1)));
    bits += bits % 2;
    this.half = bits / 2;
    this.mask = (1L << half) - 1;
    long k = seed;
    for (int i = 0; i < ROUNDS; i++) {
      k = mix(k + 0x9E3779B97F4A7C15L);
      keys[i] = k;
    }
  }

  /** The position of index {@code i} after the permutation. */
  long apply(long i) {
    if (i < 0 || i >= n) {
      throw new IndexOutOfBoundsException(i + " outside [0, " + n + ")");
    }
    long x = i;
    do {
      x = encrypt(x);
    } while (x >= n);
    return x;
  }

  private long encrypt(long x) {
    long left = x >>> half;
    long right = x & mask;
    for (long key : keys) {
      long next = left ^ (mix(right ^ key) & mask);
      left = right;
      right = next;
    }
    return (left << half) | right;
  }

  /** SplitMix64's finalizer: a cheap, well-mixing bijection on 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
