package dev.runway.stats;

/**
 * The argument checks shared by the two-sample statistics of bin counts ({@link Psi}, {@link
 * ChiSquare}), so both reject the same inputs with the same words.
 */
final class BinCounts {
  private BinCounts() {}

  /**
   * Rejects bins of different lengths, negative counts and a side with no rows, naming the cause.
   *
   * @param action what the caller was doing, for the message ("compute PSI")
   */
  static void check(String action, long[] reference, long[] current) {
    if (reference.length != current.length) {
      throw new IllegalArgumentException("Cannot " + action + " of " + reference.length
          + " reference bins and " + current.length + " current bins: both sides must have the"
          + " same bins");
    }
    total(action, "reference", reference);
    total(action, "current", current);
  }

  private static long total(String action, String side, long[] counts) {
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] < 0) {
        throw new IllegalArgumentException("Cannot " + action + " with " + side + " bin " + i
            + " = " + counts[i] + ": counts must not be negative");
      }
      total += counts[i];
    }
    if (total == 0) {
      throw new IllegalArgumentException("Cannot " + action + " with no " + side + " rows: every "
          + side + " bin is empty, so there are no proportions to compare");
    }
    return total;
  }
}
