package dev.runway.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for keys and enum words: the closest candidate by edit distance, if close. */
public final class Suggestions {
  private Suggestions() {}

  public static Optional<String> closest(String typed, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(typed, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    // Close enough to be a typo: a few edits, fewer for short words.
    int allowed = Math.max(2, typed.length() / 4);
    return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
  }

  /** Levenshtein distance, two rows. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
