package dev.runway.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Wall-clock seconds per named step, in the order the steps ran. */
public final class Timings {
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  public <T> T time(String step, Supplier<T> work) {
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      seconds.merge(step, (System.nanoTime() - start) / 1e9, Double::sum);
    }
  }

  public void time(String step, Runnable work) {
    time(step, () -> {
      work.run();
      return null;
    });
  }

  /** Records a span measured elsewhere. */
  public void record(String step, double secondsTaken) {
    seconds.merge(step, secondsTaken, Double::sum);
  }

  public Map<String, Double> asMap() {
    Map<String, Double> rounded = new LinkedHashMap<>();
    seconds.forEach((k, v) -> rounded.put(k, Math.round(v * 1000) / 1000.0));
    return rounded;
  }
}
