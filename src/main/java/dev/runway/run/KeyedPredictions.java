package dev.runway.run;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static dev.runway.features.Columns.RAW;
import static dev.runway.features.Columns.ROW_KEY;
import static dev.runway.features.Columns.quote;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.runway.error.DataException;
import dev.runway.features.Target;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's predictions on labelled rows, each keyed so that two runs' predictions on one holdout
 * join row by row: what {@code evaluate} writes and {@code compare} joins. The key is a column the
 * caller names or, by default, a seeded hash of the input row's values (the same row gets the same
 * key for every run and every day).
 *
 * @param rows the key (as {@link #keyColumn}), the label as read ({@link #LABEL_COLUMN}), the
 *     internal label index and prediction columns, and {@link #VALID}: whether the run can score
 *     against the row's label
 * @param keyColumn the key's column in {@code rows}
 * @param keyedBy how rows are keyed, in words (recorded in the outputs)
 */
public record KeyedPredictions(Dataset<Row> rows, String keyColumn, String keyedBy) {
  private static final Logger LOG = LoggerFactory.getLogger(KeyedPredictions.class);
  /** The row key's column when no --row-key names one. */
  public static final String ROW_KEY_COLUMN = "row_key";
  /** The true label's column, as the input holds it. */
  public static final String LABEL_COLUMN = "label";
  /** Whether the run can score against the row's label (see {@link #validLabel}). */
  public static final String VALID = "_valid";
  /** Seed of the row hash: fixed, so the key of a row is the same for every run and every day. */
  private static final long ROW_KEY_SEED = 42L;

  /**
   * Applies {@code run} to labelled {@code sourceRows} (read with the run's source settings).
   *
   * @param rowKey an input column that identifies a row; null for a hash of the row's values
   * @param inputName how messages name the input
   */
  public static KeyedPredictions of(
      FittedRun run, Dataset<Row> sourceRows, String rowKey, String inputName) {
    Target target = run.target();
    Dataset<Row> rows = sourceRows;
    String key = rowKey == null ? ROW_KEY : rowKey;
    if (rowKey == null) {
      rows = rows.withColumn(ROW_KEY, rowHash(rows, List.of(rows.columns())));
    } else if (!List.of(rows.columns()).contains(rowKey)) {
      throw new DataException("Cannot key rows by column '" + rowKey + "' (--row-key): input "
          + inputName + " has no such column (it has: "
          + String.join(", ", sourceRows.columns()) + ")");
    }
    Dataset<Row> applied = run.apply(rows, true, inputName);
    String keyedBy = rowKey == null ? "xxhash64 of the input row's values" : rowKey;
    if (!List.of(applied.columns()).contains(key)) {
      if (rowKey != null) {
        throw new DataException("Cannot key rows by column '" + key + "' (--row-key): the run's"
            + " features.sql does not pass it through to its training table (select it there,"
            + " e.g. SELECT *, ...)");
      }
      // The statements select their own columns: the input row is gone by now, so the key is
      // a hash of the training-table row (the label left out). Stable for the same job's SQL;
      // to join runs whose SQL differs, name a --row-key column both pass through.
      List<String> tableColumns =
          new ArrayList<>(List.of(run.table(sourceRows, true, inputName).columns()));
      tableColumns.removeIf(c -> c.startsWith("_") || c.equals(target.column()));
      applied = applied.withColumn(ROW_KEY, rowHash(applied, tableColumns));
      keyedBy = "xxhash64 of the training-table row's values (the run's SQL does not pass the"
          + " input row through)";
      LOG.warn("warning: the run's features.sql drops input columns: rows are keyed by a hash of"
          + " the training-table row; pass --row-key COLUMN (kept by the SQL) to join runs with"
          + " other SQL");
    }
    String keyColumn = rowKey == null ? ROW_KEY_COLUMN : rowKey;
    Dataset<Row> keyed = applied.select(
        col(quote(key)).as(keyColumn),
        col(quote(target.column())).as(LABEL_COLUMN),
        col(LABEL),
        col(PREDICTION),
        target.classification() ? col(PROBABILITY) : lit(null).as(PROBABILITY),
        target.classification() ? col(RAW) : lit(null).as(RAW),
        validLabel(target).as(VALID));
    return new KeyedPredictions(keyed, keyColumn, keyedBy);
  }

  /**
   * A label the run can score against: for classification one of its classes (a value never seen
   * in training has no index, or one out of range when labels are indices); for regression a
   * finite number.
   */
  private static Column validLabel(Target target) {
    Column label = col(LABEL);
    if (target.classification()) {
      return label
          .isNotNull()
          .and(label.geq(0))
          .and(label.lt(target.classes().size()))
          .and(label.equalTo(functions.floor(label)));
    }
    return label
        .isNotNull()
        .and(functions.not(functions.isnan(label)))
        .and(functions.abs(label).notEqual(Double.POSITIVE_INFINITY));
  }

  /** A seeded 64-bit hash of every column of a simple type: the same row gives the same key. */
  private static Column rowHash(Dataset<Row> rows, List<String> columns) {
    List<Column> hashed = new ArrayList<>();
    hashed.add(lit(ROW_KEY_SEED));
    for (StructField f : rows.schema().fields()) {
      // Membership and type both decide: without the parentheses (as first written) every string,
      // boolean, date or binary column was hashed whether listed or not, so a string label the
      // training-table key leaves out still went in, and a relabelled row changed its key.
      if (columns.contains(f.name())
          && (f.dataType() instanceof NumericType
              || f.dataType() instanceof StringType
              || f.dataType() instanceof BooleanType
              || f.dataType() instanceof DateType
              || f.dataType() instanceof TimestampType
              || f.dataType() instanceof BinaryType)) {
        hashed.add(col(quote(f.name())));
      }
    }
    return functions.xxhash64(hashed.toArray(Column[]::new));
  }
}
