package dev.runway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.error.JobConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunQueryTest {
  private static RunEntry entry(String id, String model, Double accuracy) {
    Map<String, Map<String, Double>> metrics =
        accuracy == null ? Map.of() : Map.of("test", Map.of("accuracy", accuracy, "rows", 100.0));
    return new RunEntry(
        "j",
        id,
        "file:/runs/j/" + id,
        "classification",
        model,
        "2026-11-0" + id.length() + "T00:00Z",
        null,
        10.0,
        metrics);
  }

  private static final List<RunEntry> RUNS = List.of(
      entry("a", "neural-network", 0.90),
      entry("b", "logistic-regression", 0.85),
      entry("c", "neural-network", 0.87),
      entry("d", "gbt", null));

  private static List<String> query(String where, String sort) {
    return RUNS.stream()
        .filter(RunQuery.where(where))
        .sorted(RunQuery.sort(sort))
        .map(RunEntry::runId)
        .toList();
  }

  @Test
  void conditionsFilterAndJoinWithAnd() {
    assertEquals(List.of("a", "c"), query("test.accuracy > 0.86", null));
    assertEquals(List.of("a", "c"), query("model_type = neural-network", null));
    assertEquals(List.of("c"), query("model_type = neural-network AND test.accuracy<0.9", null));
    assertEquals(List.of("b", "d"), query("model_type != 'neural-network'", null));
    assertEquals(List.of("a"), query("test.accuracy >= 0.9", null));
    assertEquals(List.of(), query("validation.accuracy > 0", null), "no such split: no match");
    assertEquals(List.of("a", "b", "c", "d"), query("  ", null));
  }

  @Test
  void sortIsAscendingOrDescendingWithMissingValuesLast() {
    assertEquals(List.of("a", "c", "b", "d"), query(null, "-test.accuracy"));
    assertEquals(List.of("b", "c", "a", "d"), query(null, "test.accuracy"));
    assertEquals(List.of("d", "b", "a", "c"), query(null, "model_type"));
  }

  @Test
  void aTypoIsRefusedNamingTheFieldAndWhatExists() {
    JobConfigException e =
        assertThrows(JobConfigException.class, () -> RunQuery.where("test.acuracy > 0.8"));
    assertTrue(
        e.getMessage().startsWith("Unknown field 'test.acuracy' in --where: use one of job,"),
        e.getMessage());
    assertTrue(e.getMessage().contains("SPLIT.accuracy"), e.getMessage());
    e = assertThrows(JobConfigException.class, () -> RunQuery.where("test.accuracy >> 1"));
    assertTrue(e.getMessage().startsWith("Cannot read --where condition 'test.accuracy >> 1'"));
    e = assertThrows(JobConfigException.class, () -> RunQuery.where("test.accuracy > high"));
    assertEquals(
        "Cannot read --where condition 'test.accuracy > high': > needs a number, not 'high'",
        e.getMessage());
    assertThrows(JobConfigException.class, () -> RunQuery.sort("-durration_s"));
  }
}
