package dev.runway.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;

import dev.runway.config.JobSettings.SourceSettings;
import dev.runway.config.JobSettings.SourceSettings.Format;
import dev.runway.config.JobSettings.SourceSettings.Malformed;
import dev.runway.error.DataException;
import dev.runway.error.JobConfigException;
import dev.runway.error.Messages;
import dev.runway.error.StorageErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  /** Spark's csv option; a job that sets it in source.options overrides source.infer-schema. */
  private static final String INFER_SCHEMA = "inferSchema";

  private SourceReader() {}

  /**
   * Reads the source. Text formats (csv, json) are parsed once, in full, to find malformed rows
   * (wrong number of fields, a value that is not of its column's type, broken JSON): with
   * {@code source.malformed = fail} any such row stops the job naming the count and where the
   * first is; with {@code drop} they are left out and counted. Spark's own default would
   * silently turn them into rows of nulls. A csv source without a schema has its column types
   * inferred first (source.infer-schema), one more pass, and its string columns carry a note of
   * how to type them (see {@link CsvColumns}). The parsed rows stay cached for the steps that
   * follow; close the result to release them.
   */
  public static Source read(SparkSession spark, SourceSettings source) {
    if (source.format() != Format.CSV && source.format() != Format.JSON) {
      return new Source(filter(readAsIs(spark, source), source), null, null);
    }
    Dataset<Row> inferred = readAsIs(spark, source);
    StructType schema = new StructType();
    for (StructField field : inferred.schema().fields()) {
      if (!field.name().equals(MALFORMED)) {
        schema = schema.add(field);
      }
    }
    Dataset<Row> parsed = load(
            reader(spark, source)
                .schema(schema.add(MALFORMED, DataTypes.StringType, true))
                .option("mode", "PERMISSIVE"),
            source)
        .withColumn(FILE, input_file_name())
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      MalformedRows malformed = malformedRows(parsed, source);
      if (malformed.count() > 0 && source.malformed() == Malformed.FAIL) {
        throw new DataException(malformed.count() + " malformed "
            + (malformed.count() == 1 ? "row" : "rows")
            + " in source.path " + source.path() + ", the first in " + malformed.firstFile()
            + LineFinder.lineOf(
                spark.sparkContext().hadoopConfiguration(),
                malformed.firstFile(),
                malformed.firstRecord())
            + ": \"" + Messages.firstLine(malformed.firstRecord()) + "\" (not " + source.format()
            + " matching the schema; fix the data or set source.malformed = drop)");
      }
      Dataset<Row> rows = parsed.filter(col(MALFORMED).isNull()).drop(MALFORMED, FILE);
      if (source.format() == Format.CSV && source.schema().isBlank()) {
        rows = CsvColumns.note(rows, CsvColumns.fix(infersTypes(source), inferKey(source)));
      }
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

  /**
   * The source's columns and types as Spark reads them, without the malformed-row column: for a
   * csv source without a schema this is the inference pass ({@code scan --schema} prints it).
   */
  public static StructType schema(SparkSession spark, SourceSettings source) {
    StructType schema = new StructType();
    for (StructField field : readAsIs(spark, source).schema().fields()) {
      if (!field.name().equals(MALFORMED)) {
        schema = schema.add(field);
      }
    }
    return schema;
  }

  private static DataFrameReader reader(SparkSession spark, SourceSettings source) {
    DataFrameReader reader = spark
        .read()
        .format(source.format().configName())
        .options(source.options())
        .option("columnNameOfCorruptRecord", MALFORMED);
    if (source.format() == Format.CSV
        && source.schema().isBlank()
        && userInferOption(source).isEmpty()) {
      reader = reader.option(INFER_SCHEMA, Boolean.toString(source.inferSchema()));
    }
    return reader;
  }

  /** Whether a csv source without a schema has its types inferred. */
  static boolean infersTypes(SourceSettings source) {
    return userInferOption(source).map(Boolean::parseBoolean).orElse(source.inferSchema());
  }

  /** The setting that decides inference, as a user would change it. */
  private static String inferKey(SourceSettings source) {
    return userInferOption(source).isPresent()
        ? "source.options." + INFER_SCHEMA
        : "source.infer-schema";
  }

  /** Spark's option keys are case-insensitive: any spelling of inferSchema counts. */
  private static Optional<String> userInferOption(SourceSettings source) {
    return source.options().entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(INFER_SCHEMA))
        .map(Map.Entry::getValue)
        .findFirst();
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
      throw new JobConfigException(
          "Cannot apply source.filter = \"" + source.filter() + "\": "
              + Messages.firstLine(e.getMessage()),
          e);
    }
  }

  /** One pass over the parsed rows: malformed ones per file, and the first one's text. */
  private static MalformedRows malformedRows(Dataset<Row> parsed, SourceSettings source) {
    List<Row> perFile;
    try {
      perFile = parsed
          .filter(col(MALFORMED).isNotNull())
          .groupBy(col(FILE))
          .agg(count(lit(1)), first(col(MALFORMED)))
          .orderBy(col(FILE))
          .collectAsList();
    } catch (Exception e) {
      throw readFailure(source, e);
    }
    Map<String, Long> files = new LinkedHashMap<>();
    long total = 0;
    for (Row r : perFile) {
      files.put(r.getString(0), r.getLong(1));
      total += r.getLong(1);
    }
    return new MalformedRows(
        source.malformed(),
        total,
        files,
        perFile.isEmpty() ? null : perFile.get(0).getString(0),
        perFile.isEmpty() ? null : perFile.get(0).getString(2));
  }

  private static RuntimeException readFailure(SourceSettings source, Exception e) {
    var storage = StorageErrors.classify(e, source.path());
    if (storage.isPresent()) {
      return storage.get();
    }
    String message = Messages.firstLine(e.getMessage());
    if (e instanceof AnalysisException && message.contains("PATH_NOT_FOUND")) {
      return new DataException(
          "Cannot read source.path " + source.path() + ": no such file or directory", e);
    }
    if (message.contains("UNABLE_TO_INFER_SCHEMA")) {
      return new DataException(
          "Cannot read source.path " + source.path() + " as " + source.format()
              + ": no data files found there to infer a schema from",
          e);
    }
    return new DataException(
        "Cannot read source.path " + source.path() + " as " + source.format() + ": "
            + Messages.rootLine(e),
        e);
  }
}
