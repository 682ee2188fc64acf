package dev.runway.bench;

import dev.runway.registry.RunEntry;
import dev.runway.registry.RunIndex;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's benchmark: commits {@code runs} stub runs of one job ({@link RunStubs}, real
 * manifests), rebuilds the index from them, adds more through the live path a training run takes,
 * and times reading the index back. The listing command's own wall time, JVM start included, is
 * timed by scripts/bench-runs around this.
 */
public final class RegistryBench {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryBench.class);
  private static final String JOB = "bench-registry";

  private RegistryBench() {}

  /** One measured figure. */
  public record Figure(String measure, long runs, double seconds, String note) {}

  public static List<Figure> run(Configuration hadoop, String root, int runs, int liveAdds) {
    List<Figure> figures = new ArrayList<>();
    Instant start = Instant.parse("2026-11-01T00:00:00Z");
    long t0 = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      RunStubs.commit(
          hadoop,
          root,
          JOB,
          String.format(Locale.ROOT, "run-%06d", i),
          start.plusSeconds(60L * i),
          i % 3 == 0 ? "neural-network" : "logistic-regression",
          0.80 + (i % 97) / 1000.0,
          "/data/day-" + (i % 30) + ".parquet");
      if ((i + 1) % 1000 == 0) {
        LOG.info("Committed {} of {} stub runs", i + 1, runs);
      }
    }
    figures.add(new Figure("commit stub runs", runs, seconds(t0), "RunDirectory.commit each"));

    RunIndex index = RunIndex.of(hadoop, root);
    t0 = System.nanoTime();
    int rebuilt = index.reindex(JOB).size();
    figures.add(new Figure("runs reindex", rebuilt, seconds(t0), "opens every run"));

    t0 = System.nanoTime();
    for (int i = 0; i < liveAdds; i++) {
      var run = RunStubs.commit(
          hadoop,
          root,
          JOB,
          String.format(Locale.ROOT, "live-%06d", i),
          start.plusSeconds(60L * (runs + i)),
          "logistic-regression",
          0.85,
          "/data/day-live.parquet");
      index.add(RunEntry.of(run));
    }
    double live = seconds(t0);
    figures.add(new Figure(
        "commit + index add, mean per run",
        runs + liveAdds,
        live / Math.max(1, liveAdds),
        "the live path: rewrite the job's snapshot"));

    double best = Double.MAX_VALUE;
    int listed = 0;
    for (int repeat = 0; repeat < 5; repeat++) {
      t0 = System.nanoTime();
      listed = index.entries(JOB).size();
      best = Math.min(best, seconds(t0));
    }
    figures.add(new Figure("read the index (in process), best of 5", listed, best, ""));
    return figures;
  }

  public static Map<String, Object> toJson(Figure f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("measure", f.measure());
    m.put("runs", f.runs());
    m.put("seconds", Math.round(f.seconds() * 1e4) / 1e4);
    m.put("note", f.note());
    return m;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
