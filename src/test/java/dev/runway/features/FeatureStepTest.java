package dev.runway.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.FeatureSettings.ImputeStrategy;
import dev.runway.config.JobSettings.FeatureSettings.Task;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.SqlStatement;
import dev.runway.error.DataException;
import dev.runway.error.JobConfigException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class FeatureStepTest {
  private final SparkSession spark = TestSpark.session();

  private static final StructType SCHEMA = new StructType()
      .add("color", DataTypes.StringType)
      .add("size", DataTypes.DoubleType)
      .add("count", DataTypes.IntegerType)
      .add("label", DataTypes.StringType);

  private Dataset<Row> rows(Object[]... values) {
    return spark.createDataFrame(Arrays.stream(values).map(RowFactory::create).toList(), SCHEMA);
  }

  private static FeatureSettings features(List<SqlStatement> sql, String label, List<String> categorical,
      List<String> numeric) {
    return new FeatureSettings("source", sql, label, Task.AUTO, 20, categorical, 100, numeric, ImputeStrategy.MEAN, true,
        List.of(), List.of(), 64);
  }

  @Test
  void unseenAndNullCategoriesShareTheirOwnBucketAndNumbersAreImputed() {
    Dataset<Row> train = rows(
        new Object[] {"red", 1.0, 1, "a"}, new Object[] {"red", 3.0, 2, "b"},
        new Object[] {"blue", null, 3, "a"}, new Object[] {"green", 5.0, 4, "b"});
    FeatureSettings f = features(List.of(), "label", List.of("color"), List.of("size", "count"));
    PipelineModel model = FeatureStep.pipeline(f, Map.of()).fit(train);
    Dataset<Row> scored = model.transform(rows(
        new Object[] {"purple", null, 1, "a"}, new Object[] {null, 3.0, 1, "a"}, new Object[] {"red", 3.0, 1, "a"}));
    List<Vector> v = scored.select(Columns.FEATURES).collectAsList().stream().map(r -> r.<Vector>getAs(0)).toList();
    // 2 standardized numbers, then red, blue, green and one bucket for anything else.
    assertEquals(6, v.get(0).size());
    assertEquals(1.0, v.get(0).apply(5), "unseen value in the extra bucket");
    assertEquals(1.0, v.get(1).apply(5), "null in the extra bucket");
    assertEquals(1.0, v.get(2).apply(2), "red is the most frequent value, index 0");
    // size was imputed with the training mean (3.0), which standardizes to 0.
    assertEquals(0.0, v.get(0).apply(0), 1e-12);
    assertEquals(v.get(0).apply(0), v.get(2).apply(0), 1e-12);
  }

  @Test
  void stringLabelsBecomeSortedClasses() {
    Dataset<Row> t = rows(new Object[] {"r", 1.0, 1, "sun"}, new Object[] {"r", 1.0, 1, "rain"},
        new Object[] {"r", 1.0, 1, "fog"}, new Object[] {"r", 1.0, 1, "sun"});
    Target target = FeatureStep.inspectTarget(t, features(List.of(), "label", List.of("color"), List.of()));
    assertTrue(target.classification());
    assertEquals(List.of("fog", "rain", "sun"), target.classes());
    List<Double> labels = t.select(FeatureStep.labelColumn(target)).collectAsList().stream()
        .map(r -> r.getDouble(0)).toList();
    assertEquals(List.of(2.0, 1.0, 0.0, 2.0), labels);
  }

  @Test
  void integerLabelsZeroToKAreUsedAsTheyAre() {
    Dataset<Row> t = spark.range(30).selectExpr("CAST(id % 3 AS INT) AS y", "id * 1.0 AS x");
    FeatureSettings f = features(List.of(), "y", List.of(), List.of("x"));
    Target target = FeatureStep.inspectTarget(t, f);
    assertTrue(target.classification());
    assertFalse(target.indexed());
    assertEquals(List.of("0", "1", "2"), target.classes());
  }

  @Test
  void manyDistinctNumbersMeanRegression() {
    Dataset<Row> t = spark.range(100).selectExpr("id * 1.5 AS y", "id * 1.0 AS x");
    Target target = FeatureStep.inspectTarget(t, features(List.of(), "y", List.of(), List.of("x")));
    assertFalse(target.classification());
  }

  @Test
  void labelWithNullsIsADataErrorThatSaysHowToFixIt() {
    Dataset<Row> t = rows(new Object[] {"r", 1.0, 1, null}, new Object[] {"r", 1.0, 1, "a"});
    DataException e = assertThrows(DataException.class,
        () -> FeatureStep.inspectTarget(t, features(List.of(), "label", List.of("color"), List.of())));
    assertEquals("Label column 'label' has 1 null values of 2 rows: drop them with source.filter ="
        + " \"label IS NOT NULL\"", e.getMessage());
  }

  @Test
  void singleClassIsADataError() {
    Dataset<Row> t = rows(new Object[] {"r", 1.0, 1, "a"}, new Object[] {"g", 2.0, 1, "a"});
    DataException e = assertThrows(DataException.class,
        () -> FeatureStep.inspectTarget(t, features(List.of(), "label", List.of("color"), List.of())));
    assertEquals("Label column 'label' has a single value 'a' in all 2 rows: there is nothing to learn", e.getMessage());
  }

  @Test
  void missingColumnsAreNamedWithTheirKey() {
    FeatureSettings f = features(List.of(), "labl", List.of("colour"), List.of("size"));
    DataException e = assertThrows(DataException.class, () -> FeatureStep.checkColumns(SCHEMA, f));
    assertEquals(List.of(
        "Cannot use column 'labl' from features.label: the training table has no such column (it has: color, size, count, label)",
        "Cannot use column 'colour' from features.categorical: the training table has no such column (it has: color, size, count, label)"),
        e.getMessage().lines().toList());
  }

  @Test
  void aStringInNumericIsADataError() {
    FeatureSettings f = features(List.of(), "label", List.of(), List.of("color"));
    DataException e = assertThrows(DataException.class, () -> FeatureStep.checkColumns(SCHEMA, f));
    assertEquals("Column 'color' (features.numeric) is string, not a number: cast it in features.sql or"
        + " list it in features.categorical", e.getMessage());
  }

  @Test
  void sqlStatementsChainAndAnalysisErrorsNameTheStatement() {
    Dataset<Row> source = rows(new Object[] {"r", 2.0, 3, "a"});
    FeatureSettings f = features(List.of(
        new SqlStatement("doubled", "SELECT color, size * 2 AS size2, label FROM source"),
        new SqlStatement("final", "SELECT *, size2 + 1 AS size3 FROM doubled")), "label", List.of(), List.of("size3"));
    Row r = SqlFeatures.build(spark, source, f).first();
    assertEquals(5.0, r.getDouble(r.fieldIndex("size3")));

    FeatureSettings bad = features(List.of(
        new SqlStatement("ok", "SELECT * FROM source"),
        new SqlStatement("broken", "SELECT colour FROM ok")), "label", List.of(), List.of("size"));
    JobConfigException e = assertThrows(JobConfigException.class, () -> SqlFeatures.build(spark, source, bad));
    assertTrue(e.getMessage().startsWith("Cannot run features.sql[1] 'broken': "), e.getMessage());
    assertTrue(e.getMessage().contains("colour"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void arraysOfNumbersBecomeVectors() {
    Dataset<Row> t = spark.range(4).selectExpr("array(id, id * 2) AS pixels", "CAST(id % 2 AS INT) AS y");
    FeatureSettings f = new FeatureSettings("source", List.of(), "y", Task.AUTO, 20, List.of(), 100, List.of(), ImputeStrategy.MEAN,
        false, List.of("pixels"), List.of(), 64);
    FeatureStep.checkColumns(t.schema(), f);
    Dataset<Row> prepared = FeatureStep.prepare(t, f);
    Vector v = FeatureStep.pipeline(f, FeatureStep.vectorSizes(prepared, f)).fit(prepared).transform(prepared).orderBy("y", "pixels")
        .select(Columns.FEATURES).collectAsList().get(3).getAs(0);
    assertEquals(2, v.size());
    assertEquals(6.0, v.apply(1));
  }

  @Test
  void anEmptySplitTransformsAndAVectorOfAnotherSizeIsRejected() {
    Dataset<Row> t = spark.range(4).selectExpr("array(id, id * 2) AS pixels", "CAST(id % 2 AS INT) AS y");
    FeatureSettings f = new FeatureSettings("source", List.of(), "y", Task.AUTO, 20, List.of(), 100, List.of(), ImputeStrategy.MEAN,
        true, List.of("pixels"), List.of(), 64);
    Dataset<Row> prepared = FeatureStep.prepare(t, f);
    PipelineModel model = FeatureStep.pipeline(f, FeatureStep.vectorSizes(prepared, f)).fit(prepared);
    assertEquals(0, model.transform(prepared.limit(0)).count());
    Dataset<Row> wider = FeatureStep.prepare(spark.range(1).selectExpr("array(1, 2, 3) AS pixels", "1 AS y"), f);
    Exception e = assertThrows(Exception.class, () -> model.transform(wider).collect());
    assertTrue(String.valueOf(e.getMessage()).contains("size"), e.getMessage());
  }

  @Test
  void aCategoricalColumnWithTooManyValuesIsRefusedBeforeAnythingIsCollected() {
    Dataset<Row> t = spark.range(1000).selectExpr("CAST(id AS STRING) AS color", "id * 1.0 AS size",
        "CAST(id % 5 AS INT) AS count", "CAST(id % 2 AS STRING) AS label");
    DataException e = assertThrows(DataException.class, () -> FeatureStep.checkValues(t,
        features(List.of(), "label", List.of("count", "color"), List.of())));
    assertTrue(e.getMessage().matches("Column 'color' \\(features.categorical\\) has about \\d+ distinct values,"
        + " more than features.max-categories = 100: list it in features.hashed.columns instead"), e.getMessage());
    FeatureStep.checkValues(t, features(List.of(), "label", List.of("count"), List.of()));
  }

  @Test
  void infiniteNumbersAreRefusedAndNaNIsImputed() {
    Dataset<Row> t = spark.sql("SELECT * FROM VALUES ('a', 1.0D, 1, 'x'), ('b', double('Infinity'), 2, 'y'),"
        + " ('c', double('NaN'), 3, 'x'), ('d', double('-Infinity'), 4, 'y') AS t(color, size, count, label)");
    DataException e = assertThrows(DataException.class,
        () -> FeatureStep.checkValues(t, features(List.of(), "label", List.of(), List.of("size", "count"))));
    assertEquals("Column 'size' (features.numeric) has 2 infinite values in the training split: filter or cap"
        + " them in features.sql", e.getMessage());
    FeatureStep.checkValues(t.filter("abs(size) != double('Infinity')"),
        features(List.of(), "label", List.of(), List.of("size", "count")));
  }
}
