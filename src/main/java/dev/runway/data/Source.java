package dev.runway.data;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A job's source as read: its rows (after source.filter), and for text formats what the
 * malformed-row check found. Close it to release the parsed rows it keeps cached.
 *
 * @param rows the rows to build features from
 * @param malformed the malformed-row check's findings; null for formats without one (parquet)
 * @param cached what to unpersist on close; null if nothing is cached
 */
public record Source(Dataset<Row> rows, MalformedRows malformed, Dataset<Row> cached)
    implements AutoCloseable {

  /** The lineage entry for the malformed-row check, if the format has one. */
  public Optional<Map<String, Object>> malformedLineage() {
    return Optional.ofNullable(malformed).map(MalformedRows::lineage);
  }

  @Override
  public void close() {
    if (cached != null) {
      cached.unpersist();
    }
  }
}
