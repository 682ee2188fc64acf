package dev.runway.train.nn;

import java.io.Serializable;

/**
 * Where each training row lives: rows are scattered by a seeded permutation (so every block is a
 * random sample of the table, whatever order the table is in), dealt to workers in turn, and cut
 * into blocks of {@code rowsPerBlock}. Worker w owns Spark partitions {@code w * blocksPerWorker}
 * onwards; its shares differ from the other workers' by at most one row, and every block but a
 * worker's last holds exactly {@code rowsPerBlock} rows.
 *
 * @param rows rows in the data set
 * @param workers parallel workers
 * @param blocksPerWorker blocks each worker owns (its last may be partial or, rarely, empty)
 * @param rowsPerBlock rows of a full block
 * @param seed seed of the permutation
 */
record BlockLayout(long rows, int workers, int blocksPerWorker, int rowsPerBlock, long seed)
    implements Serializable {

  static BlockLayout of(long rows, int workers, int rowsPerBlock, long seed) {
    if (workers < 1 || rowsPerBlock < 1) {
      throw new IllegalArgumentException("workers " + workers + ", rows per block " + rowsPerBlock);
    }
    long perWorker = (rows + workers - 1) / workers;
    int blocks = (int) Math.max(1, (perWorker + rowsPerBlock - 1) / rowsPerBlock);
    return new BlockLayout(rows, workers, blocks, rowsPerBlock, seed);
  }

  RowPermutation permutation() {
    return new RowPermutation(rows, seed);
  }

  /** Spark partitions: one per block. */
  int partitions() {
    return workers * blocksPerWorker;
  }

  int partition(int worker, int block) {
    return worker * blocksPerWorker + block;
  }

  int worker(int partition) {
    return partition / blocksPerWorker;
  }

  int block(int partition) {
    return partition % blocksPerWorker;
  }

  /** Rows dealt to {@code worker}: the permuted positions p with p mod workers = worker. */
  long rowsOfWorker(int worker) {
    return rows / workers + (worker < rows % workers ? 1 : 0);
  }

  /** Rows in block {@code block} of {@code worker}. */
  int rowsOfBlock(int worker, int block) {
    long left = rowsOfWorker(worker) - (long) block * rowsPerBlock;
    return (int) Math.max(0, Math.min(rowsPerBlock, left));
  }

  /** Rows of Spark partition {@code partition}. */
  int rowsOfPartition(int partition) {
    return rowsOfBlock(worker(partition), block(partition));
  }

  /**
   * The partition and slot of the row at permuted position {@code position}, packed as
   * {@code partition << 32 | slot}.
   */
  long place(long position) {
    int worker = (int) (position % workers);
    long inWorker = position / workers;
    int block = (int) (inWorker / rowsPerBlock);
    int slot = (int) (inWorker % rowsPerBlock);
    return ((long) partition(worker, block) << 32) | slot;
  }
}
