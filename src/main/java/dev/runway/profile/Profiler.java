package dev.runway.profile;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import dev.runway.config.MonitorSettings;
import dev.runway.features.Columns;
import dev.runway.profile.ColumnProfile.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Profiles columns of a Dataset into fixed bins, on the executors. Making a reference takes at
 * most three passes: the numeric columns' quantile edges (one approxQuantile job for all of them),
 * the categorical columns' value counts (one aggregation for all of them), then the exact count of
 * every column into its bins. Counting a new batch into a reference's bins is one pass.
 *
 * <p>The edges are approximate (a relative rank error of {@link MonitorSettings#quantileError()})
 * but the counts are exact: a test of a new batch against the reference needs exact counts in bins
 * fixed by the reference, not approximately where the reference's quantiles are. Counting the
 * reference from its sketch instead would put errors of the sketch's rank error into every cell,
 * which at a hundred thousand rows is larger than the sampling noise the test allows for.
 */
public final class Profiler {
  private Profiler() {}

  /**
   * A column to profile.
   *
   * @param name its name in the profile
   * @param value the expression giving its values
   * @param kind how it is binned
   * @param type its Spark SQL type, as recorded
   * @param topValues categorical: how many of the most frequent values get a bin of their own
   */
  public record Spec(String name, Column value, Kind kind, String type, int topValues) {

    /** Column {@code name} of {@code rows}, binned as {@code kind}. */
    public static Spec of(Dataset<Row> rows, String name, Kind kind, int topValues) {
      String type =
          rows.schema().apply(rows.schema().fieldIndex(name)).dataType().sql();
      return new Spec(name, col(Columns.quote(name)), kind, type, topValues);
    }
  }

  /** Profiles {@code specs} over {@code rows}: bins from the rows themselves, then exact counts. */
  public static List<ColumnProfile> profile(
      Dataset<Row> rows, List<Spec> specs, MonitorSettings settings) {
    if (specs.isEmpty()) {
      return List.of();
    }
    Dataset<Row> prepared = prepare(
        rows,
        specs.stream().map(Spec::value).toList(),
        specs.stream().map(Spec::kind).toList());
    List<String> names = List.of(prepared.columns());
    List<Integer> numeric = IntStream.range(0, specs.size())
        .filter(i -> specs.get(i).kind() == Kind.NUMERIC)
        .boxed()
        .toList();
    List<Integer> categorical = IntStream.range(0, specs.size())
        .filter(i -> specs.get(i).kind() == Kind.CATEGORICAL)
        .boxed()
        .toList();

    List<List<Double>> edges = new ArrayList<>();
    List<List<String>> values = new ArrayList<>();
    specs.forEach(s -> {
      edges.add(List.of());
      values.add(List.of());
    });
    if (!numeric.isEmpty()) {
      double[] probabilities = new double[settings.bins() - 1];
      for (int j = 0; j < probabilities.length; j++) {
        probabilities[j] = (j + 1) / (double) settings.bins();
      }
      double[][] quantiles = prepared
          .stat()
          .approxQuantile(
              numeric.stream().map(names::get).toArray(String[]::new),
              probabilities,
              settings.quantileError());
      for (int k = 0; k < numeric.size(); k++) {
        edges.set(numeric.get(k), distinct(quantiles[k]));
      }
    }
    if (!categorical.isEmpty()) {
      Map<Integer, List<String>> top = topValues(prepared, categorical, specs);
      top.forEach(values::set);
    }

    List<ColumnProfile> bins = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      Spec s = specs.get(i);
      bins.add(ColumnProfile.empty(s.name(), s.kind(), s.type(), edges.get(i), values.get(i)));
    }
    return counted(prepared, bins);
  }

  /**
   * {@code bins} with the counts of {@code rows}: {@code values.get(i)} is column i's expression
   * over the rows. One pass.
   */
  public static List<ColumnProfile> count(
      Dataset<Row> rows, List<Column> values, List<ColumnProfile> bins) {
    if (bins.isEmpty()) {
      return List.of();
    }
    return counted(prepare(rows, values, bins.stream().map(ColumnProfile::kind).toList()), bins);
  }

  private static List<ColumnProfile> counted(Dataset<Row> prepared, List<ColumnProfile> bins) {
    long[][] counts = new BinCounter(bins).count(prepared);
    List<ColumnProfile> out = new ArrayList<>();
    for (int i = 0; i < bins.size(); i++) {
      out.add(bins.get(i).withCounts(counts[i]));
    }
    return out;
  }

  /**
   * The values cast the way both sides of a comparison are cast (numbers to double, categories to
   * string), under positional names so that any column name, the same in two places included, is
   * safe.
   */
  static Dataset<Row> prepare(Dataset<Row> rows, List<Column> values, List<Kind> kinds) {
    Column[] cast = new Column[values.size()];
    for (int i = 0; i < cast.length; i++) {
      cast[i] =
          values.get(i).cast(kinds.get(i) == Kind.NUMERIC ? "double" : "string").as("c" + i);
    }
    return rows.select(cast);
  }

  /** Ascending distinct edges, without NaN: repeated quantiles of a column with few values merge. */
  private static List<Double> distinct(double[] quantiles) {
    List<Double> out = new ArrayList<>();
    for (double q : quantiles) {
      double edge = q + 0.0;
      if (!Double.isNaN(edge) && (out.isEmpty() || edge > out.get(out.size() - 1))) {
        out.add(edge);
      }
    }
    return out;
  }

  /**
   * Per categorical column (by index), its most frequent values: one aggregation for all of them,
   * ranked on the executors, so that only the values kept reach the driver however many there are.
   */
  private static Map<Integer, List<String>> topValues(
      Dataset<Row> prepared, List<Integer> categorical, List<Spec> specs) {
    Column[] pairs = categorical.stream()
        .map(i -> struct(lit(i).as("column"), col("c" + i).as("value")))
        .toArray(Column[]::new);
    Column limit = lit(0);
    for (int i : categorical) {
      limit = when(col("column").equalTo(i), lit(specs.get(i).topValues())).otherwise(limit);
    }
    // Most frequent first; ties by value, so the same data always keeps the same values.
    WindowSpec byCount =
        Window.partitionBy("column").orderBy(col("count").desc(), col("value").asc());
    List<Row> kept = prepared
        .select(explode(array(pairs)).as("pair"))
        .select(col("pair.column").as("column"), col("pair.value").as("value"))
        .filter(col("value").isNotNull())
        .groupBy("column", "value")
        .count()
        .withColumn("rank", row_number().over(byCount))
        .filter(col("rank").leq(limit))
        .collectAsList();
    Map<Integer, List<Row>> byColumn = new TreeMap<>();
    categorical.forEach(i -> byColumn.put(i, new ArrayList<>()));
    kept.forEach(r -> byColumn.get(r.getInt(0)).add(r));
    Map<Integer, List<String>> out = new TreeMap<>();
    byColumn.forEach((i, rows) -> out.put(
        i,
        rows.stream()
            .sorted(Comparator.comparingInt(r -> r.getInt(3)))
            .map(r -> r.getString(1))
            .toList()));
    return out;
  }
}
