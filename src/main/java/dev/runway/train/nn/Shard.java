package dev.runway.train.nn;

import java.io.Serializable;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One worker's share of a data set, packed into two flat float arrays on the heap: compact to
 * cache in Spark, cheap to cut into minibatches, and free of native memory until a minibatch is
 * built. Rows keep the order of their ids, so a shard is the same however Spark delivered them.
 */
public final class Shard implements Serializable {
  private static final long serialVersionUID = 1L;

  final int rows;
  final int nIn;
  final int nOut;
  private final float[] x;
  private final float[] y;

  Shard(int rows, int nIn, int nOut, float[] x, float[] y) {
    this.rows = rows;
    this.nIn = nIn;
    this.nOut = nOut;
    this.x = x;
    this.y = y;
  }

  /**
   * Packs (id, row) pairs, in id order, into a shard. Each row holds the feature vector at 0 and
   * the label at 1: a class index becomes a one-hot row when there are {@code nOut > 1} outputs;
   * otherwise the label value itself is the target (class 0/1, or the regression value).
   */
  static Shard pack(List<Row> rows, int nIn, int nOut) {
    float[] x = new float[rows.size() * nIn];
    float[] y = new float[rows.size() * nOut];
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      Vector v = row.getAs(0);
      if (v.size() != nIn) {
        throw new IllegalStateException("feature vector of size " + v.size() + ", expected " + nIn);
      }
      double[] values = v.toArray();
      for (int j = 0; j < nIn; j++) {
        x[i * nIn + j] = (float) values[j];
      }
      double label = row.getDouble(1);
      if (nOut > 1) {
        y[i * nOut + (int) label] = 1f;
      } else {
        y[i] = (float) label;
      }
    }
    return new Shard(rows.size(), nIn, nOut, x, y);
  }

  /** The pieces' rows one after the other. */
  static Shard concat(List<Shard> pieces, int nIn, int nOut) {
    int rows = pieces.stream().mapToInt(p -> p.rows).sum();
    float[] x = new float[rows * nIn];
    float[] y = new float[rows * nOut];
    int at = 0;
    for (Shard p : pieces) {
      System.arraycopy(p.x, 0, x, at * nIn, p.rows * nIn);
      System.arraycopy(p.y, 0, y, at * nOut, p.rows * nOut);
      at += p.rows;
    }
    return new Shard(rows, nIn, nOut, x, y);
  }

  /** Minibatches of this shard per epoch. */
  int batches(int batchSize) {
    return (rows + batchSize - 1) / batchSize;
  }

  /** A seeded shuffle of the row indices: each epoch visits every row once, in its own order. */
  int[] permutation(long seed) {
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = rows - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Minibatch {@code b} of the rows in {@code order}. */
  DataSet batch(int[] order, int b, int batchSize) {
    return rows(order, b * batchSize, Math.min(rows, (b + 1) * batchSize));
  }

  /** Rows from..to (exclusive) in stored order: for evaluation. */
  DataSet rows(int from, int to) {
    return rows(null, from, to);
  }

  private DataSet rows(int[] order, int from, int to) {
    int n = to - from;
    float[] bx = new float[n * nIn];
    float[] by = new float[n * nOut];
    for (int i = 0; i < n; i++) {
      int r = order == null ? from + i : order[from + i];
      System.arraycopy(x, r * nIn, bx, i * nIn, nIn);
      System.arraycopy(y, r * nOut, by, i * nOut, nOut);
    }
    INDArray features = Nd4j.create(bx, new long[] {n, nIn}, 'c');
    INDArray labels = Nd4j.create(by, new long[] {n, nOut}, 'c');
    return new DataSet(features, labels);
  }
}
