package dev.runway.data;

import dev.runway.config.JobSettings.SourceSettings;
import dev.runway.error.DataException;
import dev.runway.error.Messages;
import dev.runway.error.StorageErrors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads the job's source as a DataFrame, with errors that name the path. */
public final class SourceReader {
  private SourceReader() {}

  public static Dataset<Row> read(SparkSession spark, SourceSettings source) {
    DataFrameReader reader = spark.read().format(source.format()).options(source.options());
    if (!source.schema().isBlank()) {
      reader = reader.schema(source.schema());
    }
    Dataset<Row> df;
    try {
      df = reader.load(source.path());
    } catch (Exception e) {
      throw readFailure(source, e);
    }
    if (df.columns().length == 0) {
      throw new DataException("Cannot read " + source.path() + " as " + source.format()
          + ": it holds no columns (empty files?)");
    }
    if (!source.filter().isBlank()) {
      try {
        df = df.filter(source.filter());
      } catch (RuntimeException e) {
        throw new dev.runway.error.JobConfigException("Cannot apply source.filter = \""
            + source.filter() + "\": " + Messages.firstLine(e.getMessage()), e);
      }
    }
    return df;
  }

  private static RuntimeException readFailure(SourceSettings source, Exception e) {
    var storage = StorageErrors.classify(e, source.path());
    if (storage.isPresent()) {
      return storage.get();
    }
    String message = Messages.firstLine(e.getMessage());
    if (e instanceof AnalysisException && message.contains("PATH_NOT_FOUND")) {
      return new DataException("Cannot read source.path " + source.path() + ": no such file or directory", e);
    }
    if (message.contains("UNABLE_TO_INFER_SCHEMA")) {
      return new DataException("Cannot read source.path " + source.path() + " as "
          + source.format() + ": no data files found there to infer a schema from", e);
    }
    return new DataException("Cannot read source.path " + source.path() + " as " + source.format()
        + ": " + Messages.rootLine(e), e);
  }
}
