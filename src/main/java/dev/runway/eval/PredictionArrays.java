package dev.runway.eval;

import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static dev.runway.features.Columns.RAW;
import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.runway.features.Columns;
import dev.runway.features.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * A split's predictions on the driver as primitive arrays, one entry per row, for the metrics of
 * {@link WeightedMetrics} and their bootstrap intervals. At most a cap of rows is collected:
 * above it, a seeded sample of about that many.
 *
 * <p>Rows are put in one canonical order (by score, then label, prediction and probability), so
 * what a seeded bootstrap draws depends on the rows' values only, not on the order partitions
 * arrived in: local mode and a cluster give the same intervals. Rows equal in every array are
 * interchangeable, so ties in that order do not matter. For a binary target the order is by
 * increasing score, as {@link WeightedMetrics#auc} needs.
 *
 * @param label label per row (class index for classification)
 * @param prediction predicted class index or value per row
 * @param trueClassProbability predicted probability of the row's true class (classification
 *     only, else null)
 * @param score what Spark's areaUnderROC ranks by, the second raw prediction (binary only, else
 *     null)
 * @param rows rows of the whole split; more than {@code label.length} when sampled
 */
public record PredictionArrays(
    double[] label, double[] prediction, double[] trueClassProbability, double[] score, long rows) {
  private static final long HASH_BUCKETS = 1L << 40;

  /** Rows held here. */
  public int size() {
    return label.length;
  }

  /** True when these are a sample of the split's rows. */
  public boolean sampled() {
    return size() < rows;
  }

  /** Row indices by increasing score: the array order itself, see the class comment. */
  public int[] ascendingScore() {
    return IntStream.range(0, size()).toArray();
  }

  /**
   * Collects the arrays {@code target}'s metrics need from {@code predictions} (columns label,
   * prediction, probability and raw prediction), which hold {@code rows} rows. Above {@code
   * maxRows} rows each row is kept when a seeded hash of all its values falls below maxRows /
   * rows: like the split, the sample depends on the rows and not on their partitioning.
   */
  public static PredictionArrays collect(
      Dataset<Row> predictions, Target target, long rows, int maxRows, long seed) {
    boolean classification = target.classification();
    boolean binary = target.binary();
    List<Column> columns = new ArrayList<>(List.of(col(LABEL), col(PREDICTION)));
    if (classification) {
      columns.add(functions.element_at(
          vector_to_array(col(PROBABILITY), "float64"), col(LABEL).cast("int").plus(1)));
    }
    if (binary) {
      columns.add(vector_to_array(col(RAW), "float64").getItem(1));
    }
    Dataset<Row> kept = rows > maxRows
        ? predictions.filter(sampleCondition(predictions, rows, maxRows, seed))
        : predictions;
    int width = columns.size();
    FlatMapFunction<Iterator<Row>, double[]> pack = it -> {
      // One primitive array per partition: a million rows travel as 8 bytes per value, not as Rows.
      double[] values = new double[1024 * width];
      int n = 0;
      while (it.hasNext()) {
        Row r = it.next();
        if (n + width > values.length) {
          values = Arrays.copyOf(values, values.length * 2);
        }
        for (int j = 0; j < width; j++) {
          values[n++] = r.getDouble(j);
        }
      }
      return Collections.singletonList(Arrays.copyOf(values, n)).iterator();
    };
    List<double[]> parts = kept.select(columns.toArray(Column[]::new))
        .javaRDD()
        .mapPartitions(pack)
        .collect();
    int n = parts.stream().mapToInt(p -> p.length / width).sum();
    double[][] byColumn = new double[width][n];
    int at = 0;
    for (double[] part : parts) {
      for (int i = 0; i < part.length / width; i++, at++) {
        for (int j = 0; j < width; j++) {
          byColumn[j][at] = part[i * width + j];
        }
      }
    }
    return canonical(
        byColumn[0],
        byColumn[1],
        classification ? byColumn[2] : null,
        binary ? byColumn[3] : null,
        rows);
  }

  /** Keeps a row when a seeded hash of all its values falls below maxRows / rows. */
  private static Column sampleCondition(
      Dataset<Row> predictions, long rows, int maxRows, long seed) {
    List<Column> hashed = new ArrayList<>(List.of(lit(seed)));
    for (StructField field : predictions.schema().fields()) {
      // Vectors hash as their stored form (a sparse one by its non-zeros only): no dense copy.
      if (!(field.dataType() instanceof MapType)) {
        hashed.add(col(Columns.quote(field.name())));
      }
    }
    Column bucket =
        functions.pmod(functions.xxhash64(hashed.toArray(Column[]::new)), lit(HASH_BUCKETS));
    return bucket.lt(lit((long) Math.floor((double) maxRows / rows * HASH_BUCKETS)));
  }

  /** The arrays reordered by score (or true-class probability), label, prediction, probability. */
  static PredictionArrays canonical(
      double[] label,
      double[] prediction,
      double[] trueClassProbability,
      double[] score,
      long rows) {
    double[] none = new double[label.length];
    double[] first =
        score != null ? score : trueClassProbability != null ? trueClassProbability : none;
    double[] probability = trueClassProbability != null ? trueClassProbability : none;
    int[] order = IntStream.range(0, label.length)
        .boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> first[i])
            .thenComparingDouble(i -> label[i])
            .thenComparingDouble(i -> prediction[i])
            .thenComparingDouble(i -> probability[i]))
        .mapToInt(Integer::intValue)
        .toArray();
    return new PredictionArrays(
        permute(label, order),
        permute(prediction, order),
        trueClassProbability == null ? null : permute(trueClassProbability, order),
        score == null ? null : permute(score, order),
        rows);
  }

  private static double[] permute(double[] values, int[] order) {
    double[] out = new double[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = values[order[i]];
    }
    return out;
  }
}
