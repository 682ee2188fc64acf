package dev.runway.features;

import static dev.runway.features.FeatureTables.SCHEMA;
import static dev.runway.features.FeatureTables.features;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.MonitorSettings;
import dev.runway.error.DataException;
import dev.runway.profile.Profiler;
import dev.runway.profile.ReferenceProfile;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The checks of the training table's columns and values, and their messages. */
class FeatureChecksTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void missingColumnsAreNamedWithTheirKey() {
    FeatureSettings f = features(List.of(), "labl", List.of("colour"), List.of("size"));
    DataException e =
        assertThrows(DataException.class, () -> FeatureChecks.checkColumns(SCHEMA, f));
    assertEquals(
        List.of(
            "Cannot use column 'labl' from features.label: the training table has no such column (it has: color, size, count, label)",
            "Cannot use column 'colour' from features.categorical: the training table has no such column (it has: color, size, count, label)"),
        e.getMessage().lines().toList());
  }

  @Test
  void aStringInNumericIsADataError() {
    FeatureSettings f = features(List.of(), "label", List.of(), List.of("color"));
    DataException e =
        assertThrows(DataException.class, () -> FeatureChecks.checkColumns(SCHEMA, f));
    assertEquals(
        "Column 'color' (features.numeric) is string, not a number: cast it in features.sql or"
            + " list it in features.categorical",
        e.getMessage());
  }

  @Test
  void aCategoricalColumnWithTooManyValuesIsRefusedBeforeAnythingIsCollected() {
    Dataset<Row> t = spark
        .range(1000)
        .selectExpr(
            "CAST(id AS STRING) AS color",
            "id * 1.0 AS size",
            "CAST(id % 5 AS INT) AS count",
            "CAST(id % 2 AS STRING) AS label");
    DataException e = assertThrows(
        DataException.class,
        () -> check(t, features(List.of(), "label", List.of("count", "color"), List.of())));
    // Counted exactly up to one more than the limit, in the pass that plans the profile's bins.
    assertEquals(
        "Column 'color' (features.categorical) has more than 101 distinct values,"
            + " more than features.max-categories = 100: list it in features.hashed.columns instead",
        e.getMessage());
    check(t, features(List.of(), "label", List.of("count"), List.of()));
  }

  @Test
  void infiniteNumbersAreRefusedAndNaNIsImputed() {
    Dataset<Row> t = spark.sql(
        "SELECT * FROM VALUES ('a', 1.0D, 1, 'x'), ('b', double('Infinity'), 2, 'y'),"
            + " ('c', double('NaN'), 3, 'x'), ('d', double('-Infinity'), 4, 'y') AS t(color, size, count, label)");
    DataException e = assertThrows(
        DataException.class,
        () -> check(t, features(List.of(), "label", List.of(), List.of("size", "count"))));
    assertEquals(
        "Column 'size' (features.numeric) has 2 infinite values in the training split: filter or cap"
            + " them in features.sql",
        e.getMessage());
    check(
        t.filter("abs(size) != double('Infinity')"),
        features(List.of(), "label", List.of(), List.of("size", "count")));
  }

  @Test
  void whatTheProfilePassSawIsCheckedWithoutAnotherPass() {
    Dataset<Row> t = spark.range(10).selectExpr("CAST(id AS STRING) AS color", "id AS size");
    FeatureSettings f = features(List.of(), "label", List.of("color"), List.of("size"));
    DataException e = assertThrows(
        DataException.class,
        () -> FeatureChecks.checkValues(
            t, f, new FeatureChecks.Seen(Map.of("color", 101L), 10_000, Map.of("size", 0L))));
    assertEquals(
        "Column 'color' (features.categorical) has 101 distinct values, more than"
            + " features.max-categories = 100: list it in features.hashed.columns instead",
        e.getMessage());
    e = assertThrows(
        DataException.class,
        () -> FeatureChecks.checkValues(
            t, f, new FeatureChecks.Seen(Map.of("color", -1L), 101, Map.of("size", 2L))));
    assertTrue(e.getMessage().contains("has more than 101 distinct values"), e.getMessage());
    assertTrue(e.getMessage().contains("'size' (features.numeric) has 2 infinite"), e.getMessage());
    // Counted only up to 50, under the limit of 100: counted here (10 values), and accepted.
    FeatureChecks.checkValues(
        t, f, new FeatureChecks.Seen(Map.of("color", -1L), 50, Map.of("size", 0L)));
  }

  /**
   * The value checks as the training job makes them: the pass that plans the reference profile
   * counts distinct categories and infinite numbers, and the checks read what it saw.
   */
  private static void check(Dataset<Row> train, FeatureSettings f) {
    Profiler.Planned planned = ReferenceProfile.plan(
        train,
        f,
        new Target("label", true, List.of("0", "1"), false),
        new MonitorSettings(10, 20, 10_000, 0.01, 0.1));
    FeatureChecks.checkValues(train, f, ReferenceProfile.seen(planned, f));
  }
}
