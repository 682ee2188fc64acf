package dev.runway.features;

import dev.runway.config.ConfigReader;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.config.JobSettings.SourceSettings;
import dev.runway.config.JobSettings.SqlStatement;
import dev.runway.error.JobConfigException;
import dev.runway.error.Messages;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The SQL half of the feature step: the source becomes a view, each named statement runs over
 * the views before it, and the last result is the training table.
 */
public final class SqlFeatures {
  private SqlFeatures() {}

  /**
   * Parses the schema, the filter and every statement without a Spark session or data, so
   * {@code validate} catches SQL typos in a second. Name resolution needs the data and happens
   * in {@link #build}.
   */
  public static void checkSyntax(SourceSettings source, FeatureSettings features, ConfigReader r) {
    if (!source.schema().isBlank()) {
      try {
        StructType.fromDDL(source.schema());
      } catch (Exception e) {
        r.problem("source.schema", "not a valid DDL schema: " + Messages.firstLine(e.getMessage()));
      }
    }
    if (!source.filter().isBlank()) {
      try {
        CatalystSqlParser$.MODULE$.parseExpression(source.filter());
      } catch (Exception e) {
        r.problem(
            "source.filter", "not a valid SQL predicate: " + Messages.firstLine(e.getMessage()));
      }
    }
    List<SqlStatement> statements = features.sql();
    for (int i = 0; i < statements.size(); i++) {
      SqlStatement statement = statements.get(i);
      try {
        CatalystSqlParser$.MODULE$.parsePlan(statement.sql());
      } catch (Exception e) {
        r.problem("Cannot parse features.sql[" + i + "] '" + statement.name() + "' ("
            + r.where("features.sql") + "): " + Messages.firstLine(e.getMessage()));
      }
    }
  }

  /** Runs the statements over {@code source}; analysis errors name the statement. */
  public static Dataset<Row> build(
      SparkSession spark, Dataset<Row> source, FeatureSettings features) {
    if (!features.sql().isEmpty()) {
      registerFunctions(spark);
    }
    source.createOrReplaceTempView(features.sourceView());
    Dataset<Row> table = source;
    for (int i = 0; i < features.sql().size(); i++) {
      SqlStatement statement = features.sql().get(i);
      try {
        table = spark.sql(statement.sql());
      } catch (Exception e) {
        // AnalysisException is checked as far as Java knows, though Scala throws it freely.
        if (e instanceof AnalysisException) {
          throw new JobConfigException(
              "Cannot run features.sql[" + i + "] '" + statement.name() + "': "
                  + Messages.firstLine(e.getMessage()),
              e);
        }
        throw e;
      }
      table.createOrReplaceTempView(statement.name());
    }
    return table;
  }

  /**
   * Functions the statements may call beyond Spark SQL's own. {@code vector_to_array(v)}: a Spark
   * ML vector column (an image's pixels, as {@code prepare-fashion-mnist} writes them) as an array
   * of doubles, so SQL can reach its values, e.g. {@code transform(vector_to_array(image), p -> p /
   * 255D)} to scale pixels to [0, 1]. Spark has the function for DataFrames
   * (org.apache.spark.ml.functions) but not in SQL. A session-scoped registration, the same every
   * time, so registering again is harmless.
   */
  static void registerFunctions(SparkSession spark) {
    spark
        .udf()
        .register(
            "vector_to_array",
            (UDF1<Vector, double[]>) v -> v == null ? null : v.toArray(),
            DataTypes.createArrayType(DataTypes.DoubleType, false));
  }
}
