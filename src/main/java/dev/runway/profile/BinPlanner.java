package dev.runway.profile;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The pass that decides a reference's bins, before a second pass counts rows into them: a uniform
 * sample of the rows for the numeric columns' quantile edges, and every categorical column's
 * value counts for its most frequent values. One pass for all columns, on Spark's internal rows.
 *
 * <p>The sample is the {@code sampleRows} rows with the smallest priority, each row's priority a
 * seeded pseudo-random number drawn from its partition and position. Keeping the smallest is
 * associative and commutative, so the partitions' samples merge in any order to the same rows:
 * the same table always gives the same edges (a streaming quantile sketch such as KLL compacts at
 * random and would not). Quantiles of a uniform sample of m rows are off by about sqrt(p(1-p)/m)
 * in rank (0.5 points at m = 10,000): that moves where the edges fall, never the exact counts a
 * drift test compares.
 *
 * <p>Categorical values are counted exactly while a column has at most {@code maxTallied}
 * distinct values; past that (a categorical column with an identifier's cardinality) the column
 * is left to an aggregation on Spark ({@link Plan#tallies} holds null for it). The same pass
 * counts the numeric columns' infinite values: the training job's value checks read both, so
 * the data is not read once more for them.
 */
final class BinPlanner implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final long SEED = 0x5eed_0f_b1e5L;

  private final boolean[] numeric;
  private final int sampleRows;
  private final int maxTallied;

  /**
   * What the pass found.
   *
   * @param sample per column (by index), the sampled rows' non-missing values sorted; empty for a
   *     categorical column
   * @param tallies per column, every non-null value's count; empty for a numeric column, null
   *     for a categorical one with more than {@code maxTallied} values
   * @param infinite per column, its infinite values (0 for a categorical column)
   */
  record Plan(List<double[]> sample, List<Map<String, Long>> tallies, long[] infinite) {}

  /**
   * @param numeric per column, whether it is numeric (a double) or categorical (a string)
   * @param sampleRows rows sampled for the quantile edges
   * @param maxTallied distinct values of a categorical column counted in memory, per partition
   *     and merged
   */
  BinPlanner(boolean[] numeric, int sampleRows, int maxTallied) {
    this.numeric = numeric.clone();
    this.sampleRows = sampleRows;
    this.maxTallied = maxTallied;
  }

  Plan plan(Dataset<Row> prepared) {
    Partial all = prepared
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .mapPartitionsWithIndex(this::partial, false)
        .treeAggregate(new Partial(numeric.length), this::merge, this::merge, 2);
    List<double[]> sample = new ArrayList<>();
    List<Map<String, Long>> tallies = new ArrayList<>();
    for (int i = 0; i < numeric.length; i++) {
      if (numeric[i]) {
        final int column = i;
        sample.add(all.sampled.stream()
            .mapToDouble(s -> s.values[column])
            .filter(v -> !Double.isNaN(v))
            .sorted()
            .toArray());
        tallies.add(Map.of());
      } else {
        sample.add(new double[0]);
        tallies.add(all.tallies.get(i));
      }
    }
    return new Plan(sample, tallies, all.infinite);
  }

  /** One partition's sample and value counts. */
  private Iterator<Partial> partial(int partition, Iterator<InternalRow> rows) {
    Partial p = new Partial(numeric.length);
    List<Map<UTF8String, long[]>> counting = new ArrayList<>();
    for (int i = 0; i < numeric.length; i++) {
      counting.add(numeric[i] ? null : new HashMap<>());
    }
    SplittableRandom priorities = new SplittableRandom(SEED ^ (partition * 0x9E3779B97F4A7C15L));
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      long priority = priorities.nextLong();
      if (p.sampled.size() < sampleRows || priority < p.sampled.peek().priority) {
        double[] values = new double[numeric.length];
        for (int i = 0; i < numeric.length; i++) {
          values[i] = numeric[i] && !row.isNullAt(i) ? row.getDouble(i) : Double.NaN;
        }
        p.offer(new Sampled(priority, values), sampleRows);
      }
      for (int i = 0; i < numeric.length; i++) {
        if (numeric[i]) {
          if (!row.isNullAt(i) && Double.isInfinite(row.getDouble(i))) {
            p.infinite[i]++;
          }
          continue;
        }
        Map<UTF8String, long[]> counts = counting.get(i);
        if (counts == null || row.isNullAt(i)) {
          continue;
        }
        UTF8String value = row.getUTF8String(i);
        long[] n = counts.get(value);
        if (n != null) {
          n[0]++;
        } else if (counts.size() < maxTallied) {
          counts.put(value.clone(), new long[] {1}); // the row's bytes are reused for the next row
        } else {
          counting.set(i, null);
          p.tallies.set(i, null);
        }
      }
    }
    for (int i = 0; i < numeric.length; i++) {
      Map<UTF8String, long[]> counts = counting.get(i);
      if (counts != null) {
        Map<String, Long> named = new HashMap<>();
        counts.forEach((v, n) -> named.put(v.toString(), n[0]));
        p.tallies.set(i, named);
      }
    }
    return List.of(p).iterator();
  }

  private Partial merge(Partial a, Partial b) {
    Partial out = new Partial(numeric.length);
    a.sampled.forEach(s -> out.offer(s, sampleRows));
    b.sampled.forEach(s -> out.offer(s, sampleRows));
    for (int i = 0; i < numeric.length; i++) {
      out.infinite[i] = a.infinite[i] + b.infinite[i];
      Map<String, Long> x = a.tallies.get(i);
      Map<String, Long> y = b.tallies.get(i);
      if (x == null || y == null) {
        out.tallies.set(i, null);
        continue;
      }
      Map<String, Long> sum = new HashMap<>(x);
      y.forEach((v, n) -> sum.merge(v, n, Long::sum));
      out.tallies.set(i, sum.size() <= maxTallied ? sum : null);
    }
    return out;
  }

  /** A sampled row: its priority and its numeric values (NaN where missing or categorical). */
  private record Sampled(long priority, double[] values) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Largest priority first (serializable: a partition's sample travels to be merged). */
  private static final class LargestFirst implements Comparator<Sampled>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Sampled a, Sampled b) {
      return Long.compare(b.priority, a.priority);
    }
  }

  private static final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The rows with the smallest priorities so far; the largest of them on top. */
    private final PriorityQueue<Sampled> sampled = new PriorityQueue<>(new LargestFirst());

    private final List<Map<String, Long>> tallies = new ArrayList<>();
    private final long[] infinite;

    Partial(int columns) {
      infinite = new long[columns];
      for (int i = 0; i < columns; i++) {
        tallies.add(Map.of());
      }
    }

    void offer(Sampled s, int capacity) {
      if (sampled.size() < capacity) {
        sampled.add(s);
      } else if (s.priority < sampled.peek().priority) {
        sampled.poll();
        sampled.add(s);
      }
    }
  }
}
