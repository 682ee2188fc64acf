package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.runway.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final List<String> FOUR =
      List.of("executor_h_0", "executor_h_1", "executor_h_2", "executor_h_3");

  @Test
  void concurrentTrainingsStartWhereTheLanesBeforeThemEnd() {
    // Two one-worker trials on two executors: one each, not both on the first.
    List<String> two = FOUR.subList(0, 2);
    assertArrayEquals(new String[] {"executor_h_0"}, Placement.spread(two, 1, 0));
    assertArrayEquals(new String[] {"executor_h_1"}, Placement.spread(two, 1, 1));
    // Two two-worker trials on four executors: disjoint pairs.
    assertArrayEquals(new String[] {"executor_h_0", "executor_h_1"}, Placement.spread(FOUR, 2, 0));
    assertArrayEquals(new String[] {"executor_h_2", "executor_h_3"}, Placement.spread(FOUR, 2, 1));
  }

  @Test
  void lanesBeyondTheExecutorsWrapAroundAndShareTheirHomes() {
    // A third lane of two workers on four executors lands on the first lane's executors (and so
    // shares its cut of the data); more workers than executors double up in turn.
    assertArrayEquals(Placement.spread(FOUR, 2, 0), Placement.spread(FOUR, 2, 2));
    assertArrayEquals(
        new String[] {"executor_h_0", "executor_h_1", "executor_h_0"},
        Placement.spread(FOUR.subList(0, 2), 3, 0));
  }

  @Test
  void eachThreadOfAPoolIsALaneAndAPoolInsideALaneSpreadsWithinIt() {
    SparkContext sc = TestSpark.session().sparkContext();
    assertNull(Placement.inLane(sc, () -> sc.getLocalProperty(Placement.LANE)), "not a lane");
    ExecutorService outer = Executors.newFixedThreadPool(2, Placement.lanes("outer", 2));
    try {
      assertEquals(
          Set.of("0", "1"),
          new TreeSet<>(onBoth(outer, both -> laneOf(sc, both))),
          "two threads at once, two lanes");
      // Lane l of 2 fitting two things side by side: lanes l x 2 + 0 and l x 2 + 1.
      Set<String> nested = new TreeSet<>();
      onBoth(outer, both -> nest(sc, both)).forEach(nested::addAll);
      assertEquals(
          Set.of("0", "1", "2", "3"), nested, "lane 0 nests into 0 and 1, lane 1 into 2 and 3");
    } finally {
      outer.shutdownNow();
    }
  }

  @Test
  void trainingsAreSideBySideOnlyInAPoolOfMoreThanOneThread() throws Exception {
    SparkContext sc = TestSpark.session().sparkContext();
    assertFalse(Placement.sideBySide(sc), "no pool");
    ExecutorService one = Executors.newFixedThreadPool(1, Placement.lanes("one", 1));
    ExecutorService two = Executors.newFixedThreadPool(2, Placement.lanes("two", 2));
    try {
      assertFalse(
          one.submit(() -> Placement.inLane(sc, () -> Placement.sideBySide(sc))).get());
      assertEquals(
          List.of(true, true),
          onBoth(
              two,
              both -> () -> Placement.inLane(sc, () -> {
                await(both);
                return Placement.sideBySide(sc);
              })),
          "a pool of two");
      // A pool of two inside a pool of one: side by side inside, and not after.
      assertEquals(
          List.of(true, false),
          one.submit(() -> Placement.inLane(sc, () -> {
                boolean inside = onBoth(
                        two,
                        both -> () -> Placement.inLane(sc, () -> {
                          await(both);
                          return Placement.sideBySide(sc);
                        }))
                    .get(0);
                return List.of(inside, Placement.sideBySide(sc));
              }))
              .get());
    } finally {
      one.shutdownNow();
      two.shutdownNow();
    }
  }

  /**
   * {@code task} run on both threads of a two-thread pool at once (each waits at the barrier it is
   * given until the other is in its lane too, so one thread cannot run both); results in any
   * order.
   */
  private static <T> List<T> onBoth(
      ExecutorService pool, Function<CyclicBarrier, Callable<T>> task) {
    CyclicBarrier both = new CyclicBarrier(2);
    List<T> out = new ArrayList<>();
    try {
      for (Future<T> f : pool.invokeAll(List.of(task.apply(both), task.apply(both)))) {
        out.add(f.get());
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /**
   * In an outer lane (once both outer threads are in theirs), the lanes of two fits on an inner
   * pool of its own; the outer lane is restored after.
   */
  private static Callable<Set<String>> nest(SparkContext sc, CyclicBarrier both) {
    return () -> Placement.inLane(sc, () -> {
      await(both);
      String mine = sc.getLocalProperty(Placement.LANE);
      ExecutorService inner = Executors.newFixedThreadPool(2, Placement.lanes("inner", 2));
      try {
        Set<String> in = new TreeSet<>(onBoth(inner, pair -> laneOf(sc, pair)));
        assertEquals(mine, sc.getLocalProperty(Placement.LANE), "restored");
        return in;
      } finally {
        inner.shutdownNow();
      }
    });
  }

  /** The lane a pool thread's work runs in, once both threads of the pool are in theirs. */
  private static Callable<String> laneOf(SparkContext sc, CyclicBarrier both) {
    return () -> Placement.inLane(sc, () -> {
      await(both);
      return sc.getLocalProperty(Placement.LANE);
    });
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
