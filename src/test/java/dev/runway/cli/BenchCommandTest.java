package dev.runway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.artifacts.Json;
import dev.runway.bench.Benchmark.Measurement;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's baseline and ceiling arithmetic, on fixed figures. */
class BenchCommandTest {
  @Test
  void theFasterPlainRowIsTheBaselineAndEachRunwayRowIsHeldAgainstItsCeiling() {
    List<Measurement> results = List.of(
        new Measurement("plain-dl4j", 3.0, 10, 18_000, 0.88, false, 1, 1, "1 thread"),
        new Measurement("plain-dl4j", 3.0, 10, 16_000, 0.88, false, 1, 2, "2 threads"),
        new Measurement("ceiling", 3.0, 10, 20_000, 0.88, false, 2, 1, "two at once"),
        new Measurement("runway", 2.0, 10, 13_500, 0.88, false, 1, 1, "one worker"),
        new Measurement("runway", 1.5, 10, 21_000, 0.88, true, 2, 1, "two workers"),
        new Measurement("dl4j-spark", Double.NaN, 12, 20_000, 0.88, false, 2, 1, "master"));
    StringWriter text = new StringWriter();
    BenchCommand.print(new PrintWriter(text), results, "local[2]", 2);
    List<Map<String, Object>> lines =
        text.toString().lines().filter(l -> l.startsWith("{")).map(Json::parse).toList();
    assertEquals(6, lines.size());
    assertEquals(3.0, lines.get(0).get("prepare_s"), "collecting and packing, apart from training");
    assertEquals(1.5, lines.get(4).get("prepare_s"));
    assertTrue(
        lines.get(5).containsKey("prepare_s") && lines.get(5).get("prepare_s") == null,
        "an engine that does not say when its first step ran has no split");
    assertEquals(
        1.0,
        lines.get(0).get("ratio_to_plain_dl4j"),
        "18,000 is the baseline, not the 2-thread 16,000");
    assertEquals(0.89, lines.get(1).get("ratio_to_plain_dl4j"));
    assertEquals("ceiling", lines.get(2).get("system"));
    assertEquals(2, ((Number) lines.get(2).get("workers")).intValue());
    assertTrue(!lines.get(2).containsKey("fraction_of_ceiling"), "only runway's lines carry it");
    assertEquals(
        0.75,
        lines.get(3).get("fraction_of_ceiling"),
        "one worker against plain DL4J on one thread");
    assertEquals(
        1.05, lines.get(4).get("fraction_of_ceiling"), "two workers against the two-JVM ceiling");
    assertEquals(1.17, lines.get(4).get("ratio_to_plain_dl4j"));
  }
}
