package dev.runway.tune;

import dev.runway.config.TuneSettings.Halving;
import java.util.ArrayList;
import java.util.List;

/**
 * The successive-halving schedule: the budget of each rung (max-budget divided by the factor as
 * often as the result stays at or above min-budget, rounded down; the last rung is max-budget)
 * and how many trials go on from each.
 */
public final class Rungs {
  private Rungs() {}

  /** Each rung's budget; one rung at the maximum when halving is off. */
  public static List<Integer> budgets(Halving h) {
    List<Integer> out = new ArrayList<>();
    if (!h.enabled()) {
      out.add(h.maxBudget());
      return out;
    }
    // Down from the largest budget, as Hyperband counts: max, max / factor, max / factor^2, ...
    // while not below min-budget, each rounded down.
    out.add(h.maxBudget());
    for (int k = 1; ; k++) {
      double b = h.maxBudget() / Math.pow(h.reductionFactor(), k);
      if (b < h.minBudget()) {
        break;
      }
      out.add(0, (int) Math.floor(b));
    }
    return out;
  }

  /**
   * How many of a rung's {@code trials} go on to the next: 1 in {@code factor}, at least one.
   */
  public static int promoted(int trials, int factor) {
    return Math.max(1, trials / factor);
  }
}
