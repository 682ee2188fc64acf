package dev.runway.tune;

import dev.runway.config.TuneSettings;
import dev.runway.config.TuneSettings.Dimension;
import dev.runway.error.JobConfigException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The trials a tune trains, drawn from its space: every combination (grid, the first dimension
 * varying slowest) or {@code trials} seeded random draws. Drawn numbers keep four significant
 * digits: a leaderboard of 0.001234 reads better than 0.0012337719, and costs no search.
 */
public final class SearchSpace {
  /** More trials than this is a mistake in the space, not a search anyone means to pay for. */
  static final int MAX_TRIALS = 10_000;

  private SearchSpace() {}

  /** The trials of {@code tune}, ids t01, t02, ... (as wide as the count needs). */
  public static List<Trial> trials(TuneSettings tune) {
    List<Map<String, Object>> points = tune.sampling() == TuneSettings.Sampling.GRID
        ? grid(tune.space())
        : random(tune.space(), tune.trials(), tune.seed());
    int width = Math.max(2, String.valueOf(points.size()).length());
    List<Trial> out = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      out.add(new Trial(String.format("t%0" + width + "d", i + 1), points.get(i)));
    }
    return out;
  }

  static List<Map<String, Object>> grid(List<Dimension> space) {
    long size = 1;
    List<List<Object>> axes = new ArrayList<>();
    for (Dimension d : space) {
      List<Object> axis = points(d);
      axes.add(axis);
      size *= axis.size();
      if (size > MAX_TRIALS) {
        throw new JobConfigException("The grid of tune.space has more than " + MAX_TRIALS
            + " combinations: use fewer values or sampling = random");
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    for (int i = 0; i < space.size(); i++) {
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> partial : out) {
        for (Object value : axes.get(i)) {
          Map<String, Object> m = new LinkedHashMap<>(partial);
          m.put(space.get(i).key(), value);
          next.add(m);
        }
      }
      out = next;
    }
    return out;
  }

  /** A dimension's grid points. */
  static List<Object> points(Dimension d) {
    int n = d.count();
    switch (d.kind()) {
      case VALUES:
        return d.values();
      case INT_RANGE: {
        Set<Object> ints = new LinkedHashSet<>();
        if (n == 0) {
          for (long v = (long) d.low(); v <= (long) d.high(); v++) {
            ints.add((int) v);
          }
        } else {
          for (int i = 0; i < n; i++) {
            ints.add((int) Math.round(d.low() + i * (d.high() - d.low()) / (n - 1)));
          }
        }
        return new ArrayList<>(ints);
      }
      case LOG_RANGE: {
        List<Object> out = new ArrayList<>();
        double lo = Math.log(d.low());
        double hi = Math.log(d.high());
        for (int i = 0; i < n; i++) {
          out.add(round(Math.exp(lo + i * (hi - lo) / (n - 1))));
        }
        return out;
      }
      default: {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          out.add(round(d.low() + i * (d.high() - d.low()) / (n - 1)));
        }
        return out;
      }
    }
  }

  /**
   * {@code trials} draws, each dimension drawn in the space's order from one seeded stream; a
   * draw equal to an earlier one is drawn again (a space of few combinations gives fewer trials).
   */
  static List<Map<String, Object>> random(List<Dimension> space, int trials, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Set<Map<String, Object>> out = new LinkedHashSet<>();
    for (int attempt = 0; out.size() < trials && attempt < 50 * trials; attempt++) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Dimension d : space) {
        m.put(d.key(), draw(d, random));
      }
      out.add(m);
    }
    return new ArrayList<>(out);
  }

  private static Object draw(Dimension d, SplittableRandom random) {
    switch (d.kind()) {
      case VALUES:
        return d.values().get(random.nextInt(d.values().size()));
      case INT_RANGE:
        return (int) ((long) d.low() + random.nextLong((long) d.high() - (long) d.low() + 1));
      case LOG_RANGE:
        return round(Math.exp(
            Math.log(d.low()) + random.nextDouble() * (Math.log(d.high()) - Math.log(d.low()))));
      default:
        return round(d.low() + random.nextDouble() * (d.high() - d.low()));
    }
  }

  /** Four significant digits. */
  static double round(double v) {
    return new BigDecimal(v).round(new MathContext(4)).doubleValue();
  }
}
