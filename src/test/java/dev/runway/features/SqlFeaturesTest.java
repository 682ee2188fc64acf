package dev.runway.features;

import static dev.runway.features.FeatureTables.features;
import static dev.runway.features.FeatureTables.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.SqlStatement;
import dev.runway.error.JobConfigException;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The features.sql statements: chained views, and errors that name the statement. */
class SqlFeaturesTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void sqlStatementsChainAndAnalysisErrorsNameTheStatement() {
    Dataset<Row> source = rows(spark, new Object[] {"r", 2.0, 3, "a"});
    FeatureSettings f = features(
        List.of(
            new SqlStatement("doubled", "SELECT color, size * 2 AS size2, label FROM source"),
            new SqlStatement("final", "SELECT *, size2 + 1 AS size3 FROM doubled")),
        "label",
        List.of(),
        List.of("size3"));
    Row r = SqlFeatures.build(spark, source, f).first();
    assertEquals(5.0, r.getDouble(r.fieldIndex("size3")));

    FeatureSettings bad = features(
        List.of(
            new SqlStatement("ok", "SELECT * FROM source"),
            new SqlStatement("broken", "SELECT colour FROM ok")),
        "label",
        List.of(),
        List.of("size"));
    JobConfigException e =
        assertThrows(JobConfigException.class, () -> SqlFeatures.build(spark, source, bad));
    assertTrue(e.getMessage().startsWith("Cannot run features.sql[1] 'broken': "), e.getMessage());
    assertTrue(e.getMessage().contains("colour"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void vectorToArrayLetsSqlScaleAVectorColumnsValues() {
    Dataset<Row> source = spark.createDataFrame(
        List.of(
            RowFactory.create(Vectors.dense(0, 51, 255), "a"),
            RowFactory.create(Vectors.sparse(3, new int[] {2}, new double[] {102}), "b")),
        new StructType().add("image", new VectorUDT()).add("label", DataTypes.StringType));
    FeatureSettings f = features(
        List.of(new SqlStatement(
            "scaled",
            "SELECT transform(vector_to_array(image), p -> p / 255D) AS pixels, label FROM source"
                + " ORDER BY label")),
        "label",
        List.of(),
        List.of());
    List<Row> rows = SqlFeatures.build(spark, source, f).collectAsList();
    assertEquals(List.of(0.0, 0.2, 1.0), rows.get(0).getList(0));
    // A sparse vector's zeros come back as zeros, in their places.
    assertEquals(List.of(0.0, 0.0, 0.4), rows.get(1).getList(0));
  }
}
