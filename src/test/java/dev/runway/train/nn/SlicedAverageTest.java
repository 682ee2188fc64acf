package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * The workers' sliced average is the driver's average to the float, and the mesh it travels on
 * delivers every worker's bytes to the worker they were meant for.
 */
class SlicedAverageTest {
  private static float[] floats(Random r, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (r.nextGaussian() * 0.1);
    }
    return out;
  }

  /** Results of {@code workers} workers, worker {@code idle} without examples (-1: none idle). */
  private static List<RoundResult> results(
      long seed, int workers, int params, int updater, int idle) {
    Random r = new Random(seed);
    List<RoundResult> out = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      out.add(
          w == idle
              ? new RoundResult(w, 0, 0, null, null, 0, 0, 1_000 + w, 7 * w)
              : new RoundResult(
                  w,
                  1 + r.nextInt(500),
                  1 + r.nextInt(4),
                  floats(r, params),
                  floats(r, updater),
                  r.nextDouble() * 100,
                  r.nextInt(1_000_000),
                  1_000 + r.nextInt(50),
                  r.nextInt(1_000_000)));
    }
    return out;
  }

  /** What every worker ends the round with, the exchanges done by hand (worker by worker). */
  private static List<SlicedAverage.Round> bySlices(
      List<RoundResult> results, int[] order, int params, int updater) {
    int n = results.size();
    SlicedAverage sliced = new SlicedAverage(n, params, updater);
    byte[][][] sent = new byte[n][][];
    for (int w = 0; w < n; w++) {
      sent[w] = sliced.parts(results.get(w));
    }
    byte[][][] received = new byte[n][n][];
    for (int k = 0; k < n; k++) {
      for (int w = 0; w < n; w++) {
        received[k][w] = sent[w][k];
      }
    }
    byte[][] slices = new byte[n][];
    for (int k = 0; k < n; k++) {
      slices[k] = sliced.slice(received[k], order, k);
    }
    List<SlicedAverage.Round> rounds = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      rounds.add(sliced.round(received[k], order, slices[0] == null ? null : slices));
    }
    return rounds;
  }

  private static void assertSameFloats(Averaged expected, Averaged actual) {
    assertArrayEquals(expected.params(), actual.params());
    assertArrayEquals(expected.updater(), actual.updater());
    assertEquals(expected.examples(), actual.examples());
    assertEquals(expected.lossSum(), actual.lossSum(), 0.0);
    assertEquals(expected.maxBatches(), actual.maxBatches());
    assertEquals(expected.maxComputeNanos(), actual.maxComputeNanos());
    // To the bit: the adaptive round length is decided from it on every worker.
    assertEquals(expected.divergence(), actual.divergence(), 0.0);
  }

  @Test
  void everyWorkersSlicedAverageIsTheDriversToTheFloat() {
    // Several norm blocks, a parameter count that ends inside a block, slices that split the
    // parameters from the updater state inside one; workers added in an order that is not theirs.
    int params = 3 * Averaged.NORM_BLOCK + 1_234;
    int updater = 2 * params;
    for (int n = 1; n <= 5; n++) {
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = n - 1 - i;
      }
      List<RoundResult> results = results(41 + n, n, params, updater, n > 2 ? 1 : -1);
      RoundSums sums = new RoundSums();
      for (int w : order) {
        sums.add(results.get(w));
      }
      Averaged expected = Averaged.of(sums);
      for (SlicedAverage.Round round : bySlices(results, order, params, updater)) {
        assertSameFloats(expected, round.averaged());
        assertEquals(sums.maxSetupNanos, round.maxSetupNanos());
        assertEquals(sums.firstStartedMillis, round.firstStartedMillis());
      }
    }
  }

  @Test
  void aSmallNetworkLeavesSomeWorkersNoSliceAndStillAverages() {
    int params = 100;
    int updater = 200;
    int[] bounds = SlicedAverage.bounds(params + updater, 4);
    assertArrayEquals(new int[] {0, 0, 0, 0, 300}, bounds);
    List<RoundResult> results = results(7, 4, params, updater, -1);
    int[] order = {0, 1, 2, 3};
    Averaged expected = Averaged.of(RoundSums.of(results));
    for (SlicedAverage.Round round : bySlices(results, order, params, updater)) {
      assertSameFloats(expected, round.averaged());
    }
  }

  @Test
  void slicesAreWholeNormBlocksAsEvenAsBlocksAllow() {
    int block = Averaged.NORM_BLOCK;
    assertArrayEquals(
        new int[] {0, 5 * block, 10 * block + 7}, SlicedAverage.bounds(10 * block + 7, 2));
    int[] eight = SlicedAverage.bounds(100 * block, 8);
    for (int k = 0; k < 8; k++) {
      int width = (eight[k + 1] - eight[k]) / block;
      assertTrue(width == 12 || width == 13, "slice " + k + ": " + width + " blocks");
    }
  }

  @Test
  void aRoundWithoutExamplesHasNoAverage() {
    List<RoundResult> idle = List.of(
        new RoundResult(0, 0, 0, null, null, 0, 0, 5, 3),
        new RoundResult(1, 0, 0, null, null, 0, 0, 4, 9));
    SlicedAverage.Round round = bySlices(idle, new int[] {0, 1}, 10, 20).get(1);
    assertEquals(0, round.averaged().examples());
    assertNull(round.averaged().params());
    assertEquals(9, round.maxSetupNanos());
    assertEquals(4, round.firstStartedMillis());
  }

  /**
   * Three tasks on loopback send each other different megabytes at the same time (more than the
   * sockets' buffers hold, so a task that only wrote or only read would block the others), twice.
   */
  @Test
  void theMeshDeliversEachWorkersBytesToTheWorkerTheyWereFor() throws Exception {
    int n = 3;
    long token = new Random().nextLong();
    AtomicReferenceArray<String> addresses = new AtomicReferenceArray<>(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<byte[][][]>> tasks = new ArrayList<>();
      for (int rank = 0; rank < n; rank++) {
        int me = rank;
        tasks.add(pool.submit(() -> {
          try (PeerMesh mesh = PeerMesh.open(
              me,
              n,
              "127.0.0.1",
              token,
              address -> {
                addresses.set(me, address);
                String[] all = new String[n];
                for (int k = 0; k < n; k++) {
                  while (addresses.get(k) == null) {
                    Thread.onSpinWait();
                  }
                  all[k] = addresses.get(k);
                }
                return all;
              },
              () -> false)) {
            byte[][] toEach = new byte[n][];
            for (int k = 0; k < n; k++) {
              toEach[k] = payload(me, k);
            }
            return new byte[][][] {mesh.exchangeEach(toEach), mesh.exchange(payload(me, me))};
          }
        }));
      }
      for (int rank = 0; rank < n; rank++) {
        byte[][][] got = tasks.get(rank).get();
        for (int from = 0; from < n; from++) {
          assertArrayEquals(payload(from, rank), got[0][from], from + " to " + rank);
          assertArrayEquals(payload(from, from), got[1][from], from + " to all");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] payload(int from, int to) {
    byte[] bytes = new byte[(3 << 20) + 17 * from + to];
    new Random(31L * from + to).nextBytes(bytes);
    return bytes;
  }
}
