package dev.runway.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.config.CompareSettings;
import dev.runway.config.CompareSettings.Metric;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The gate's conditions one by one: each can fail alone, and says so. */
class GateTest {
  private static CompareSettings.Gate gate(double minDelta, Map<Metric, Double> floors) {
    return new CompareSettings.Gate(Metric.ACCURACY, minDelta, 0.05, floors, 600_000);
  }

  private static Gate.Comparison comparison(double low, double high, double p, boolean ahead) {
    return new Gate.Comparison(Metric.ACCURACY, 0.85, 0.87, low, high, 0.95, "McNemar", p, ahead);
  }

  @Test
  void aSignificantGainAboveMinDeltaPasses() {
    Gate.Decision d = Gate.decide(
        gate(0.005, Map.of()), Optional.of(comparison(0.01, 0.03, 1e-5, true)), Map.of());
    assertTrue(d.passes(), d.reasons().toString());
    assertEquals(2, d.reasons().size());
    assertTrue(
        d.reasons().stream().allMatch(r -> r.endsWith("(held)")), d.reasons().toString());
    assertTrue(
        d.reasons().get(0).contains("p = 1e-05 < alpha 0.05"), d.reasons().get(0));
  }

  @Test
  void eachConditionFailsOnItsOwn() {
    // Not significant.
    Gate.Decision notSignificant =
        Gate.decide(gate(0, Map.of()), Optional.of(comparison(0.001, 0.03, 0.2, true)), Map.of());
    assertFalse(notSignificant.passes());
    assertTrue(notSignificant.reasons().get(0).endsWith("(failed)"));
    // Significant, but the other way.
    Gate.Decision worse = Gate.decide(
        gate(0, Map.of()), Optional.of(comparison(-0.03, -0.01, 1e-9, false)), Map.of());
    assertFalse(worse.passes());
    assertTrue(worse.reasons().get(0).contains("not leaning to the candidate"));
    // Significant, but the gain may be smaller than min-delta.
    Gate.Decision small = Gate.decide(
        gate(0.02, Map.of()), Optional.of(comparison(0.01, 0.03, 1e-9, true)), Map.of());
    assertFalse(small.passes());
    assertTrue(
        small.reasons().get(1).contains("lower end <= min-delta 0.02 (failed)"),
        small.reasons().get(1));
    // Better than the baseline, below a floor.
    Gate.Decision floor = Gate.decide(
        gate(0, Map.of(Metric.ACCURACY, 0.9)),
        Optional.of(comparison(0.01, 0.03, 1e-9, true)),
        Map.of(Metric.ACCURACY, 0.87));
    assertFalse(floor.passes());
    assertTrue(
        floor.reasons().get(2).equals("floor on accuracy: 0.87 < 0.9 (failed)"),
        floor.reasons().get(2));
  }

  @Test
  void floorsOfLowerIsBetterMetricsAreCeilingsAndAMissingMetricFails() {
    Gate.Decision d = Gate.decide(
        gate(0, Map.of(Metric.LOG_LOSS, 0.5, Metric.AUC, 0.8)),
        Optional.empty(),
        Map.of(Metric.LOG_LOSS, 0.4, Metric.ACCURACY, 0.9));
    assertFalse(d.passes(), "no AUC for a multi-class candidate");
    assertTrue(
        d.reasons().contains("floor on log_loss: 0.4 <= 0.5 (held)"),
        d.reasons().toString());
    assertTrue(d.reasons().get(0).startsWith("no baseline"));
    Gate.Decision onlyFloors = Gate.decide(
        gate(0, Map.of(Metric.LOG_LOSS, 0.5)), Optional.empty(), Map.of(Metric.LOG_LOSS, 0.4));
    assertTrue(onlyFloors.passes(), onlyFloors.reasons().toString());
  }
}
