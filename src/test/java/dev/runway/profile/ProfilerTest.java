package dev.runway.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runway.TestSpark;
import dev.runway.config.MonitorSettings;
import dev.runway.profile.ColumnProfile.Kind;
import dev.runway.profile.Profiler.Spec;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** How a reference's bins are decided and counted, on real Spark. */
class ProfilerTest {
  private static final MonitorSettings SETTINGS = new MonitorSettings(10, 5, 10_000, 0.01, 0.1);

  /**
   * 50,000 rows over 4 partitions: x is 0..49,999 (deciles at multiples of 5,000), colour takes
   * value k with a frequency falling in k, and y is infinite in 3 rows.
   */
  private static Dataset<Row> rows() {
    return TestSpark.session()
        .range(0, 50_000, 1, 4)
        .selectExpr(
            "CAST(id AS DOUBLE) AS x",
            "CONCAT('c', CAST(FLOOR(SQRT(id % 40000)) AS STRING)) AS colour",
            "CASE WHEN id IN (7, 70, 700) THEN double('Infinity') ELSE 1.0D END AS y");
  }

  private static List<Spec> specs(Dataset<Row> rows) {
    return List.of(
        Spec.of(rows, "x", Kind.NUMERIC, 0),
        Spec.of(rows, "colour", Kind.CATEGORICAL, 5),
        Spec.of(rows, "y", Kind.NUMERIC, 0));
  }

  @Test
  void edgesAreNearTheDecilesTheSameTableGivesTheSameEdgesAndCountsAreExact() {
    Dataset<Row> rows = rows();
    Profiler.Planned first = Profiler.plan(rows, specs(rows), SETTINGS, 1000);
    Profiler.Planned again = Profiler.plan(rows, specs(rows), SETTINGS, 1000);
    assertEquals(first.bins(), again.bins(), "the sample is seeded: the same edges every time");

    List<Double> edges = first.bins().get(0).edges();
    assertEquals(9, edges.size());
    for (int j = 0; j < 9; j++) {
      // A sample of 10,000 puts a decile within about 0.5 points of rank (one sd): allow 2.
      assertEquals(5000.0 * (j + 1), edges.get(j), 1000.0, "decile " + (j + 1) + ": " + edges);
    }
    List<ColumnProfile> counted = Profiler.count(rows, first);
    ColumnProfile x = counted.get(0);
    assertEquals(50_000, x.rows());
    for (int j = 0; j < 10; j++) {
      long lower = j == 0 ? -1 : (long) (double) edges.get(j - 1);
      long upper = j == 9 ? 49_999 : (long) (double) edges.get(j);
      assertEquals(upper - lower, x.counts().get(j), "bin " + j + " holds exactly its integers");
    }
    assertEquals(0, x.counts().get(10), "no missing x");
    assertEquals(3, first.infinite("y"));
    assertEquals(0, first.infinite("x"));
  }

  @Test
  void categoricalValuesCountedInMemoryOrBySparkPastTheLimitGiveTheSameBins() {
    Dataset<Row> rows = rows();
    Profiler.Planned inMemory = Profiler.plan(rows, specs(rows), SETTINGS, 1000);
    Profiler.Planned tooMany = Profiler.plan(rows, specs(rows), SETTINGS, 50);
    assertEquals(200, inMemory.distinct("colour"), "floor(sqrt(0..39,999)): 200 values");
    assertEquals(-1, tooMany.distinct("colour"), "past the limit: not counted");
    assertEquals(List.of(), tooMany.bins().get(1).values(), "decided when counted");

    ColumnProfile a = Profiler.count(rows, inMemory).get(1);
    ColumnProfile b = Profiler.count(rows, tooMany).get(1);
    assertEquals(a, b);
    // Value k takes 2k+1 of the ids below 40,000, and k < 100 as many again above: c199 399,
    // c99 398, c198 397, c197 395, c98 394.
    assertEquals(List.of("c199", "c99", "c198", "c197", "c98"), a.values());
    assertEquals(List.of(399L, 398L, 397L, 395L, 394L), a.counts().subList(0, 5));
    assertEquals(50_000 - 399 - 398 - 397 - 395 - 394, a.counts().get(5), "other");
    assertEquals(0, a.counts().get(6), "missing");
  }

  @Test
  void edgesOfASortedSampleAreItsQuantilesWithRepeatsMerged() {
    double[] sample = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0), Profiler.edges(sample, 10));
    assertEquals(List.of(5.0), Profiler.edges(sample, 2));
    assertEquals(List.of(0.0, 1.0), Profiler.edges(new double[] {-0.0, 0, 0, 1, 1, 1, 1, 1}, 4));
    assertEquals(List.of(), Profiler.edges(new double[0], 10), "no values: one bin");
  }
}
