package dev.runway.train.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The minibatches of one training loop, built into the same arrays every step.
 *
 * <p>Why: ND4J zeroes every new off-heap array, and frees it only when the garbage collector finds
 * its Java object. A fresh pair of arrays per minibatch (400 KB for 128 Fashion-MNIST images)
 * piled up between collections, so the allocator kept taking new pages from the kernel, and the
 * kernel zeroing them (perf: clear_page under DataBuffer::allocatePrimary, through memset) cost
 * from nothing to half of a training thread's time depending on when the collector happened to
 * run: the same training took 10.7 s or 21 s on the 2-core VM. Full minibatches now reuse one
 * pair; only a block's last, shorter one gets arrays of its own.
 *
 * <p>A returned DataSet's arrays are overwritten by the next call: train on it before asking for
 * the next. Training minibatches pass through the {@link Augmentation} on their way in.
 */
final class Minibatches {
  private final int batchSize;
  private final float[] x;
  private final float[] y;
  private final INDArray features;
  private final INDArray labels;
  private final DataSet full;
  private final Augmentation augmentation;
  private final float[] scratch;

  /** Minibatches as the rows are: for validation and scoring. */
  Minibatches(int batchSize, int nIn, int nOut) {
    this(batchSize, nIn, nOut, Augmentation.NONE);
  }

  Minibatches(int batchSize, int nIn, int nOut, Augmentation augmentation) {
    this.batchSize = batchSize;
    this.augmentation = augmentation;
    this.scratch = augmentation.enabled() ? new float[nIn] : null;
    this.x = new float[batchSize * nIn];
    this.y = new float[batchSize * nOut];
    this.features = Nd4j.create(new long[] {batchSize, nIn}, 'c');
    this.labels = Nd4j.create(new long[] {batchSize, nOut}, 'c');
    this.full = new DataSet(features, labels);
  }

  /** Minibatch {@code b} of {@code block}'s rows in {@code order} (null: stored order). */
  DataSet batch(Block block, int[] order, int b) {
    return batch(block, order, b, 0);
  }

  /**
   * Minibatch {@code b} of {@code block}'s rows in {@code order} (null: stored order), augmented
   * with draws from {@code orderSeed} (the seed of the shuffle) and {@code b}.
   */
  DataSet batch(Block block, int[] order, int b, long orderSeed) {
    int from = b * batchSize;
    int to = Math.min(block.rows, from + batchSize);
    int n = to - from;
    block.fill(order, from, to, x, y);
    augmentation.apply(x, n, Augmentation.seed(orderSeed, b), scratch);
    if (n < batchSize) {
      return new DataSet(
          Nd4j.create(Arrays.copyOf(x, n * block.nIn), new long[] {n, block.nIn}, 'c'),
          Nd4j.create(Arrays.copyOf(y, n * block.nOut), new long[] {n, block.nOut}, 'c'));
    }
    Networks.copyInto(features, x);
    Networks.copyInto(labels, y);
    return full;
  }
}
