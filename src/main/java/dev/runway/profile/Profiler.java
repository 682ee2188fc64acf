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
 * Profiles columns of a Dataset into fixed bins, on the executors. Making a reference takes two
 * passes over the rows: one decides the bins (the numeric columns' quantile edges, from a uniform
 * sample, and the categorical columns' most frequent values, from exact value counts: {@link
 * BinPlanner}), the other counts every row of every column into them ({@link BinCounter}).
 * Counting a new batch into a reference's bins is one pass.
 *
 * <p>The edges are approximate (quantiles of a sample of {@link MonitorSettings#sampleRows()}
 * rows) but the counts are exact: a test of a new batch against the reference needs exact counts
 * in bins fixed by the reference, not approximately where the reference's quantiles are. Counting
 * the reference from a sketch instead would put the sketch's rank error into every cell, which at
 * a hundred thousand rows is larger than the sampling noise the test allows for.
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

  /** Distinct values of a categorical column counted exactly when its bins are decided. */
  public static final int MAX_TALLIED = 100_000;

  /**
   * The bins of some columns, decided by a pass over the reference rows and not yet counted.
   *
   * @param specs the columns
   * @param bins per column, its bins with zero counts
   * @param distinct per categorical column, its distinct non-null values, or -1 when more than
   *     {@code tallyLimit}; -1 for a numeric column
   * @param infinite per numeric column, its infinite values; 0 for a categorical column
   * @param tallyLimit the most distinct values of a column the pass counted exactly
   */
  public record Planned(
      List<Spec> specs,
      List<ColumnProfile> bins,
      List<Long> distinct,
      List<Long> infinite,
      int tallyLimit) {

    public Planned {
      specs = List.copyOf(specs);
      bins = List.copyOf(bins);
      distinct = List.copyOf(distinct);
      infinite = List.copyOf(infinite);
    }

    /** The distinct values of the categorical column named {@code name} (-1: over the limit). */
    public long distinct(String name) {
      return distinct.get(indexOf(name));
    }

    /** The infinite values of the numeric column named {@code name}. */
    public long infinite(String name) {
      return infinite.get(indexOf(name));
    }

    private int indexOf(String name) {
      for (int i = 0; i < specs.size(); i++) {
        if (specs.get(i).name().equals(name)) {
          return i;
        }
      }
      throw new IllegalArgumentException("No profiled column " + name);
    }
  }

  /** Profiles {@code specs} over {@code rows}: bins from the rows themselves, then exact counts. */
  public static List<ColumnProfile> profile(
      Dataset<Row> rows, List<Spec> specs, MonitorSettings settings) {
    return count(rows, plan(rows, specs, settings, MAX_TALLIED));
  }

  /**
   * Decides the bins of {@code specs} from {@code rows} in one pass, counting the values of each
   * categorical column exactly up to {@code maxTallied} distinct ones (at most {@link
   * #MAX_TALLIED}).
   */
  public static Planned plan(
      Dataset<Row> rows, List<Spec> specs, MonitorSettings settings, int maxTallied) {
    if (specs.isEmpty()) {
      return new Planned(List.of(), List.of(), List.of(), List.of(), maxTallied);
    }
    Dataset<Row> prepared = prepared(rows, specs);
    boolean[] isNumeric = new boolean[specs.size()];
    for (int i = 0; i < isNumeric.length; i++) {
      isNumeric[i] = specs.get(i).kind() == Kind.NUMERIC;
    }
    int tallyLimit = Math.min(maxTallied, MAX_TALLIED);
    BinPlanner.Plan plan =
        new BinPlanner(isNumeric, settings.sampleRows(), tallyLimit).plan(prepared);
    List<List<Double>> edges = new ArrayList<>();
    List<List<String>> values = new ArrayList<>();
    List<Long> distinct = new ArrayList<>();
    List<Long> infinite = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      edges.add(isNumeric[i] ? edges(plan.sample().get(i), settings.bins()) : List.of());
      infinite.add(plan.infinite()[i]);
      Map<String, Long> tally = plan.tallies().get(i);
      if (tally == null) {
        values.add(List.of()); // decided when counted: see count
        distinct.add(-1L);
      } else {
        values.add(mostFrequent(tally, specs.get(i).topValues()));
        distinct.add(isNumeric[i] ? -1L : tally.size());
      }
    }
    return new Planned(specs, bins(specs, edges, values), distinct, infinite, tallyLimit);
  }

  private static List<ColumnProfile> bins(
      List<Spec> specs, List<List<Double>> edges, List<List<String>> values) {
    List<ColumnProfile> bins = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      Spec s = specs.get(i);
      bins.add(ColumnProfile.empty(s.name(), s.kind(), s.type(), edges.get(i), values.get(i)));
    }
    return bins;
  }

  /**
   * The planned bins with the counts of {@code rows}, the rows they were planned on. A categorical
   * column with too many values to count when planned gets its most frequent values here, from an
   * aggregation on Spark: only now, after the training job's checks have refused a column with
   * more values than features.max-categories allows, and so before anything is collected.
   */
  public static List<ColumnProfile> count(Dataset<Row> rows, Planned planned) {
    if (planned.bins().isEmpty()) {
      return List.of();
    }
    List<Spec> specs = planned.specs();
    Dataset<Row> prepared = prepared(rows, specs);
    List<Integer> untallied = IntStream.range(0, specs.size())
        .filter(
            i -> specs.get(i).kind() == Kind.CATEGORICAL && planned.distinct().get(i) < 0)
        .boxed()
        .toList();
    if (untallied.isEmpty()) {
      return counted(prepared, planned.bins());
    }
    List<List<Double>> edges = new ArrayList<>();
    List<List<String>> values = new ArrayList<>();
    planned.bins().forEach(b -> {
      edges.add(b.edges());
      values.add(b.values());
    });
    topValues(prepared, untallied, specs).forEach(values::set);
    return counted(prepared, bins(specs, edges, values));
  }

  private static Dataset<Row> prepared(Dataset<Row> rows, List<Spec> specs) {
    return prepare(
        rows,
        specs.stream().map(Spec::value).toList(),
        specs.stream().map(Spec::kind).toList());
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

  /**
   * The edges of {@code bins} quantile bins of a sorted sample: its j/bins quantiles (the smallest
   * value with at least that share of the sample at or below it), ascending and distinct, so that
   * the repeated quantiles of a column with few values merge.
   */
  static List<Double> edges(double[] sorted, int bins) {
    List<Double> out = new ArrayList<>();
    if (sorted.length == 0) {
      return out;
    }
    for (int j = 1; j < bins; j++) {
      int at = (int) Math.ceil(sorted.length * (double) j / bins) - 1;
      double edge = sorted[Math.max(0, Math.min(sorted.length - 1, at))] + 0.0;
      if (out.isEmpty() || edge > out.get(out.size() - 1)) {
        out.add(edge);
      }
    }
    return out;
  }

  /** The {@code limit} most frequent values; ties by value, so the same data keeps the same ones. */
  static List<String> mostFrequent(Map<String, Long> tally, int limit) {
    return tally.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(limit)
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * Per categorical column (by index) with too many values to count in memory, its most frequent
   * values: one aggregation for all of them, ranked on the executors, so that only the values kept
   * reach the driver however many there are.
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
