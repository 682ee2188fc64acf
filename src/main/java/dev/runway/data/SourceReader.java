package dev.runway.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;

import dev.runway.config.JobSettings.SourceSettings;
import dev.runway.error.DataException;
import dev.runway.error.JobConfigException;
import dev.runway.error.Messages;
import dev.runway.error.StorageErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/** Reads the job's source as a DataFrame, with errors that name the path. */
public final class SourceReader {
  /** Where Spark's permissive parser puts the text of a row it could not parse. */
  static final String MALFORMED = "_runway_malformed";
  private static final String FILE = "_runway_file";

  private SourceReader() {}

  /**
   * Reads the source. Text formats (csv, json) are parsed once, in full, to find malformed rows
   * (wrong number of fields, a value that is not of its column's type, broken JSON): with
   * {@code source.malformed = fail} any such row stops the job naming the count and where the
   * first is; with {@code drop} they are left out and counted. Spark's own default would
   * silently turn them into rows of nulls. The parsed rows stay cached for the steps that follow;
   * close the result to release them.
   */
  public static Source read(SparkSession spark, SourceSettings source) {
    if (!source.format().equals("csv") && !source.format().equals("json")) {
      return new Source(filter(readAsIs(spark, source), source), null, null);
    }
    Dataset<Row> inferred = readAsIs(spark, source);
    StructType schema = new StructType();
    for (StructField field : inferred.schema().fields()) {
      if (!field.name().equals(MALFORMED)) {
        schema = schema.add(field);
      }
    }
    Dataset<Row> parsed = load(reader(spark, source)
        .schema(schema.add(MALFORMED, DataTypes.StringType, true))
        .option("mode", "PERMISSIVE"), source)
        .withColumn(FILE, input_file_name())
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      MalformedRows malformed = malformedRows(parsed, source);
      if (malformed.count() > 0 && source.malformed().equals("fail")) {
        throw new DataException(malformed.count() + " malformed " + (malformed.count() == 1 ? "row" : "rows")
            + " in source.path " + source.path() + ", the first in " + malformed.firstFile()
            + LineFinder.lineOf(spark.sparkContext().hadoopConfiguration(), malformed.firstFile(),
                malformed.firstRecord())
            + ": \"" + Messages.firstLine(malformed.firstRecord()) + "\" (not " + source.format()
            + " matching the schema; fix the data or set source.malformed = drop)");
      }
      Dataset<Row> rows = parsed.filter(col(MALFORMED).isNull()).drop(MALFORMED, FILE);
      return new Source(filter(rows, source), malformed, parsed);
    } catch (RuntimeException e) {
      parsed.unpersist();
      throw e;
    }
  }

  /**
   * Reads the source with Spark's defaults and no malformed-row check (the {@code scan}
   * command's raw read throughput), failing with one line that names the path.
   */
  public static Dataset<Row> readAsIs(SparkSession spark, SourceSettings source) {
    DataFrameReader reader = reader(spark, source);
    if (!source.schema().isBlank()) {
      reader = reader.schema(source.schema());
    }
    return load(reader, source);
  }

  private static DataFrameReader reader(SparkSession spark, SourceSettings source) {
    return spark.read().format(source.format()).options(source.options())
        .option("columnNameOfCorruptRecord", MALFORMED);
  }

  private static Dataset<Row> load(DataFrameReader reader, SourceSettings source) {
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
    return df;
  }

  private static Dataset<Row> filter(Dataset<Row> df, SourceSettings source) {
    if (source.filter().isBlank()) {
      return df;
    }
    try {
      return df.filter(source.filter());
    } catch (RuntimeException e) {
      throw new JobConfigException("Cannot apply source.filter = \""
          + source.filter() + "\": " + Messages.firstLine(e.getMessage()), e);
    }
  }

  /** One pass over the parsed rows: malformed ones per file, and the first one's text. */
  private static MalformedRows malformedRows(Dataset<Row> parsed, SourceSettings source) {
    List<Row> perFile;
    try {
      perFile = parsed.filter(col(MALFORMED).isNotNull())
          .groupBy(col(FILE)).agg(count(lit(1)), first(col(MALFORMED)))
          .orderBy(col(FILE)).collectAsList();
    } catch (Exception e) {
      throw readFailure(source, e);
    }
    Map<String, Long> files = new LinkedHashMap<>();
    long total = 0;
    for (Row r : perFile) {
      files.put(r.getString(0), r.getLong(1));
      total += r.getLong(1);
    }
    return new MalformedRows(source.malformed(), total, files,
        perFile.isEmpty() ? null : perFile.get(0).getString(0), perFile.isEmpty() ? null : perFile.get(0).getString(2));
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
