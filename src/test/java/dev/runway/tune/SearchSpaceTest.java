package dev.runway.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.config.TuneSettings;
import dev.runway.config.TuneSettings.Dimension;
import dev.runway.config.TuneSettings.Halving;
import dev.runway.config.TuneSettings.Kind;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {
  private static Dimension values(String key, Object... values) {
    return new Dimension(key, key, Kind.VALUES, List.of(values), 0, 0, 0);
  }

  private static Dimension range(String key, Kind kind, double low, double high, int count) {
    return new Dimension(key, key, kind, List.of(), low, high, count);
  }

  private static TuneSettings tune(
      TuneSettings.Sampling sampling, int trials, long seed, Dimension... space) {
    return new TuneSettings(
        List.of(space),
        sampling,
        trials,
        seed,
        1,
        TuneSettings.Metric.AUTO,
        new Halving(true, "train.epochs", 1, 9, 3));
  }

  @Test
  void aGridIsEveryCombinationTheFirstKeyVaryingSlowest() {
    List<Trial> trials = SearchSpace.trials(tune(
        TuneSettings.Sampling.GRID,
        0,
        1,
        values("a", 1, 2, 3),
        range("b", Kind.LOG_RANGE, 0.001, 0.1, 3),
        range("c", Kind.INT_RANGE, 1, 3, 0)));
    assertEquals(27, trials.size());
    assertEquals("t01", trials.get(0).id());
    assertEquals("t27", trials.get(26).id());
    assertEquals(Map.of("a", 1, "b", 0.001, "c", 1), trials.get(0).settings());
    assertEquals(Map.of("a", 1, "b", 0.001, "c", 2), trials.get(1).settings());
    assertEquals(Map.of("a", 1, "b", 0.01, "c", 1), trials.get(3).settings());
    assertEquals(Map.of("a", 3, "b", 0.1, "c", 3), trials.get(26).settings());
    assertEquals(27, new HashSet<>(trials.stream().map(Trial::settings).toList()).size());
  }

  @Test
  void gridPointsOfRanges() {
    assertEquals(
        List.of(0.0, 0.25, 0.5, 0.75, 1.0), SearchSpace.points(range("x", Kind.RANGE, 0, 1, 5)));
    assertEquals(
        List.of(0.0001, 0.001, 0.01, 0.1, 1.0),
        SearchSpace.points(range("x", Kind.LOG_RANGE, 1e-4, 1, 5)));
    assertEquals(List.of(16, 40, 64), SearchSpace.points(range("x", Kind.INT_RANGE, 16, 64, 3)));
  }

  @Test
  void randomDrawsAreSeededInsideTheirRangesAndDistinct() {
    Dimension lr = range("lr", Kind.LOG_RANGE, 1e-4, 1e-1, 0);
    Dimension batch = range("batch", Kind.INT_RANGE, 16, 256, 0);
    Dimension act = values("act", "relu", "tanh");
    List<Trial> a = SearchSpace.trials(tune(TuneSettings.Sampling.RANDOM, 200, 7, lr, batch, act));
    List<Trial> b = SearchSpace.trials(tune(TuneSettings.Sampling.RANDOM, 200, 7, lr, batch, act));
    List<Trial> c = SearchSpace.trials(tune(TuneSettings.Sampling.RANDOM, 200, 8, lr, batch, act));
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertEquals(200, a.size());
    assertEquals("t001", a.get(0).id());
    int below = 0;
    for (Trial t : a) {
      double rate = (Double) t.settings().get("lr");
      int size = (Integer) t.settings().get("batch");
      assertTrue(rate >= 1e-4 && rate <= 1e-1, t.toString());
      assertTrue(size >= 16 && size <= 256, t.toString());
      below += rate < 1e-2 ? 1 : 0;
    }
    // Log-uniform: two of the three decades lie below 0.01, so about 2/3 of the draws.
    assertTrue(below > 110 && below < 155, "draws below 0.01: " + below);
  }

  @Test
  void aSmallSpaceGivesItsDistinctCombinationsOnly() {
    List<Trial> trials = SearchSpace.trials(
        tune(TuneSettings.Sampling.RANDOM, 20, 1, values("a", 1, 2), values("b", "x", "y")));
    assertEquals(4, trials.size());
  }

  @Test
  void rungsDivideTheMaximumByTheFactorDownToTheMinimum() {
    assertEquals(List.of(1, 3, 9), Rungs.budgets(new Halving(true, "e", 1, 9, 3)));
    assertEquals(List.of(1, 3, 10), Rungs.budgets(new Halving(true, "e", 1, 10, 3)));
    assertEquals(List.of(3, 7, 15), Rungs.budgets(new Halving(true, "e", 2, 15, 2)));
    assertEquals(List.of(5), Rungs.budgets(new Halving(true, "e", 5, 5, 3)));
    assertEquals(List.of(9), Rungs.budgets(new Halving(false, "e", 1, 9, 3)));
    assertEquals(9, Rungs.promoted(27, 3));
    assertEquals(1, Rungs.promoted(2, 3));
  }
}
