package dev.runway.features;

import static dev.runway.features.FeatureTables.features;
import static dev.runway.features.FeatureTables.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.error.DataException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Classification or regression, the classes, and the label as a number, from the label column. */
class TargetInferenceTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void stringLabelsBecomeSortedClasses() {
    Dataset<Row> t = rows(
        spark,
        new Object[] {"r", 1.0, 1, "sun"},
        new Object[] {"r", 1.0, 1, "rain"},
        new Object[] {"r", 1.0, 1, "fog"},
        new Object[] {"r", 1.0, 1, "sun"});
    Target target =
        TargetInference.inspectTarget(t, features(List.of(), "label", List.of("color"), List.of()));
    assertTrue(target.classification());
    assertEquals(List.of("fog", "rain", "sun"), target.classes());
    List<Double> labels = t.select(TargetInference.labelColumn(target)).collectAsList().stream()
        .map(r -> r.getDouble(0))
        .toList();
    assertEquals(List.of(2.0, 1.0, 0.0, 2.0), labels);
  }

  @Test
  void integerLabelsZeroToKAreUsedAsTheyAre() {
    Dataset<Row> t = spark.range(30).selectExpr("CAST(id % 3 AS INT) AS y", "id * 1.0 AS x");
    FeatureSettings f = features(List.of(), "y", List.of(), List.of("x"));
    Target target = TargetInference.inspectTarget(t, f);
    assertTrue(target.classification());
    assertFalse(target.indexed());
    assertEquals(List.of("0", "1", "2"), target.classes());
  }

  @Test
  void manyDistinctNumbersMeanRegression() {
    Dataset<Row> t = spark.range(100).selectExpr("id * 1.5 AS y", "id * 1.0 AS x");
    Target target =
        TargetInference.inspectTarget(t, features(List.of(), "y", List.of(), List.of("x")));
    assertFalse(target.classification());
  }

  @Test
  void labelWithNullsIsADataErrorThatSaysHowToFixIt() {
    Dataset<Row> t = rows(spark, new Object[] {"r", 1.0, 1, null}, new Object[] {"r", 1.0, 1, "a"});
    DataException e = assertThrows(
        DataException.class,
        () -> TargetInference.inspectTarget(
            t, features(List.of(), "label", List.of("color"), List.of())));
    assertEquals(
        "Label column 'label' has 1 null values of 2 rows: drop them with source.filter ="
            + " \"label IS NOT NULL\"",
        e.getMessage());
  }

  @Test
  void singleClassIsADataError() {
    Dataset<Row> t = rows(spark, new Object[] {"r", 1.0, 1, "a"}, new Object[] {"g", 2.0, 1, "a"});
    DataException e = assertThrows(
        DataException.class,
        () -> TargetInference.inspectTarget(
            t, features(List.of(), "label", List.of("color"), List.of())));
    assertEquals(
        "Label column 'label' has a single value 'a' in all 2 rows: there is nothing to learn",
        e.getMessage());
  }
}
