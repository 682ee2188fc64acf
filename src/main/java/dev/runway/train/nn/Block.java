package dev.runway.train.nn;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A block of a worker's training rows: the unit Spark caches, spills to disk and hands to one
 * averaging round. Features are kept as they arrive, sparse (compressed rows) when fewer than
 * half the values are non-zero and dense otherwise, so a table of hashed features costs its
 * non-zeros, not rows x features; a dense minibatch exists only while it trains. Labels are kept
 * as one float per row (class index or value) and one-hot encoded per minibatch.
 *
 * <p>Rows are stored in chunks of at most 256 KiB per array. A block is tens of megabytes, and
 * G1 keeps every array larger than half a heap region as a "humongous" object in whole regions
 * of its own: one large array per block would waste up to a region each, and with a large
 * region size nearly half the cache. Small arrays pack densely whatever the region size.
 */
public final class Block implements Serializable {
  private static final long serialVersionUID = 2L;
  /** Floats per chunk array (256 KiB). */
  private static final int CHUNK_FLOATS = 1 << 16;

  final int rows;
  final int nIn;
  final int nOut;
  private final int rowsPerChunk;
  private final Chunk[] chunks;

  /**
   * Consecutive rows of a block.
   *
   * @param labels one per row
   * @param dense rows x nIn, row-major; null when sparse
   * @param rowStart sparse: row r's values are at rowStart[r] until rowStart[r + 1]
   */
  private record Chunk(float[] labels, float[] dense, int[] rowStart, int[] indices, float[] values)
      implements Serializable {
    boolean sparse() {
      return dense == null;
    }

    long bytes() {
      return 4L * labels.length
          + (sparse() ? 4L * rowStart.length + 8L * indices.length : 4L * dense.length);
    }
  }

  private Block(int rows, int nIn, int nOut, int rowsPerChunk, Chunk[] chunks) {
    this.rows = rows;
    this.nIn = nIn;
    this.nOut = nOut;
    this.rowsPerChunk = rowsPerChunk;
    this.chunks = chunks;
  }

  // An encoded row: its slot in its block, the label, the count of (index, value) pairs that
  // follow or -1 when all nIn values follow, then the features.
  private static final int SLOT = 0;
  private static final int LABEL = 4;
  private static final int COUNT = 8;
  private static final int FEATURES = 12;

  /**
   * One row as bytes, the form rows cross the shuffle in: its slot in its block, the label, then
   * the features, sparse or dense (whichever is smaller). Primitive bytes serialize about ten
   * times faster than Spark rows holding vector objects.
   */
  static byte[] encode(int slot, Vector features, double label) {
    int nnz = features.numNonzeros();
    boolean sparse = nnz * 2 < features.size();
    ByteBuffer out = ByteBuffer.allocate(FEATURES + (sparse ? nnz * 8 : features.size() * 4));
    out.putInt(slot).putFloat((float) label).putInt(sparse ? nnz : -1);
    if (!sparse) {
      double[] v = features.toArray();
      for (double d : v) {
        out.putFloat((float) d);
      }
    } else if (features instanceof SparseVector s) {
      int[] idx = s.indices();
      double[] val = s.values();
      for (int k = 0; k < idx.length; k++) {
        if (val[k] != 0) {
          out.putInt(idx[k]).putFloat((float) val[k]);
        }
      }
    } else {
      double[] v = ((DenseVector) features).values();
      for (int j = 0; j < v.length; j++) {
        if (v[j] != 0) {
          out.putInt(j).putFloat((float) v[j]);
        }
      }
    }
    return out.array();
  }

  /** The slot an encoded row belongs in. */
  static int slot(byte[] encoded) {
    return ByteBuffer.wrap(encoded).getInt(SLOT);
  }

  /**
   * Assembles a block from its encoded rows, indexed by slot (every slot filled). Each chunk is
   * stored sparse when that is smaller than dense.
   */
  static Block assemble(byte[][] bySlot, int nIn, int nOut) {
    int rows = bySlot.length;
    int perChunk = Math.max(1, CHUNK_FLOATS / nIn);
    Chunk[] chunks = new Chunk[(rows + perChunk - 1) / perChunk];
    for (int c = 0; c < chunks.length; c++) {
      chunks[c] = chunk(bySlot, c * perChunk, Math.min(rows, (c + 1) * perChunk), nIn);
    }
    return new Block(rows, nIn, nOut, perChunk, chunks);
  }

  private static Chunk chunk(byte[][] bySlot, int from, int to, int nIn) {
    int rows = to - from;
    long nnz = 0;
    float[] labels = new float[rows];
    for (int r = 0; r < rows; r++) {
      byte[] row = bySlot[from + r];
      if (row == null) {
        throw new IllegalStateException(
            "block slot " + (from + r) + " of " + bySlot.length + " received no row");
      }
      nnz += nonZeros(row);
      labels[r] = ByteBuffer.wrap(row).getFloat(LABEL);
    }
    if (nnz * 2 >= (long) rows * nIn) {
      float[] dense = new float[rows * nIn];
      int[] indices = new int[nIn];
      float[] values = new float[nIn];
      for (int r = 0; r < rows; r++) {
        int n = decode(bySlot[from + r], nIn, indices, values, 0);
        for (int k = 0; k < n; k++) {
          dense[r * nIn + indices[k]] = values[k];
        }
      }
      return new Chunk(labels, dense, null, null, null);
    }
    int[] rowStart = new int[rows + 1];
    int[] indices = new int[(int) nnz];
    float[] values = new float[(int) nnz];
    for (int r = 0; r < rows; r++) {
      rowStart[r + 1] = decode(bySlot[from + r], nIn, indices, values, rowStart[r]);
    }
    return new Chunk(labels, null, rowStart, indices, values);
  }

  /**
   * Appends an encoded row's non-zero features to {@code indices} and {@code values} from
   * position {@code at}, and returns the position after them.
   */
  private static int decode(byte[] encoded, int nIn, int[] indices, float[] values, int at) {
    ByteBuffer in = ByteBuffer.wrap(encoded);
    int n = in.getInt(COUNT);
    in.position(FEATURES);
    if (n < 0) {
      if (in.remaining() != nIn * 4) {
        throw new IllegalStateException(
            "feature vector of size " + in.remaining() / 4 + ", expected " + nIn);
      }
      for (int j = 0; j < nIn; j++) {
        float v = in.getFloat();
        if (v != 0) {
          indices[at] = j;
          values[at++] = v;
        }
      }
      return at;
    }
    for (int k = 0; k < n; k++) {
      int j = in.getInt();
      if (j >= nIn) {
        throw new IllegalStateException("feature index " + j + " outside a vector of size " + nIn);
      }
      indices[at] = j;
      values[at++] = in.getFloat();
    }
    return at;
  }

  /** Non-zero features of an encoded row. */
  private static int nonZeros(byte[] encoded) {
    ByteBuffer in = ByteBuffer.wrap(encoded);
    int n = in.getInt(COUNT);
    if (n >= 0) {
      return n;
    }
    int count = 0;
    for (int at = FEATURES; at < encoded.length; at += 4) {
      count += in.getFloat(at) != 0 ? 1 : 0;
    }
    return count;
  }

  /**
   * Rows of (feature vector, label), in order, as one block: for data already in one JVM (the
   * single-JVM baseline, tests).
   */
  static Block pack(List<Row> rows, int nIn, int nOut) {
    byte[][] encoded = new byte[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      Vector v = rows.get(i).getAs(0);
      if (v.size() != nIn) {
        throw new IllegalStateException("feature vector of size " + v.size() + ", expected " + nIn);
      }
      encoded[i] = encode(i, v, rows.get(i).getDouble(1));
    }
    return assemble(encoded, nIn, nOut);
  }

  /** Whether most rows' features are stored sparse. */
  boolean sparse() {
    long sparseRows = 0;
    for (Chunk c : chunks) {
      sparseRows += c.sparse() ? c.labels().length : 0;
    }
    return sparseRows * 2 > rows;
  }

  /** Bytes of the arrays held: what caching this block costs. */
  long bytes() {
    long bytes = 0;
    for (Chunk c : chunks) {
      bytes += c.bytes();
    }
    return bytes;
  }

  /** Minibatches of this block. */
  int batches(int batchSize) {
    return (rows + batchSize - 1) / batchSize;
  }

  /** A seeded shuffle of the row indices: each epoch visits every row once, in its own order. */
  int[] permutation(long seed) {
    return shuffle(rows, seed);
  }

  /** A seeded Fisher-Yates shuffle of 0..n-1. */
  static int[] shuffle(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Minibatch {@code b} of the rows in {@code order}, in arrays of its own. */
  DataSet batch(int[] order, int b, int batchSize) {
    return rows(order, b * batchSize, Math.min(rows, (b + 1) * batchSize));
  }

  /** Rows from..to (exclusive) in stored order, in arrays of their own. */
  DataSet rows(int from, int to) {
    return rows(null, from, to);
  }

  private DataSet rows(int[] order, int from, int to) {
    int n = to - from;
    float[] bx = new float[n * nIn];
    float[] by = new float[n * nOut];
    fill(order, from, to, bx, by);
    INDArray features = Nd4j.create(bx, new long[] {n, nIn}, 'c');
    INDArray targets = Nd4j.create(by, new long[] {n, nOut}, 'c');
    return new DataSet(features, targets);
  }

  /**
   * Writes rows {@code from..to} (exclusive) of {@code order} (null: stored order) into {@code bx}
   * (rows x nIn, row-major) and {@code by} (rows x nOut: one-hot classes, or the value), whatever
   * they held before.
   */
  void fill(int[] order, int from, int to, float[] bx, float[] by) {
    int n = to - from;
    if (nOut > 1) {
      Arrays.fill(by, 0, n * nOut, 0f);
    }
    for (int i = 0; i < n; i++) {
      int row = order == null ? from + i : order[from + i];
      Chunk c = chunks[row / rowsPerChunk];
      int r = row % rowsPerChunk;
      if (!c.sparse()) {
        System.arraycopy(c.dense(), r * nIn, bx, i * nIn, nIn);
      } else {
        Arrays.fill(bx, i * nIn, (i + 1) * nIn, 0f);
        for (int k = c.rowStart()[r]; k < c.rowStart()[r + 1]; k++) {
          bx[i * nIn + c.indices()[k]] = c.values()[k];
        }
      }
      if (nOut > 1) {
        by[i * nOut + (int) c.labels()[r]] = 1f;
      } else {
        by[i] = c.labels()[r];
      }
    }
  }
}
