package dev.runway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runway.artifacts.Json;
import dev.runway.bench.ScoreBench.Timing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scoring benchmark's ratios, on fixed figures: best repeats, each row against its baseline. */
class BenchScoreCommandTest {
  @Test
  void scoreIsHeldAgainstBareAndEachBatchSizeAgainstOneRowAtATime() {
    List<Timing> results = List.of(
        new Timing(
            "throughput",
            "logistic-regression",
            "score",
            0,
            1_000_000,
            List.of(30.0, 20.0, 22.0),
            List.of(1.0, 2.0, 3.0)),
        new Timing(
            "throughput",
            "logistic-regression",
            "bare",
            0,
            1_000_000,
            List.of(16.0, 18.0),
            List.of(2.0, 2.0)),
        new Timing(
            "batching", "neural-network", "score", 1024, 100_000, List.of(10.0), List.of(8.0)),
        new Timing(
            "batching", "neural-network", "score", 1, 100_000, List.of(120.0), List.of(100.0)));
    StringWriter text = new StringWriter();
    BenchScoreCommand.print(
        new PrintWriter(text), results, "local[*]", "MLlib JNIBLAS, ND4J OPENBLAS", 1.0, 2.0);
    List<Map<String, Object>> lines =
        text.toString().lines().filter(l -> l.startsWith("{")).map(Json::parse).toList();
    assertEquals(4, lines.size());
    assertEquals(
        50_000,
        ((Number) lines.get(0).get("rows_per_s")).intValue(),
        "the best of the three repeats");
    assertEquals(22.0, lines.get(0).get("median_s"));
    assertEquals(0.8, lines.get(0).get("ratio_to_bare"), "50,000 rows/s against bare's 62,500");
    assertEquals(1.0, lines.get(0).get("cpu_ratio"), "median CPU seconds 2.0 on both");
    assertEquals(1.0, lines.get(1).get("ratio_to_bare"));
    assertEquals(12.0, lines.get(2).get("ratio_to_batch_1"));
    assertEquals(1024, ((Number) lines.get(2).get("batch_rows")).intValue());
  }
}
