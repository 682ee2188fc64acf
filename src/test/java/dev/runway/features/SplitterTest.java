package dev.runway.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.SplitSettings;
import dev.runway.error.JobConfigException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class SplitterTest {
  private final SparkSession spark = TestSpark.session();

  private Dataset<Row> table(int partitions) {
    return spark.range(0, 20_000, 1, partitions)
        .selectExpr("id", "CAST(id % 7 AS STRING) AS category", "id * 0.5 AS x",
            "date_add(DATE'2024-01-01', CAST(id % 365 AS INT)) AS day");
  }

  private static SplitSettings random(long seed) {
    return new SplitSettings("random", 0.7, 0.1, 0.2, seed, "", "", "");
  }

  private static Map<Long, String> assignment(Dataset<Row> assigned) {
    Map<Long, String> m = new TreeMap<>();
    for (Row r : assigned.select("id", Splitter.SPLIT).collectAsList()) {
      m.put(r.getLong(0), r.getString(1));
    }
    return m;
  }

  @Test
  void randomSplitIsTheSameWhateverThePartitioningAndOrder() {
    Map<Long, String> one = assignment(Splitter.assign(table(1), random(42)));
    Map<Long, String> many = assignment(Splitter.assign(table(7).orderBy(org.apache.spark.sql.functions.rand(3)), random(42)));
    assertEquals(one, many);
  }

  @Test
  void randomSplitFollowsTheFractionsAndTheSeed() {
    Map<Long, String> a = assignment(Splitter.assign(table(3), random(42)));
    Map<String, Long> counts = new TreeMap<>();
    a.values().forEach(s -> counts.merge(s, 1L, Long::sum));
    assertEquals(14_000, counts.get("train"), 400);
    assertEquals(2_000, counts.get("validation"), 250);
    assertEquals(4_000, counts.get("test"), 300);
    Map<Long, String> b = assignment(Splitter.assign(table(3), random(43)));
    long moved = a.keySet().stream().filter(k -> !a.get(k).equals(b.get(k))).count();
    assertTrue(moved > 5_000, "another seed gives another split, moved " + moved);
  }

  @Test
  void partDropsTheSplitColumn() {
    Dataset<Row> test = Splitter.part(Splitter.assign(table(2), random(1)), "test");
    assertEquals(List.of("id", "category", "x", "day"), List.of(test.columns()));
  }

  @Test
  void columnSplitUsesTheCutPoints() {
    SplitSettings byDay = new SplitSettings("column", 0, 0, 0, 0, "day", "2024-10-01", "2024-12-01");
    for (Row r : Splitter.assign(table(2), byDay).select("day", Splitter.SPLIT).collectAsList()) {
      String day = r.getDate(0).toString();
      String expected = day.compareTo("2024-12-01") >= 0 ? "test" : day.compareTo("2024-10-01") >= 0 ? "validation" : "train";
      assertEquals(expected, r.getString(1), day);
    }
  }

  @Test
  void columnSplitRejectsACutPointOfTheWrongType() {
    SplitSettings bad = new SplitSettings("column", 0, 0, 0, 0, "day", "", "next year");
    JobConfigException e = assertThrows(JobConfigException.class, () -> Splitter.assign(table(1), bad));
    assertEquals("Cannot set split.test-start = \"next year\": not a valid date for split column 'day'", e.getMessage());
  }

  @Test
  void columnSplitNamesAMissingColumn() {
    SplitSettings bad = new SplitSettings("column", 0, 0, 0, 0, "when", "", "2024-01-01");
    JobConfigException e = assertThrows(JobConfigException.class, () -> Splitter.assign(table(1), bad));
    assertEquals("Cannot split on column 'when' (split.column): the training table has no such column"
        + " (it has: id, category, x, day)", e.getMessage());
  }
}
