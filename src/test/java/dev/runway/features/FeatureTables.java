package dev.runway.features;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.FeatureSettings.ImputeStrategy;
import dev.runway.config.JobSettings.FeatureSettings.Task;
import dev.runway.config.JobSettings.SqlStatement;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** A small table and feature settings over it, shared by the feature step's tests. */
final class FeatureTables {
  static final StructType SCHEMA = new StructType()
      .add("color", DataTypes.StringType)
      .add("size", DataTypes.DoubleType)
      .add("count", DataTypes.IntegerType)
      .add("label", DataTypes.StringType);

  private FeatureTables() {}

  /** Rows of {@link #SCHEMA}. */
  static Dataset<Row> rows(SparkSession spark, Object[]... values) {
    return spark.createDataFrame(Arrays.stream(values).map(RowFactory::create).toList(), SCHEMA);
  }

  /** Features with task auto, mean imputation, standardizing, and no vector or hashed columns. */
  static FeatureSettings features(
      List<SqlStatement> sql, String label, List<String> categorical, List<String> numeric) {
    return new FeatureSettings(
        "source",
        sql,
        label,
        Task.AUTO,
        20,
        categorical,
        100,
        numeric,
        ImputeStrategy.MEAN,
        true,
        List.of(),
        List.of(),
        64);
  }
}
