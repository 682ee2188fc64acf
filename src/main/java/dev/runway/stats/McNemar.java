package dev.runway.stats;

import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;

/**
 * The exact McNemar test of two classifiers scored on the same rows (McNemar 1947; the exact
 * conditional form, Fagerland, Lydersen and Laake 2013). Only the discordant rows carry
 * information about which model is better: under the null hypothesis that both are equally
 * accurate, each discordant row is equally likely to favour either, so the candidate's wins c
 * out of b + c discordant rows are Binomial(b + c, 1/2). The p-value is the exact two-sided
 * binomial test of that, not the chi-square approximation, which is too liberal when b + c is
 * small and no better when it is large.
 *
 * <p>At probability 1/2 the binomial is symmetric, so the two-sided p-value is twice the smaller
 * tail, computed here from the library's one-sided test. Its two-sided mode is not used: it finds
 * the far tail by comparing floating-point log probabilities that are mathematically equal at
 * 1/2, and rounding can drop the mirror term (commons-statistics-inference 1.1 gives 0.4795 for b
 * = 9,950, c = 10,050, where the exact value is 0.4839).
 *
 * @param baselineOnly b: rows only the baseline classified right
 * @param candidateOnly c: rows only the candidate classified right
 * @param statistic McNemar's chi-square (b − c)² / (b + c), without continuity correction (0
 *     when b + c = 0): reported because it is the figure readers know; the p-value does not come
 *     from it
 * @param pValue exact two-sided p-value: P(X ≤ min(b, c)) + P(X ≥ max(b, c)) for X ~
 *     Binomial(b + c, 1/2), capped at 1; 1 when b + c = 0
 */
public record McNemar(long baselineOnly, long candidateOnly, double statistic, double pValue) {

  /** The test from the discordant counts b (baseline only right) and c (candidate only right). */
  public static McNemar test(long baselineOnly, long candidateOnly) {
    if (baselineOnly < 0 || candidateOnly < 0) {
      throw new IllegalArgumentException("Cannot run McNemar's test on b=" + baselineOnly + ", c="
          + candidateOnly + ": the discordant counts must not be negative");
    }
    long n = baselineOnly + candidateOnly;
    if (n > Integer.MAX_VALUE) {
      // The library's binomial takes int trials; 2^31 discordant rows is beyond any holdout.
      throw new IllegalArgumentException("Cannot run McNemar's test on " + n
          + " discordant rows: at most " + Integer.MAX_VALUE + " are supported");
    }
    if (n == 0) {
      return new McNemar(0, 0, 0.0, 1.0);
    }
    double difference = baselineOnly - candidateOnly;
    double statistic = difference * difference / n;
    double lowerTail = BinomialTest.withDefaults()
        .with(AlternativeHypothesis.LESS_THAN)
        .test((int) n, (int) Math.min(baselineOnly, candidateOnly), 0.5)
        .getPValue();
    return new McNemar(baselineOnly, candidateOnly, statistic, Math.min(1.0, 2 * lowerTail));
  }

  /** Discordant rows: b + c. */
  public long discordant() {
    return baselineOnly + candidateOnly;
  }
}
