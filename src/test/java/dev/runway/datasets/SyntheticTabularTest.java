package dev.runway.datasets;

import static org.apache.spark.sql.functions.avg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticTabularTest {
  private static final long ROWS = 20_000;
  private static final long SEED = 42;
  private static final int PARTITIONS = 4;

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static long generated;
  private static Dataset<Row> data;

  @BeforeAll
  static void generateOnce() {
    spark = TestSpark.session();
    generated = SyntheticTabular.generate(spark, ROWS, SEED, PARTITIONS, path("seed-42"));
    data = spark.read().parquet(path("seed-42")).cache();
  }

  @Test
  void writesTheDocumentedColumns() {
    assertEquals(ROWS, generated);
    assertEquals(ROWS, data.count());
    assertEquals(
        "id:bigint region:string plan:string device:string user_agent:string age:double"
            + " tenure_months:double monthly_usage:double support_calls:int noise_1:double"
            + " noise_2:double noise_3:double signup_date:date churned:int lifetime_value:double",
        String.join(
            " ",
            Arrays.stream(data.schema().fields())
                .map(f -> f.name() + ":" + f.dataType().simpleString())
                .toList()));
  }

  @Test
  void valuesHaveTheDocumentedShape() {
    Row stats = data.selectExpr(
            "avg(CASE WHEN age IS NULL THEN 1D ELSE 0D END)",
            "count(DISTINCT region)",
            "count(DISTINCT plan)",
            "count(DISTINCT device)",
            "count(DISTINCT user_agent)",
            "min(signup_date) >= DATE'2022-01-01' AND max(signup_date) <= DATE'2024-12-31'",
            "min(tenure_months)",
            "max(tenure_months)",
            "avg(support_calls)")
        .first();

    assertEquals(0.05, stats.getDouble(0), 0.01, "share of null ages");
    assertEquals(8L, stats.getLong(1));
    assertEquals(3L, stats.getLong(2));
    assertEquals(5L, stats.getLong(3));
    assertTrue(stats.getLong(4) > 1_800 && stats.getLong(4) <= 2_000, "user agents " + stats);
    assertTrue(stats.getBoolean(5), "signup dates within 2022..2024");
    assertEquals(1.0, stats.getDouble(6));
    assertEquals(72.0, stats.getDouble(7));
    assertEquals(1.5, stats.getDouble(8), 0.05);
  }

  @Test
  void sameSeedGivesTheSameDataAndAnotherSeedDoesNot() {
    SyntheticTabular.generate(spark, ROWS, SEED, PARTITIONS, path("seed-42-again"));
    SyntheticTabular.generate(spark, ROWS, SEED + 1, PARTITIONS, path("seed-43"));
    Dataset<Row> again = spark.read().parquet(path("seed-42-again"));
    Dataset<Row> other = spark.read().parquet(path("seed-43"));

    assertEquals(0, data.exceptAll(again).count());
    assertEquals(0, again.exceptAll(data).count());
    assertEquals(ROWS, data.drop("id").exceptAll(other.drop("id")).count());
  }

  @Test
  void premiumPlansChurnMoreThanBasicAsPlanted() {
    Map<String, Double> rates = data.groupBy("plan").agg(avg("churned")).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getDouble(1)));

    assertTrue(SyntheticTabular.PLANTED.get("plan=premium") > 0);
    assertTrue(rates.get("premium") - rates.get("basic") > 0.2, "churn rates by plan " + rates);
  }

  @Test
  void logisticRegressionRecoversThePlantedCoefficients() {
    List<String> terms = List.copyOf(SyntheticTabular.PLANTED.keySet()).subList(1, 7);
    Dataset<Row> features = data.selectExpr(
        "CASE WHEN plan = 'premium' THEN 1.0 ELSE 0.0 END AS premium",
        "CASE WHEN plan = 'standard' THEN 1.0 ELSE 0.0 END AS standard",
        "CASE WHEN region = 'north' THEN 1.0 ELSE 0.0 END AS north",
        "(tenure_months - 36.5) / sqrt((72 * 72 - 1) / 12.0) AS tenure",
        "(monthly_usage - 50) / 15 AS usage",
        "(support_calls - 1.5) / sqrt(1.5) AS calls",
        "noise_1",
        "CAST(churned AS DOUBLE) AS label");
    Dataset<Row> assembled = new VectorAssembler()
        .setInputCols(
            new String[] {"premium", "standard", "north", "tenure", "usage", "calls", "noise_1"})
        .setOutputCol("features")
        .transform(features);

    LogisticRegressionModel model =
        new LogisticRegression().setRegParam(0).setStandardization(false).fit(assembled);

    assertEquals(SyntheticTabular.PLANTED.get("intercept"), model.intercept(), 0.15);
    double[] fitted = model.coefficients().toArray();
    for (int i = 0; i < terms.size(); i++) {
      assertEquals(SyntheticTabular.PLANTED.get(terms.get(i)), fitted[i], 0.15, terms.get(i));
    }
    assertEquals(0.0, fitted[6], 0.1, "noise_1 has no effect");
  }

  @Test
  void rejectsNonPositiveSizes() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> SyntheticTabular.generate(spark, 0, SEED, PARTITIONS, path("never")));
    assertEquals(
        "Cannot generate synthetic data with rows=0: the value must be positive", e.getMessage());
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }
}
