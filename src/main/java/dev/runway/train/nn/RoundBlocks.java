package dev.runway.train.nn;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.Dependency;
import org.apache.spark.NarrowDependency;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.AbstractIterator;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The blocks one round trains on, one partition per worker: partition i yields, in order, the
 * cached blocks of the round's i-th worker's steps. A round's task thus reads only its own blocks,
 * one after the other, holding one at a time; a round that runs on from one block into the next
 * stays one task. A narrow dependency on the cached blocks, and no preference of its own, so
 * Spark runs each task where the worker's first block is cached (its home executor).
 */
final class RoundBlocks extends RDD<Block> {
  private static final long serialVersionUID = 1L;
  private static final ClassTag<Block> BLOCK = ClassTag$.MODULE$.apply(Block.class);

  private final int[][] parents;

  /** @param round each worker's steps, in order: partition i reads the blocks of round.get(i) */
  static RoundBlocks of(RDD<Block> blocks, List<List<EpochPlan.Step>> round) {
    int[][] parents = new int[round.size()][];
    for (int i = 0; i < parents.length; i++) {
      parents[i] = round.get(i).stream().mapToInt(EpochPlan.Step::partition).toArray();
    }
    return new RoundBlocks(blocks, parents);
  }

  private RoundBlocks(RDD<Block> blocks, int[][] parents) {
    super(blocks.context(), dependencyOn(blocks, parents), BLOCK);
    this.parents = parents;
  }

  private static Seq<Dependency<?>> dependencyOn(RDD<Block> blocks, int[][] parents) {
    List<Dependency<?>> deps = List.of(new Reads(blocks, parents));
    return JavaConverters.asScalaBuffer(deps).toSeq();
  }

  @Override
  public Iterator<Block> compute(Partition split, TaskContext context) {
    RDD<Block> blocks = firstParent(BLOCK);
    Partition[] all = blocks.partitions();
    int[] mine = parents[split.index()];
    // Each block is fetched only when the one before it has been trained on.
    return new AbstractIterator<Block>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < mine.length;
      }

      @Override
      public Block next() {
        Iterator<Block> one = blocks.iterator(all[mine[next++]], context);
        Block block = one.next();
        // Running the block's iterator to its end lets Spark release its read lock on the cached
        // block now rather than at the end of the task.
        while (one.hasNext()) {
          one.next();
        }
        return block;
      }
    };
  }

  @Override
  public Partition[] getPartitions() {
    Partition[] partitions = new Partition[parents.length];
    for (int i = 0; i < partitions.length; i++) {
      partitions[i] = new Index(i);
    }
    return partitions;
  }

  private record Index(int index) implements Partition {}

  /** Partition i of the round depends on its worker's blocks. */
  private static final class Reads extends NarrowDependency<Block> {
    private static final long serialVersionUID = 1L;
    private final int[][] parents;

    Reads(RDD<Block> blocks, int[][] parents) {
      super(blocks);
      this.parents = parents;
    }

    @Override
    public Seq<Object> getParents(int partitionId) {
      List<Object> of = new ArrayList<>();
      for (int p : parents[partitionId]) {
        of.add(p);
      }
      return JavaConverters.asScalaBuffer(of).toSeq();
    }
  }
}
