package dev.runway.features;

import static dev.runway.features.FeatureTables.features;
import static dev.runway.features.FeatureTables.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.FeatureSettings.ImputeStrategy;
import dev.runway.config.JobSettings.FeatureSettings.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature pipeline: from columns to one feature vector, fitted on training rows. */
class FeaturePipelineTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void unseenAndNullCategoriesShareTheirOwnBucketAndNumbersAreImputed() {
    Dataset<Row> train = rows(
        spark,
        new Object[] {"red", 1.0, 1, "a"},
        new Object[] {"red", 3.0, 2, "b"},
        new Object[] {"blue", null, 3, "a"},
        new Object[] {"green", 5.0, 4, "b"});
    FeatureSettings f = features(List.of(), "label", List.of("color"), List.of("size", "count"));
    PipelineModel model = FeaturePipeline.pipeline(f, Map.of()).fit(train);
    Dataset<Row> scored = model.transform(rows(
        spark,
        new Object[] {"purple", null, 1, "a"},
        new Object[] {null, 3.0, 1, "a"},
        new Object[] {"red", 3.0, 1, "a"}));
    List<Vector> v = scored.select(Columns.FEATURES).collectAsList().stream()
        .map(r -> r.<Vector>getAs(0))
        .toList();
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
  void arraysOfNumbersBecomeVectors() {
    Dataset<Row> t =
        spark.range(4).selectExpr("array(id, id * 2) AS pixels", "CAST(id % 2 AS INT) AS y");
    FeatureSettings f = pixels(false);
    FeatureChecks.checkColumns(t.schema(), f);
    Dataset<Row> prepared = FeaturePipeline.prepare(t, f);
    Vector v = fitted(prepared, f)
        .transform(prepared)
        .orderBy("y", "pixels")
        .select(Columns.FEATURES)
        .collectAsList()
        .get(3)
        .getAs(0);
    assertEquals(2, v.size());
    assertEquals(6.0, v.apply(1));
  }

  /**
   * One vector column and nothing else is scaled as it is, with no VectorAssembler copying it
   * element by element: the features are (x - mean) / sd per position, a null vector still fails
   * the run, and the fitted pipeline saves and loads as every run's does.
   */
  @Test
  void aLoneVectorColumnIsScaledWithoutAnAssembler(@TempDir Path dir) throws IOException {
    Dataset<Row> t =
        spark.range(5).selectExpr("array(id, id * id) AS pixels", "CAST(id % 2 AS INT) AS y");
    FeatureSettings f = pixels(true);
    Dataset<Row> prepared = FeaturePipeline.prepare(t, f);
    PipelineModel model = fitted(prepared, f);
    for (Transformer stage : model.stages()) {
      assertFalse(stage instanceof VectorAssembler, stage.toString());
    }
    model.write().save(dir.resolve("pipeline").toString());
    PipelineModel loaded = PipelineModel.load(dir.resolve("pipeline").toString());
    // Positions: 0..4 (mean 2, sd sqrt(2.5)) and 0, 1, 4, 9, 16 (mean 6, sd sqrt(43.5)).
    List<Row> out =
        loaded.transform(prepared).orderBy("pixels").select(Columns.FEATURES).collectAsList();
    for (int i = 0; i < 5; i++) {
      Vector v = out.get(i).getAs(0);
      assertEquals((i - 2) / Math.sqrt(2.5), v.apply(0), 1e-12);
      assertEquals((i * i - 6) / Math.sqrt(43.5), v.apply(1), 1e-12);
    }
    Dataset<Row> withNull = FeaturePipeline.prepare(
        spark.range(1).selectExpr("CAST(NULL AS ARRAY<BIGINT>) AS pixels", "1 AS y"), f);
    Exception e = assertThrows(Exception.class, () -> loaded.transform(withNull).collect());
    assertTrue(String.valueOf(e.getMessage()).contains("null"), e.getMessage());
  }

  @Test
  void anEmptySplitTransformsAndAVectorOfAnotherSizeIsRejected() {
    Dataset<Row> t =
        spark.range(4).selectExpr("array(id, id * 2) AS pixels", "CAST(id % 2 AS INT) AS y");
    FeatureSettings f = pixels(true);
    Dataset<Row> prepared = FeaturePipeline.prepare(t, f);
    PipelineModel model = fitted(prepared, f);
    assertEquals(0, model.transform(prepared.limit(0)).count());
    Dataset<Row> wider =
        FeaturePipeline.prepare(spark.range(1).selectExpr("array(1, 2, 3) AS pixels", "1 AS y"), f);
    Exception e = assertThrows(Exception.class, () -> model.transform(wider).collect());
    assertTrue(String.valueOf(e.getMessage()).contains("size"), e.getMessage());
  }

  @Test
  void everyPositionOfTheVectorIsNamedAfterItsColumnAndTheNamesReachTheAttributes() {
    Dataset<Row> t = spark
        .range(6)
        .selectExpr(
            "CAST(id AS DOUBLE) AS size",
            "array(id, id * 2) AS pixels",
            "IF(id % 3 = 0, 'red', 'blue') AS color",
            "CAST(id AS STRING) AS agent",
            "CAST(id % 2 AS INT) AS y");
    FeatureSettings f = new FeatureSettings(
        "source",
        List.of(),
        "y",
        Task.AUTO,
        20,
        List.of("color"),
        100,
        List.of("size"),
        ImputeStrategy.MEAN,
        true,
        List.of("pixels"),
        List.of("agent"),
        4);
    Dataset<Row> prepared = FeaturePipeline.prepare(t, f);
    PipelineModel model = fitted(prepared, f);
    List<String> names = FeaturePipeline.featureNames(model, f);
    assertEquals(
        List.of(
            "size",
            "pixels[0]",
            "pixels[1]",
            "color=blue",
            "color=red",
            "color=(other)",
            "hashed[0]",
            "hashed[1]",
            "hashed[2]",
            "hashed[3]"),
        names);
    Dataset<Row> named =
        FeaturePipeline.named(model.transform(prepared).select(Columns.FEATURES), names);
    Vector first = named.first().getAs(0);
    assertEquals(names.size(), first.size());
    AttributeGroup group = AttributeGroup.fromStructField(named.schema().apply(Columns.FEATURES));
    assertEquals(names.size(), group.size());
    assertEquals("color=red", group.getAttr(4).name().get());
    // "blue" is the more frequent value (4 of 6 rows), so index 0 of the one-hot block.
    Row blue = named.collectAsList().get(1);
    assertEquals(1.0, blue.<Vector>getAs(0).apply(3));
  }

  /** Features: the vector column {@code pixels} and nothing else, label {@code y}. */
  private static FeatureSettings pixels(boolean standardize) {
    return new FeatureSettings(
        "source",
        List.of(),
        "y",
        Task.AUTO,
        20,
        List.of(),
        100,
        List.of(),
        ImputeStrategy.MEAN,
        standardize,
        List.of("pixels"),
        List.of(),
        64);
  }

  /** The pipeline of {@code f} fitted on {@code prepared}, vector sizes from its first row. */
  private static PipelineModel fitted(Dataset<Row> prepared, FeatureSettings f) {
    return FeaturePipeline.pipeline(f, FeaturePipeline.vectorSizes(prepared, f)).fit(prepared);
  }
}
