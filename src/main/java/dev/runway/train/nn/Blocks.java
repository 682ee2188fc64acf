package dev.runway.train.nn;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;

import dev.runway.error.OutOfMemory;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * A data set cut into cached {@link Block}s for the workers. Nothing is ever held in proportion
 * to the data set's rows in one place: the driver keeps one count per input partition, each row
 * crosses Spark's shuffle on its own (which spills to disk), each block is assembled in the task
 * that owns it, and the cached blocks are stored memory-and-disk, so data larger than the
 * executors' memory trains from local disk. On a cluster each worker's blocks are built and
 * cached on one executor ({@link Placement}), so a round's tasks run side by side.
 *
 * @param rdd the blocks, one per partition, cached
 * @param layout which partition holds which rows
 * @param sparse whether most blocks store their features sparse
 * @param bytes bytes of all blocks' arrays
 * @param memoryBytes bytes Spark held in memory once they were cached
 * @param diskBytes bytes Spark put on local disk (evicted or never fitting in memory)
 */
record Blocks(
    JavaRDD<Block> rdd,
    BlockLayout layout,
    boolean sparse,
    long bytes,
    long memoryBytes,
    long diskBytes) {

  /** Rows per input partition and their non-zero features: what sizing the blocks needs. */
  private record Census(long[] rows, long nonZeros) {
    long total() {
      long sum = 0;
      for (long r : rows) {
        sum += r;
      }
      return sum;
    }
  }

  /**
   * Cuts {@code data} (feature vector in {@code FEATURES}, label in {@code LABEL}) into blocks
   * for {@code workers}, materialized and cached. A block holds a whole number of rounds of
   * {@code rowsPerRound} rows, as many as fit in about {@code blockBytes}; {@code blockBytes <= 0}
   * makes one block per worker. Worker w's blocks are built on {@code homes[w]} (null: anywhere).
   */
  static Blocks cut(
      Dataset<Row> data,
      int workers,
      int nIn,
      int nOut,
      long seed,
      int rowsPerRound,
      long blockBytes,
      String[] homes) {
    JavaRDD<Row> rows = data.select(FEATURES, LABEL).javaRDD();
    Census census = census(rows);
    long total = census.total();
    int rowsPerBlock =
        rowsPerBlock(total, workers, nIn, census.nonZeros(), rowsPerRound, blockBytes);
    BlockLayout layout = BlockLayout.of(total, workers, rowsPerBlock, seed);
    long[] offsets = new long[census.rows().length];
    for (int p = 1; p < offsets.length; p++) {
      offsets[p] = offsets[p - 1] + census.rows()[p - 1];
    }
    JavaPairRDD<Integer, byte[]> placed = JavaPairRDD.fromJavaRDD(
        rows.mapPartitionsWithIndex((p, it) -> place(it, offsets[p], layout), true));
    JavaRDD<Block> assembled = placed
        .partitionBy(new HashPartitioner(layout.partitions()))
        .mapPartitionsWithIndex(
            (q, it) -> List.of(
                    OutOfMemory.inTask(() -> assemble(it, layout.rowsOfPartition(q), nIn, nOut)))
                .iterator(),
            true);
    if (homes != null) {
      String[] where = new String[layout.partitions()];
      for (int q = 0; q < where.length; q++) {
        where[q] = homes[layout.worker(q)];
      }
      assembled = Placement.at(assembled.rdd(), where, ClassTag$.MODULE$.apply(Block.class))
          .toJavaRDD();
    }
    JavaRDD<Block> blocks = assembled.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long[] stats = blocks
          .map(b -> new long[] {b.bytes(), b.sparse() ? b.rows : 0, b.rows})
          .fold(new long[3], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
      long[] stored = stored(blocks);
      return new Blocks(blocks, layout, stats[1] * 2 > stats[2], stats[0], stored[0], stored[1]);
    } catch (RuntimeException e) {
      blocks.unpersist();
      throw e;
    }
  }

  /** How the data was cut and stored, for metrics.json. */
  Map<String, Object> summary() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("blocks", layout.partitions());
    out.put("rows_per_block", layout.rowsPerBlock());
    out.put("storage", sparse ? "sparse" : "dense");
    out.put("bytes", bytes);
    out.put("memory_bytes", memoryBytes);
    out.put("disk_bytes", diskBytes);
    return out;
  }

  /** {memory, disk} bytes Spark reports for a cached RDD. */
  private static long[] stored(JavaRDD<Block> blocks) {
    for (RDDInfo info : blocks.context().getRDDStorageInfo()) {
      if (info.id() == blocks.id()) {
        return new long[] {info.memSize(), info.diskSize()};
      }
    }
    return new long[2];
  }

  void unpersist() {
    rdd.unpersist(false);
  }

  /**
   * Rows per full block: whole rounds (so fixed-length rounds each read one block; only longer
   * ones run on into the next), as many as fit in
   * {@code blockBytes} given the data's density, but no more than one worker's share.
   */
  static int rowsPerBlock(
      long rows, int workers, int nIn, long nonZeros, int rowsPerRound, long blockBytes) {
    long perWorker = Math.max(1, (rows + workers - 1) / workers);
    if (blockBytes <= 0) {
      return (int) Math.min(Integer.MAX_VALUE, perWorker);
    }
    double nnzPerRow = rows == 0 ? nIn : (double) nonZeros / rows;
    double bytesPerRow = 4 + Math.min(4.0 * nIn, 8.0 * nnzPerRow + 4);
    long rounds = Math.max(1, (long) (blockBytes / (bytesPerRow * rowsPerRound)));
    long byBytes = rounds * rowsPerRound;
    return (int) Math.min(Integer.MAX_VALUE / Math.max(1, nIn), Math.min(byBytes, perWorker));
  }

  private static Census census(JavaRDD<Row> rows) {
    List<long[]> counts = rows.mapPartitionsWithIndex(
            (p, it) -> {
              long n = 0;
              long nnz = 0;
              while (it.hasNext()) {
                nnz += it.next().<Vector>getAs(0).numNonzeros();
                n++;
              }
              return List.of(new long[] {p, n, nnz}).iterator();
            },
            true)
        .collect();
    long[] perPartition = new long[counts.size()];
    long nonZeros = 0;
    for (long[] c : counts) {
      perPartition[(int) c[0]] = c[1];
      nonZeros += c[2];
    }
    return new Census(perPartition, nonZeros);
  }

  /** (partition, encoded row) for each row of one input partition, whose first row is row {@code offset}. */
  private static Iterator<Tuple2<Integer, byte[]>> place(
      Iterator<Row> rows, long offset, BlockLayout layout) {
    RowPermutation permutation = layout.permutation();
    return new Iterator<>() {
      long index = offset;

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Tuple2<Integer, byte[]> next() {
        Row row = rows.next();
        long where = layout.place(permutation.apply(index++));
        int slot = (int) where;
        return new Tuple2<>(
            (int) (where >>> 32), Block.encode(slot, row.getAs(0), row.getDouble(1)));
      }
    };
  }

  private static Block assemble(
      Iterator<Tuple2<Integer, byte[]>> rows, int size, int nIn, int nOut) {
    byte[][] bySlot = new byte[size][];
    while (rows.hasNext()) {
      byte[] row = rows.next()._2();
      bySlot[Block.slot(row)] = row;
    }
    return Block.assemble(bySlot, nIn, nOut);
  }
}
