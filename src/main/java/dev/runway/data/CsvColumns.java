package dev.runway.data;

import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * Why a column of a csv source is a string, kept in the column's metadata. A later check that
 * finds a string where it needs a number (after the SQL statements, which carry a selected
 * column's metadata along) can then name the fix that belongs to the source, not only the
 * generic ones. Columns computed in SQL carry no such note, so they get none.
 */
public final class CsvColumns {
  private static final String KEY = "runway_csv_string";

  private CsvColumns() {}

  /**
   * The fix for a string column of a csv source read without a schema.
   *
   * @param inferred whether types were inferred (then the column holds a value that is not a number)
   * @param inferKey the setting that turns inference on, as the user should write it
   */
  static String fix(boolean inferred, String inferKey) {
    return inferred
        ? "inferring the csv source's types found values in it that are not numbers: name a missing-value"
            + " marker such as NA in source.options.nullValue, or give its type in source.schema"
        : "the csv source was read without types: give them in source.schema (runway scan --schema prints"
            + " them) or set " + inferKey + " = true";
  }

  /** {@code rows} with {@code fix} noted on each string column. */
  static Dataset<Row> note(Dataset<Row> rows, String fix) {
    Metadata note = new MetadataBuilder().putString(KEY, fix).build();
    Column[] columns = new Column[rows.columns().length];
    StructField[] fields = rows.schema().fields();
    for (int i = 0; i < fields.length; i++) {
      Column c = functions.col(quoted(fields[i].name()));
      columns[i] = fields[i].dataType().equals(DataTypes.StringType)
          ? c.as(
              fields[i].name(),
              new MetadataBuilder()
                  .withMetadata(fields[i].metadata())
                  .withMetadata(note)
                  .build())
          : c;
    }
    return rows.select(columns);
  }

  /** The source's fix for a string column that should be a number, if it came from a csv read. */
  public static Optional<String> fix(StructField field) {
    return field.metadata().contains(KEY)
        ? Optional.of(field.metadata().getString(KEY))
        : Optional.empty();
  }

  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
