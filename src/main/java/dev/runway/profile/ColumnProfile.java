package dev.runway.profile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One column's distribution as bin counts: the bins are fixed by the reference (training) data,
 * so a later batch is counted into exactly the same bins and the two sets of counts compare cell
 * by cell. Counts are exact; only where the numeric edges fall is approximate, and any edges a
 * function of the reference alone serve a test of the new batch against it.
 *
 * @param name the column (of the training table; "prediction" for the model's output)
 * @param kind how values are binned
 * @param type the column's Spark SQL type where it was profiled
 * @param edges numeric: bin j holds the values v with edges[j-1] &lt; v &le; edges[j], the last
 *     bin everything above the last edge (so edges.size() + 1 value bins); empty for categorical
 * @param values categorical: the reference's most frequent values, most frequent first; empty
 *     for numeric
 * @param counts per bin, then (categorical) one cell for every other value, then, last, one for
 *     missing values (null, and NaN for numbers)
 */
@JsonPropertyOrder({"name", "kind", "type", "edges", "values", "counts"})
public record ColumnProfile(
    String name,
    Kind kind,
    String type,
    List<Double> edges,
    List<String> values,
    List<Long> counts) {

  /** How a column's values are binned. */
  public enum Kind {
    /** By quantile edges of the reference. */
    @JsonProperty("numeric")
    NUMERIC,
    /** By the reference's most frequent values, the rest as "other". */
    @JsonProperty("categorical")
    CATEGORICAL;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ColumnProfile {
    edges = List.copyOf(edges);
    values = List.copyOf(values);
    counts = List.copyOf(counts);
    if (counts.size() != cells(kind, edges, values)) {
      throw new IllegalArgumentException("Column " + name + " has " + counts.size() + " counts for "
          + cells(kind, edges, values) + " bins");
    }
  }

  /** The bins of {@code kind} with these edges or values, before any row is counted. */
  public static ColumnProfile empty(
      String name, Kind kind, String type, List<Double> edges, List<String> values) {
    List<Long> zeros = new ArrayList<>();
    for (int i = 0; i < cells(kind, edges, values); i++) {
      zeros.add(0L);
    }
    return new ColumnProfile(name, kind, type, edges, values, zeros);
  }

  private static int cells(Kind kind, List<Double> edges, List<String> values) {
    return kind == Kind.NUMERIC ? edges.size() + 2 : values.size() + 2;
  }

  /** The same bins with other counts (a new batch's). */
  public ColumnProfile withCounts(long[] counted) {
    List<Long> c = new ArrayList<>(counted.length);
    for (long n : counted) {
      c.add(n);
    }
    return new ColumnProfile(name, kind, type, edges, values, c);
  }

  public long[] countArray() {
    return counts.stream().mapToLong(Long::longValue).toArray();
  }

  /** Rows counted, missing ones included. */
  public long rows() {
    return counts.stream().mapToLong(Long::longValue).sum();
  }

  /** Rows whose value was missing. */
  public long missing() {
    return counts.get(counts.size() - 1);
  }

  /** What each cell holds, in words: "(-inf, 2.5]", "(2.5, 4]", "(9, +inf)"; a value, "other"; "missing". */
  @JsonIgnore
  public List<String> labels() {
    List<String> out = new ArrayList<>();
    if (kind == Kind.NUMERIC) {
      String lower = "-inf";
      for (double e : edges) {
        out.add("(" + lower + ", " + number(e) + "]");
        lower = number(e);
      }
      out.add("(" + lower + ", +inf)");
    } else {
      out.addAll(values);
      out.add("other");
    }
    out.add("missing");
    return out;
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
