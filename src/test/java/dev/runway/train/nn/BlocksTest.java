package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.features.Columns;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/** How training rows are scattered into cached blocks and walked each epoch. */
class BlocksTest {
  private final SparkSession spark = TestSpark.session();
  private static final StructType SCHEMA = new StructType()
      .add(Columns.FEATURES, SQLDataTypes.VectorType())
      .add(Columns.LABEL, DataTypes.DoubleType);
  private static final int N_IN = 50;

  /** Row i: a sparse vector whose feature 0 is i + 1 and feature 1 + i % 49 is -1; label i % 3. */
  private Dataset<Row> table(int rows, int partitions) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(RowFactory.create(
          Vectors.sparse(N_IN, new int[] {0, 1 + i % 49}, new double[] {i + 1, -1}),
          (double) (i % 3)));
    }
    return spark.createDataFrame(out, SCHEMA).repartition(partitions);
  }

  @Test
  void thePermutationIsABijectionThatDependsOnTheSeed() {
    for (long n : new long[] {0, 1, 2, 3, 5, 1000, 4097}) {
      RowPermutation p = new RowPermutation(n, 42);
      Set<Long> seen = new HashSet<>();
      for (long i = 0; i < n; i++) {
        long j = p.apply(i);
        assertTrue(j >= 0 && j < n, n + ": " + j);
        seen.add(j);
      }
      assertEquals(n, seen.size(), "n = " + n);
    }
    RowPermutation a = new RowPermutation(1000, 1);
    RowPermutation b = new RowPermutation(1000, 2);
    int moved = 0;
    int differ = 0;
    for (long i = 0; i < 1000; i++) {
      moved += a.apply(i) == i ? 0 : 1;
      differ += a.apply(i) == b.apply(i) ? 0 : 1;
    }
    assertTrue(moved > 990 && differ > 990, moved + " moved, " + differ + " differ");
  }

  @Test
  void everyRowLandsInExactlyOneBlockStoredSparseAndWorkersGetEqualShares() {
    // 1,003 rows, 3 workers, rounds of 2 x 16 rows and blocks of 3 rounds (96 rows).
    int rowsPerRound = 32;
    long blockBytes = 3L * rowsPerRound * (4 + 8 * 2 + 4);
    Blocks blocks = Blocks.cut(table(1003, 4), 3, N_IN, 3, 7, rowsPerRound, blockBytes, null);
    try {
      BlockLayout layout = blocks.layout();
      assertEquals(96, layout.rowsPerBlock());
      assertEquals(4, layout.blocksPerWorker(), "335 rows per worker: 3 full blocks and one of 47");
      assertTrue(blocks.sparse());
      List<Block> all = blocks.rdd().collect();
      assertEquals(layout.partitions(), all.size());
      Set<Integer> ids = new HashSet<>();
      long[] perWorker = new long[3];
      for (int q = 0; q < all.size(); q++) {
        Block block = all.get(q);
        assertTrue(block.sparse());
        assertEquals(layout.rowsOfPartition(q), block.rows, "block " + q);
        perWorker[layout.worker(q)] += block.rows;
        if (block.rows == 0) {
          continue;
        }
        DataSet rows = block.rows(0, block.rows);
        for (int r = 0; r < block.rows; r++) {
          int id = (int) rows.getFeatures().getFloat(r, 0) - 1;
          assertTrue(ids.add(id), "row " + id + " twice");
          // The rest of the row came along intact, densified only in the minibatch.
          assertEquals(-1f, rows.getFeatures().getFloat(r, 1 + id % 49));
          assertEquals(
              (float) id,
              rows.getFeatures().getRow(r).sumNumber().floatValue(),
              "nothing else set");
          assertEquals(1f, rows.getLabels().getFloat(r, id % 3), "one-hot label of row " + id);
        }
      }
      assertEquals(1003, ids.size());
      assertArrayEquals(new long[] {335, 334, 334}, perWorker);
      // Each block is a random sample of the table, not a run of consecutive rows.
      float[] firstIds = all.get(0).rows(0, 96).getFeatures().getColumn(0).toFloatVector();
      float min = Float.MAX_VALUE;
      float max = 0;
      for (float id : firstIds) {
        min = Math.min(min, id);
        max = Math.max(max, id);
      }
      assertTrue(max - min > 800, "block 0 spans rows " + min + " to " + max);
    } finally {
      blocks.unpersist();
    }
  }

  @Test
  void aBlockReadBackFromItsSerializedFormTrainsOnTheSameMinibatches() throws Exception {
    // What Spark writes to local disk for a block that does not fit in memory, and reads back.
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(RowFactory.create(
          i % 2 == 0
              ? Vectors.sparse(N_IN, new int[] {i % N_IN}, new double[] {i + 1})
              : Vectors.dense(new double[N_IN]).copy(),
          (double) (i % 3)));
    }
    Block block = Block.pack(rows, N_IN, 3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(block);
    }
    Block back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (Block) in.readObject();
    }
    assertEquals(block.bytes(), back.bytes());
    int[] order = block.permutation(5);
    for (int b = 0; b < block.batches(64); b++) {
      assertEquals(
          block.batch(order, b, 64).getFeatures(), back.batch(order, b, 64).getFeatures());
      assertEquals(
          block.batch(order, b, 64).getLabels(), back.batch(order, b, 64).getLabels());
    }
  }

  @Test
  void reusedMinibatchArraysHoldExactlyWhatFreshOnesWould() {
    // Sparse rows with their non-zeros in different columns, one-hot labels: a reused array that
    // kept anything of the minibatch before would differ from a fresh one.
    List<Row> sparse = new ArrayList<>();
    List<Row> dense = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sparse.add(RowFactory.create(
          Vectors.sparse(N_IN, new int[] {0, 1 + i % 49}, new double[] {i + 1, -1}),
          (double) (i % 3)));
      dense.add(RowFactory.create(Vectors.dense(i, -i, 0.5 * i), 0.25 * i));
    }
    for (Block block : List.of(Block.pack(sparse, N_IN, 3), Block.pack(dense, 3, 1))) {
      Minibatches reused = new Minibatches(64, block.nIn, block.nOut);
      for (long seed : new long[] {5, 6}) {
        int[] order = block.permutation(seed);
        for (int b = 0; b < block.batches(64); b++) {
          DataSet fresh = block.batch(order, b, 64);
          DataSet filled = reused.batch(block, order, b);
          assertEquals(fresh.getFeatures(), filled.getFeatures(), "features of minibatch " + b);
          assertEquals(fresh.getLabels(), filled.getLabels(), "labels of minibatch " + b);
        }
      }
    }
  }

  @Test
  void denseRowsStayDenseAndAnEmptyDataSetGivesEmptyBlocks() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create(Vectors.dense(i, i + 0.5, -i), 1.0 * (i % 2)));
    }
    Block block = Block.pack(rows, 3, 1);
    assertFalse(block.sparse());
    DataSet all = block.rows(0, 10);
    assertArrayEquals(new float[] {4, 4.5f, -4}, all.getFeatures().getRow(4).toFloatVector());
    assertEquals(0f, all.getLabels().getFloat(4, 0), "one output: the label itself");

    Blocks none = Blocks.cut(table(10, 2).limit(0), 2, N_IN, 3, 7, 32, 1 << 20, null);
    try {
      assertEquals(0, none.layout().rows());
      assertTrue(none.rdd().collect().stream().allMatch(b -> b.rows == 0));
    } finally {
      none.unpersist();
    }
  }

  @Test
  void roundsOfAnyLengthVisitTheSameMinibatchesInTheSameOrder() {
    BlockLayout layout = BlockLayout.of(1003, 3, 96, 7);
    int batch = 16;
    int frequency = 2;
    // The fixed plan, flattened per worker: (block, minibatch) in training order.
    Map<Integer, List<String>> fixed = new HashMap<>();
    for (List<List<EpochPlan.Step>> round : EpochPlan.rounds(layout, 11, batch, frequency)) {
      round.forEach(steps -> steps.forEach(step -> visit(step, fixed)));
    }
    Random lengths = new Random(3);
    EpochPlan.Walk walk = new EpochPlan.Walk(layout, 11, batch, frequency);
    Map<Integer, List<String>> walked = new HashMap<>();
    int rounds = 0;
    boolean spanned = false;
    while (!walk.done()) {
      int length = 1 + lengths.nextInt(5);
      List<List<EpochPlan.Step>> round = walk.next(length);
      assertFalse(round.isEmpty());
      Set<Integer> workers = new HashSet<>();
      for (List<EpochPlan.Step> steps : round) {
        int worker = steps.get(0).worker();
        assertTrue(workers.add(worker), "one task per worker per round");
        int batches = 0;
        for (EpochPlan.Step step : steps) {
          assertEquals(worker, step.worker());
          assertEquals(worker, layout.worker(step.partition()));
          batches += step.batches();
          visit(step, walked);
        }
        // A worker trains exactly what was asked unless its epoch ends first.
        assertTrue(batches <= length * frequency, "no longer than asked");
        spanned |= steps.size() > 1;
      }
      rounds++;
    }
    assertEquals(fixed, walked, "same minibatches, same order, only the averagings moved");
    assertTrue(rounds < EpochPlan.rounds(layout, 11, batch, frequency).size());
    assertTrue(spanned, "some round ran on from one block into the next");
  }

  @Test
  void aRoundAsLongAsTheEpochIsOneTaskPerWorkerOverAllItsBlocks() {
    BlockLayout layout = BlockLayout.of(1003, 2, 96, 7);
    int batch = 16;
    List<List<EpochPlan.Step>> round = new EpochPlan.Walk(layout, 5, batch, 2).next(1000);
    assertEquals(2, round.size());
    for (List<EpochPlan.Step> steps : round) {
      int worker = steps.get(0).worker();
      assertEquals(layout.blocksPerWorker(), steps.size(), "every block of worker " + worker);
      int rows = 0;
      for (EpochPlan.Step step : steps) {
        assertEquals(0, step.firstBatch(), "each block from its start");
        rows += layout.rowsOfPartition(step.partition());
      }
      assertEquals(layout.rowsOfWorker(worker), rows);
    }
  }

  private static void visit(EpochPlan.Step step, Map<Integer, List<String>> seen) {
    for (int b = step.firstBatch(); b < step.firstBatch() + step.batches(); b++) {
      seen.computeIfAbsent(step.worker(), w -> new ArrayList<>()).add(step.partition() + "/" + b);
    }
  }

  @Test
  void anEpochVisitsEveryRowOnceInAnOrderThatChangesWithTheEpoch() {
    BlockLayout layout = BlockLayout.of(1003, 3, 96, 7);
    int batch = 16;
    int frequency = 2;
    List<String> firstEpoch = null;
    for (long epochSeed : new long[] {11, 12}) {
      List<List<List<EpochPlan.Step>>> rounds =
          EpochPlan.rounds(layout, epochSeed, batch, frequency);
      Map<Integer, Set<Integer>> batchesSeen = new HashMap<>();
      Map<Integer, List<Integer>> perRound = new HashMap<>();
      List<String> order = new ArrayList<>();
      for (List<List<EpochPlan.Step>> round : rounds) {
        Set<Integer> workers = new HashSet<>();
        for (List<EpochPlan.Step> steps : round) {
          assertTrue(workers.add(steps.get(0).worker()), "one task per worker per round");
          perRound
              .computeIfAbsent(steps.get(0).worker(), w -> new ArrayList<>())
              .add(steps.stream().mapToInt(EpochPlan.Step::batches).sum());
          for (EpochPlan.Step step : steps) {
            assertEquals(layout.worker(step.partition()), step.worker());
            for (int b = step.firstBatch(); b < step.firstBatch() + step.batches(); b++) {
              assertTrue(batchesSeen
                  .computeIfAbsent(step.partition(), p -> new HashSet<>())
                  .add(b));
            }
            order.add(step.partition() + "/" + step.firstBatch());
          }
        }
      }
      for (int q = 0; q < layout.partitions(); q++) {
        int expected = (layout.rowsOfPartition(q) + batch - 1) / batch;
        assertEquals(
            expected, batchesSeen.getOrDefault(q, Set.of()).size(), "minibatches of block " + q);
      }
      perRound.forEach((worker, sizes) -> assertEquals(
          List.of(frequency),
          sizes.subList(0, sizes.size() - 1).stream().distinct().toList(),
          "worker " + worker + ": every round but its last is full, across blocks"));
      // 335 rows: 21 minibatches of 16, 11 rounds for the largest worker.
      assertEquals(11, rounds.size());
      if (firstEpoch == null) {
        firstEpoch = order;
      } else {
        assertNotEquals(firstEpoch, order, "blocks visited in a new order");
      }
    }
  }
}
