package dev.runway.compare;

import dev.runway.config.CompareSettings;
import dev.runway.config.CompareSettings.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The promotion gate: a pure decision from what {@code compare} measured. Every condition must
 * hold: the candidate meets each floor; and, when there is a baseline, the paired test finds the
 * candidate better with p below alpha and the lower end of the interval of the improvement in the
 * gated metric exceeds min-delta. Each condition is reported in words, held or not.
 *
 * <p>Both the test and the interval must agree because they answer different questions: the
 * paired test whether the candidate is better at all on these rows, the interval by how much at
 * least. A single metric compared with a threshold (a baseline's accuracy against the
 * candidate's) passes a gain the size of the noise about half the time.
 */
public final class Gate {
  private Gate() {}

  /**
   * The comparison with the baseline, in the gated metric's terms.
   *
   * @param metric the gated metric (not auto)
   * @param baseline its value for the baseline on the holdout
   * @param candidate its value for the candidate
   * @param improvementLow lower end of the interval of the improvement (positive = candidate
   *     better: candidate − baseline where higher is better, baseline − candidate otherwise)
   * @param improvementHigh upper end of that interval
   * @param confidence the interval's confidence level
   * @param pairedTest the paired test's name, e.g. "McNemar"
   * @param pValue its two-sided p-value
   * @param candidateAhead whether the paired test's statistic leans towards the candidate
   */
  public record Comparison(
      Metric metric,
      double baseline,
      double candidate,
      double improvementLow,
      double improvementHigh,
      double confidence,
      String pairedTest,
      double pValue,
      boolean candidateAhead) {}

  /** The gate's outcome and its reasons, one per condition, in words. */
  public record Decision(boolean passes, List<String> reasons) {}

  /**
   * Decides.
   *
   * @param comparison the comparison with the baseline; empty when there is none (an alias not
   *     set yet): then only the floors are checked
   * @param candidateMetrics the candidate's metrics on the holdout, for the floors
   */
  public static Decision decide(
      CompareSettings.Gate gate,
      Optional<Comparison> comparison,
      Map<Metric, Double> candidateMetrics) {
    List<String> reasons = new ArrayList<>();
    boolean passes = true;
    if (comparison.isPresent()) {
      Comparison c = comparison.get();
      boolean significant = c.candidateAhead() && c.pValue() < gate.alpha();
      passes &= significant;
      reasons.add(String.format(
          Locale.ROOT,
          "%s paired test: p = %s %s alpha %s, %s (%s)",
          c.pairedTest(),
          number(c.pValue()),
          c.pValue() < gate.alpha() ? "<" : ">=",
          number(gate.alpha()),
          c.candidateAhead() ? "leaning to the candidate" : "not leaning to the candidate",
          significant ? "held" : "failed"));
      boolean enough = c.improvementLow() > gate.minDelta();
      passes &= enough;
      reasons.add(String.format(
          Locale.ROOT,
          "%s from %s (baseline) to %s (candidate): %.0f%% interval of the improvement [%s, %s],"
              + " lower end %s min-delta %s (%s)",
          c.metric().jsonName(),
          number(c.baseline()),
          number(c.candidate()),
          100 * c.confidence(),
          number(c.improvementLow()),
          number(c.improvementHigh()),
          enough ? ">" : "<=",
          number(gate.minDelta()),
          enough ? "held" : "failed"));
    } else {
      reasons.add("no baseline to compare with: only the floors apply");
    }
    for (Map.Entry<Metric, Double> floor : gate.floors().entrySet()) {
      Metric metric = floor.getKey();
      Double value = candidateMetrics.get(metric);
      if (value == null || value.isNaN()) {
        passes = false;
        reasons.add("floor on " + metric.jsonName() + ": the candidate has no " + metric.jsonName()
            + " on this holdout (failed)");
        continue;
      }
      boolean held =
          metric.higherIsBetter() ? value >= floor.getValue() : value <= floor.getValue();
      passes &= held;
      reasons.add(String.format(
          Locale.ROOT,
          "floor on %s: %s %s %s (%s)",
          metric.jsonName(),
          number(value),
          metric.higherIsBetter() ? (held ? ">=" : "<") : (held ? "<=" : ">"),
          number(floor.getValue()),
          held ? "held" : "failed"));
    }
    return new Decision(passes, List.copyOf(reasons));
  }

  /** Four significant digits, trailing zeros dropped; scientific notation for tiny values. */
  static String number(double v) {
    String s = v != 0 && Math.abs(v) < 1e-4
        ? String.format(Locale.ROOT, "%.3e", v)
        : String.format(Locale.ROOT, "%.4g", v);
    int e = s.indexOf('e');
    String mantissa = e < 0 ? s : s.substring(0, e);
    if (mantissa.contains(".")) {
      mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return e < 0 ? mantissa : mantissa + s.substring(e);
  }
}
