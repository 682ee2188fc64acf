package dev.runway.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.FeatureSettings.ImputeStrategy;
import dev.runway.config.JobSettings.FeatureSettings.Task;
import dev.runway.config.JobSettings.SplitSettings;
import dev.runway.config.JobSettings.SplitSettings.Method;
import dev.runway.config.JobSettings.SqlStatement;
import dev.runway.error.JobConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

class SplitterTest {
  private final SparkSession spark = TestSpark.session();

  private Dataset<Row> table(int partitions) {
    return spark
        .range(0, 20_000, 1, partitions)
        .selectExpr(
            "id",
            "CAST(id % 7 AS STRING) AS category",
            "id * 0.5 AS x",
            "date_add(DATE'2024-01-01', CAST(id % 365 AS INT)) AS day");
  }

  private static SplitSettings random(long seed) {
    return new SplitSettings(Method.RANDOM, 0.7, 0.1, 0.2, seed, "", "", "", "", 5, 1);
  }

  private static Map<Long, String> assignment(Dataset<Row> assigned) {
    Map<Long, String> m = new TreeMap<>();
    for (Row r : assigned.select("id", Columns.SPLIT).collectAsList()) {
      m.put(r.getLong(0), r.getString(1));
    }
    return m;
  }

  @Test
  void randomSplitIsTheSameWhateverThePartitioningAndOrder() {
    Map<Long, String> one = assignment(Splitter.assign(table(1), random(42)));
    Map<Long, String> many =
        assignment(Splitter.assign(table(7).orderBy(functions.rand(3)), random(42)));
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
    SplitSettings byDay =
        new SplitSettings(Method.COLUMN, 0, 0, 0, 0, "day", "2024-10-01", "2024-12-01", "", 5, 1);
    for (Row r : Splitter.assign(table(2), byDay).select("day", Columns.SPLIT).collectAsList()) {
      String day = r.getDate(0).toString();
      String expected = day.compareTo("2024-12-01") >= 0
          ? "test"
          : day.compareTo("2024-10-01") >= 0 ? "validation" : "train";
      assertEquals(expected, r.getString(1), day);
    }
  }

  @Test
  void columnSplitChecksItsCutPointsWithoutASparkJob() {
    SplitSettings byDay =
        new SplitSettings(Method.COLUMN, 0, 0, 0, 0, "day", "2024-10-01", "2024-12-01", "", 5, 1);
    Dataset<Row> table = table(2);
    String group = "splitter-cut-points";
    spark.sparkContext().setJobGroup(group, "", false);
    try {
      Splitter.assign(table, byDay);
      assertThrows(
          JobConfigException.class,
          () -> Splitter.assign(
              table,
              new SplitSettings(Method.COLUMN, 0, 0, 0, 0, "day", "", "next year", "", 5, 1)));
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    assertEquals(0, spark.sparkContext().statusTracker().getJobIdsForGroup(group).length);
  }

  @Test
  void columnSplitRejectsACutPointOfTheWrongType() {
    SplitSettings bad =
        new SplitSettings(Method.COLUMN, 0, 0, 0, 0, "day", "", "next year", "", 5, 1);
    JobConfigException e =
        assertThrows(JobConfigException.class, () -> Splitter.assign(table(1), bad));
    assertEquals(
        "Cannot set split.test-start = \"next year\": not a valid date for split column 'day'",
        e.getMessage());
  }

  @Test
  void columnSplitNamesAMissingColumn() {
    SplitSettings bad =
        new SplitSettings(Method.COLUMN, 0, 0, 0, 0, "when", "", "2024-01-01", "", 5, 1);
    JobConfigException e =
        assertThrows(JobConfigException.class, () -> Splitter.assign(table(1), bad));
    assertEquals(
        "Cannot split on column 'when' (split.column): the training table has no such column"
            + " (it has: id, category, x, day)",
        e.getMessage());
  }

  private static FeatureSettings features(String... sql) {
    List<SqlStatement> statements = new ArrayList<>();
    for (int i = 0; i < sql.length; i++) {
      statements.add(new SqlStatement("step" + i, sql[i]));
    }
    return new FeatureSettings(
        "source",
        statements,
        "x",
        Task.AUTO,
        20,
        List.of(),
        100,
        List.of(),
        ImputeStrategy.MEAN,
        true,
        List.of(),
        List.of(),
        64);
  }

  private static Set<Long> testIds(Dataset<Row> withSplit) {
    Set<Long> ids = new TreeSet<>();
    for (Row r :
        withSplit.filter(col(Columns.SPLIT).equalTo("test")).select("id").collectAsList()) {
      ids.add(r.getLong(0));
    }
    return ids;
  }

  @Test
  void theTestRowsDoNotMoveWhenOnlyTheFeaturesChange() {
    Dataset<Row> source = table(3);
    Set<Long> asRead = testIds(Splitter.trainingTable(spark, source, features(), random(42)));
    Set<Long> derived = testIds(Splitter.trainingTable(
        spark,
        source,
        features("SELECT *, x * x AS x2, length(category) AS n FROM source"),
        random(42)));
    Set<Long> dropped = testIds(Splitter.trainingTable(
        spark,
        source,
        features("SELECT id, x FROM source", "SELECT id, x, x + 1 AS y FROM step0"),
        random(42)));
    assertEquals(4_000, asRead.size(), 300);
    assertEquals(asRead, derived);
    assertEquals(asRead, dropped);
    // Hashing the training table (what runway did before) would move rows: the guard that this
    // test can fail.
    assertNotEquals(
        asRead,
        testIds(Splitter.assign(
            source.selectExpr("*", "x * x AS x2", "length(category) AS n"), random(42))));
  }

  @Test
  void sqlAggregatesSeeOneSplitAtATime() {
    Dataset<Row> rows = Splitter.trainingTable(
        spark,
        table(2),
        features("SELECT category, count(*) AS n, min(id) AS id FROM source GROUP BY category"),
        random(42));
    // One row per category and split: no aggregate spans train and test.
    assertEquals(7 * 3, rows.count());
    assertEquals(20_000, rows.agg(functions.sum("n")).first().getLong(0));
  }

  @Test
  void aSplitKeyKeepsAnEntitysRowsTogether() {
    SplitSettings byCategory =
        new SplitSettings(Method.RANDOM, 0.5, 0.0, 0.5, 42, "", "", "", "category", 5, 1);
    Dataset<Row> rows = Splitter.assign(table(2), byCategory);
    assertEquals(7, rows.select("category", Columns.SPLIT).distinct().count());
    SplitSettings missing =
        new SplitSettings(Method.RANDOM, 0.5, 0.0, 0.5, 42, "", "", "", "customer", 5, 1);
    JobConfigException e =
        assertThrows(JobConfigException.class, () -> Splitter.assign(table(1), missing));
    assertEquals(
        "Cannot split on split.key 'customer': the source has no such column (it has: id, category, x, day)",
        e.getMessage());
  }

  @Test
  void kFoldHoldsOutTheTestShareAndDealsStratifiedFolds() {
    SplitSettings kFold = new SplitSettings(Method.K_FOLD, 0.7, 0.1, 0.2, 42, "", "", "", "", 5, 1);
    Dataset<Row> placed = Splitter.assign(table(3), kFold);
    assertEquals(0, placed.filter(col(Columns.SPLIT).equalTo("validation")).count());
    // The same test rows as the random split with the same fractions and seed.
    assertEquals(testIds(Splitter.assign(table(3), random(42))), testIds(placed));

    Dataset<Row> train =
        Splitter.part(placed, "train").withColumn("label", expr("CAST(id % 3 = 0 AS DOUBLE)"));
    Dataset<Row> folds = Splitter.folds(train, "label", 5, 42, 0);
    long rows = train.count();
    for (Row r : folds.groupBy(Columns.FOLD, "label").count().collectAsList()) {
      long classRows = train.filter(col("label").equalTo(r.getDouble(1))).count();
      assertEquals(
          classRows / 5.0, r.getLong(2), 1.0, "fold " + r.getInt(0) + " class " + r.getDouble(1));
    }
    assertEquals(rows, folds.count());
    // Another repeat deals other folds; the same repeat the same ones, whatever the partitioning.
    Dataset<Row> again = Splitter.folds(train.repartition(7), "label", 5, 42, 0);
    assertEquals(foldOf(folds), foldOf(again));
    Map<Long, Integer> first = foldOf(folds);
    Map<Long, Integer> second = foldOf(Splitter.folds(train, "label", 5, 42, 1));
    long moved = first.keySet().stream()
        .filter(id -> !first.get(id).equals(second.get(id)))
        .count();
    assertTrue(moved > rows / 2, "a repeat deals new folds, moved " + moved);
  }

  private static Map<Long, Integer> foldOf(Dataset<Row> folds) {
    Map<Long, Integer> m = new TreeMap<>();
    for (Row r : folds.select("id", Columns.FOLD).collectAsList()) {
      m.put(r.getLong(0), r.getInt(1));
    }
    return m;
  }
}
