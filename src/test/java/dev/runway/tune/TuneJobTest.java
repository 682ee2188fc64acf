package dev.runway.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestData;
import dev.runway.TestSpark;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.job.TaskWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small tune on file: end to end, on 3,000 Fashion-MNIST training images: four learning rates
 * for an SGD network (one so large it diverges), one epoch each, the best two on to a second.
 */
class TuneJobTest {
  @TempDir
  static Path runs;

  private static SparkSession spark;
  private static Leaderboard first;
  private static Jobs jobs;

  /** Every Spark job's pool, trial and description; and the most pools ever active at once. */
  static final class Jobs extends SparkListener {
    final Map<Integer, String> pools = new ConcurrentHashMap<>();
    final List<String[]> started = new CopyOnWriteArrayList<>();
    final Set<String> active = ConcurrentHashMap.newKeySet();
    final AtomicInteger mostPools = new AtomicInteger();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String pool = start.properties().getProperty("spark.scheduler.pool");
      String trial = start.properties().getProperty(TaskWatch.SCOPE);
      started.add(new String[] {
        pool, trial, String.valueOf(start.properties().getProperty("spark.job.description"))
      });
      if (pool != null) {
        pools.put(start.jobId(), pool);
        active.add(start.jobId() + "@" + pool);
        mostPools.accumulateAndGet(
            (int)
                active.stream().map(s -> s.substring(s.indexOf('@'))).distinct().count(),
            Math::max);
      }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
      String pool = pools.get(end.jobId());
      if (pool != null) {
        active.remove(end.jobId() + "@" + pool);
      }
    }
  }

  static List<String> sets(int concurrency, String... more) {
    List<String> sets = new ArrayList<>(List.of(
        "source.path=\"" + TestData.fashionMnistParquet() + "\"",
        "source.filter=\"index < 3000 OR (index >= 54000 AND index < 55000) OR index >= 69000\"",
        "output.root=\"" + runs + "\"",
        "model.neural-network.updater=sgd",
        "model.neural-network.hidden-layers=[32]",
        "train.early-stopping.patience=0",
        "tune.sampling=grid",
        "tune.space={\"model.neural-network.learning-rate\":{values=[0.02,0.1,0.3,100]}}",
        "tune.concurrency=" + concurrency,
        "tune.halving.max-budget=2",
        "tune.halving.reduction-factor=2"));
    sets.addAll(List.of(more));
    return sets;
  }

  static TuneDefinition definition(int concurrency, String... more) {
    return TuneDefinition.load(
        TestData.repo().resolve("conf/jobs/fashion-mnist-mlp.conf").toString(),
        sets(concurrency, more));
  }

  @BeforeAll
  static void tuneOnce() {
    spark = TestSpark.session();
    jobs = new Jobs();
    spark.sparkContext().addSparkListener(jobs);
    try {
      TuneJob.Outcome outcome = new TuneJob(spark, definition(2)).run("first", false);
      assertEquals("committed", outcome.status());
      first = outcome.board();
    } finally {
      spark.sparkContext().removeSparkListener(jobs);
    }
  }

  @Test
  void theLeaderboardRanksTrialsByRungThenScoreAndRecordsTheFailedOne() {
    List<Leaderboard.Standing> trials = first.trials();
    assertEquals(4, trials.size());
    assertEquals(List.of(1, 2), first.budgets());
    assertEquals("accuracy", first.metric());
    assertEquals(
        List.of("completed", "completed", "stopped", "failed"),
        trials.stream().map(Leaderboard.Standing::status).toList());
    assertTrue(trials.get(0).score() >= trials.get(1).score(), trials.toString());
    Leaderboard.Standing failed = trials.get(3);
    assertEquals("t04", failed.trial());
    assertEquals(
        100.0,
        ((Number) failed.settings().get("model.neural-network.learning-rate")).doubleValue());
    assertTrue(failed.error().contains("diverged"), failed.error());
    assertNull(failed.runUri(), "a failed trial has no run");
    assertEquals(trials.get(0).trial(), first.bestTrial());
    assertEquals(trials.get(0).runUri(), first.bestRunUri());
    // The stopped trial scored below both promoted ones at the first rung.
    double stopped = trials.get(2).score();
    for (Leaderboard.Standing promoted : trials.subList(0, 2)) {
      assertTrue((Double) promoted.rungs().get(0).get("score") >= stopped, trials.toString());
      assertEquals(2, promoted.rungs().size());
    }
    assertTrue(first.executorSeconds() > 0);
  }

  @Test
  void everyTrialThatTrainedIsACommittedRunWithTheTuneInItsLineage() {
    for (Leaderboard.Standing s : first.trials().subList(0, 3)) {
      RunDirectory run = RunDirectory.at(spark.sparkContext().hadoopConfiguration(), s.runUri());
      assertTrue(run.committed(), s.runUri());
      assertEquals("first-" + s.trial(), s.runId());
      @SuppressWarnings("unchecked")
      Map<String, Object> tune =
          (Map<String, Object>) Json.parse(run.readText("lineage.json")).get("tune");
      assertEquals(s.trial(), tune.get("trial"));
      assertEquals("first", tune.get("tune_id"));
      assertEquals(s.budget(), ((Number) tune.get("budget")).intValue());
      assertTrue(run.readText("job.conf").contains("    epochs=" + s.budget() + "\n"), s.trial());
      // The job leaves train.workers to the slots: two trials at once on local[2] get one each.
      assertTrue(run.readText("job.conf").contains("    workers=1\n"), s.trial());
      @SuppressWarnings("unchecked")
      Map<String, Object> training =
          (Map<String, Object>) Json.parse(run.readText("metrics.json")).get("training");
      assertEquals(1, ((Number) training.get("workers")).intValue(), s.trial());
    }
    RunDirectory tune = TuneJob.directory(
        spark.sparkContext().hadoopConfiguration(), runs.toString(), "fashion-mnist-mlp", "first");
    assertTrue(tune.committed());
    assertFalse(tune.has(TuneJob.STATE), "the state goes once the tune is committed");
    assertFalse(
        Files.exists(runs.resolve("fashion-mnist-mlp/first-t04")), "no run of the failed trial");
  }

  @Test
  void trialsRanTwoAtATimeEachInItsOwnPool() {
    assertEquals(2, jobs.mostPools.get());
    for (String[] job : jobs.started) {
      if (job[1] != null) {
        assertEquals("trial-" + job[1], job[0]);
      }
    }
  }

  @Test
  void aPromotedTrialGoesOnFromItsCheckpoint() {
    // The second rung of a promoted trial trains epoch 2 only: epoch 1 comes from the checkpoint.
    for (Leaderboard.Standing s : first.trials().subList(0, 2)) {
      List<String> trained = jobs.started.stream()
          .filter(j -> s.trial().equals(j[1]) && j[2].contains("train epoch"))
          .map(j -> j[2].replaceAll(", round.*", ""))
          .distinct()
          .toList();
      assertEquals(
          List.of("runway: train epoch 1/1", "runway: train epoch 2/2"), trained, s.trial());
    }
  }

  @Test
  void aTuneThatDiesGoesOnWithResumeAndEndsWithTheSameLeaderboard() throws Exception {
    AtomicInteger saved = new AtomicInteger();
    RuntimeException death = new IllegalStateException("the driver died");
    // One at a time, with the one worker the first tune's trials had as their share of the
    // slots: the driver dies as the third result is saved.
    TuneDefinition def = definition(1, "train.workers=1");
    assertThrows(
        IllegalStateException.class,
        () -> new TuneJob(spark, def)
            .onSaved(r -> {
              if (saved.incrementAndGet() == 3) {
                throw death;
              }
            })
            .run("resumed", false));
    Path dir = runs.resolve("fashion-mnist-mlp/_tunes/resumed");
    assertFalse(Files.exists(dir.resolve("manifest.json")));
    long kept;
    try (Stream<Path> results = Files.list(dir.resolve("state/results"))) {
      // The one thread may have started the next trial before the failure stopped the tune.
      kept = results.filter(p -> p.toString().endsWith(".json")).count();
    }
    assertTrue(kept == 3 || kept == 4, "results kept: " + kept);

    AtomicInteger trainedAgain = new AtomicInteger();
    TuneJob.Outcome outcome =
        new TuneJob(spark, def).onSaved(r -> trainedAgain.incrementAndGet()).run("resumed", true);
    assertEquals("committed", outcome.status());
    assertEquals(6 - kept, trainedAgain.get(), "the saved results are not trained again");
    assertEquals(summary(first), summary(outcome.board()));

    // Committed: the same call again is a no-op.
    TuneJob.Outcome again = new TuneJob(spark, def).run("resumed", true);
    assertEquals("already-committed", again.status());
    assertEquals(summary(first), summary(again.board()));
    // What the tune command answers a retry with, before it starts a session.
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    TuneJob.Outcome read = TuneJob.committed(hadoop, def, "resumed").orElseThrow();
    assertEquals(again.toJson(), read.toJson());
    assertTrue(TuneJob.committed(hadoop, def, "never-run").isEmpty());
  }

  /** What must not change between two tunes of the same job and seed. */
  private static List<Map<String, Object>> summary(Leaderboard board) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Leaderboard.Standing s : board.trials()) {
      Map<String, Object> m = new HashMap<>();
      m.put("rank", s.rank());
      m.put("trial", s.trial());
      m.put("status", s.status());
      m.put("budget", s.budget());
      m.put("score", s.score());
      m.put("settings", s.settings());
      out.add(m);
    }
    return out;
  }

  @Test
  void anMllibModelsBudgetIsItsIterationsAndFeatureSettingsArePreparedOncePerVariant() {
    TestData.require(TestData.SEATTLE_WEATHER);
    TuneDefinition def = TuneDefinition.load(
        TestData.repo().resolve("conf/jobs/seattle-weather.conf").toString(),
        List.of(
            "source.path=\"" + TestData.SEATTLE_WEATHER + "\"",
            "output.root=\"" + runs + "\"",
            "model.type=logistic-regression",
            "tune.sampling=grid",
            "tune.space={\"model.logistic-regression.reg-param\":{values=[0.0,0.01,0.3]},"
                + "\"features.standardize\":{values=[true,false]}}",
            "tune.metric=log-loss",
            "tune.halving.min-budget=2",
            "tune.halving.max-budget=20"));
    assertEquals("model.logistic-regression.max-iter", def.settings().halving().budgetKey());
    assertEquals(List.of(2, 6, 20), def.budgets());
    Leaderboard board = new TuneJob(spark, def).run("lr", false).board();
    assertEquals("log_loss", board.metric());
    assertFalse(board.higherIsBetter());
    List<Leaderboard.Standing> trials = board.trials();
    // Six trials, two go on to 6 iterations, one to 20.
    assertEquals(
        List.of(3, 2, 1, 1, 1, 1), trials.stream().map(s -> s.rungs().size()).toList());
    assertEquals(
        List.of(2, 6, 20),
        trials.get(0).rungs().stream().map(r -> r.get("budget")).toList());
    // Ranked by the lowest log loss within a rung; the ones stopped first scored worst there.
    for (Leaderboard.Standing s : trials.subList(2, 6)) {
      assertTrue(
          (Double) trials.get(0).rungs().get(0).get("score") <= s.score(), trials.toString());
      assertTrue(
          (Double) trials.get(1).rungs().get(0).get("score") <= s.score(), trials.toString());
    }
    for (int i = 3; i < 6; i++) {
      assertTrue(trials.get(i - 1).score() <= trials.get(i).score(), trials.toString());
    }
    assertEquals(
        Set.of(true, false),
        Set.copyOf(
            trials.stream().map(s -> s.settings().get("features.standardize")).toList()));
    RunDirectory best =
        RunDirectory.at(spark.sparkContext().hadoopConfiguration(), board.bestRunUri());
    assertTrue(best.readText("job.conf").contains("max-iter=20"), best.readText("job.conf"));
  }
}
