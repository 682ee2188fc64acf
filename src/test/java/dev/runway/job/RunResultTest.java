package dev.runway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runway.artifacts.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON line's headline and the progress line, from a metrics.json with intervals and without. */
class RunResultTest {
  private static final String METRICS = """
      {"splits": {
        "train": {"rows": 700},
        "validation": {"rows": 0},
        "test": {"rows": 184, "accuracy": 0.625, "weighted_f1": 0.6012, "log_loss": 1.0234,
          "confusion_matrix": {"classes": ["a", "b"], "counts": [[1, 2], [3, 4]]},
          "intervals": {"confidence": 0.95,
            "accuracy": {"lower": 0.5530, "upper": 0.6919, "method": "wilson"},
            "bootstrap": {"replicates": 1000, "seed": 42, "rows": 184},
            "weighted_f1": {"lower": 0.53, "upper": 0.67, "method": "bootstrap", "replicates": 1000}}}}}
      """;

  @Test
  void theHeadlineKeepsEveryMetricANumberAndAddsIntervalsAsPairs() {
    Map<String, Object> headline = RunResult.headline(Json.parse(METRICS));
    assertEquals(Map.of("rows", 0), headline.get("validation"));
    assertEquals(
        Map.of(
            "rows",
            184,
            "accuracy",
            0.625,
            "weighted_f1",
            0.6012,
            "log_loss",
            1.0234,
            "intervals",
            Map.of(
                "confidence",
                0.95,
                "accuracy",
                List.of(0.5530, 0.6919),
                "weighted_f1",
                List.of(0.53, 0.67))),
        headline.get("test"));
    assertEquals(
        "{\"rows\":184,\"accuracy\":0.625,\"weighted_f1\":0.6012,\"log_loss\":1.0234,\"intervals\":"
            + "{\"confidence\":0.95,\"accuracy\":[0.553,0.6919],\"weighted_f1\":[0.53,0.67]}}",
        Json.line(headline.get("test")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theProgressLineShowsEachMetricWithItsInterval() {
    Map<String, Object> splits = (Map<String, Object>) Json.parse(METRICS).get("splits");
    assertEquals(
        "184 rows; accuracy 0.6250 [0.5530, 0.6919], weighted_f1 0.6012 [0.5300, 0.6700], log_loss 1.0234"
            + " (95% intervals)",
        RunResult.describe(splits.get("test")));
    assertEquals("0 rows", RunResult.describe(splits.get("validation")));
    assertEquals("1000 rows; rmse 2.5000", RunResult.describe(Map.of("rows", 1000L, "rmse", 2.5)));
  }
}
