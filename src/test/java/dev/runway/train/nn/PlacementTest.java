package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
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
}
