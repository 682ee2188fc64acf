package dev.runway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestS3;
import dev.runway.artifacts.RunDirectory;
import dev.runway.bench.RunStubs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.IOStatisticsSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run index against real storage: a local directory and S3 (s3proxy on 127.0.0.1), with runs
 * committing at once from several threads, each through the project's own run writer.
 */
class RunIndexTest {
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

  @TempDir
  java.nio.file.Path tmp;

  /** Commits {@code perThread} runs from each of {@code threads} threads at once, indexing each. */
  private static List<String> commitConcurrently(
      Configuration conf, String root, String job, int threads, int perThread) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          List<String> ids = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            String id = String.format(Locale.ROOT, "t%02d-r%02d", thread, i);
            var run = RunStubs.commit(
                conf,
                root,
                job,
                id,
                START.plusSeconds(i),
                "logistic-regression",
                0.8 + i / 100.0,
                "/data/x.parquet");
            RunIndex.of(conf, root).add(RunEntry.of(run));
            ids.add(id);
          }
          return ids;
        }));
      }
      List<String> all = new ArrayList<>();
      for (Future<List<String>> f : futures) {
        all.addAll(f.get());
      }
      return all.stream().sorted().toList();
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> snapshots(java.nio.file.Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> ids(List<RunEntry> entries) {
    return entries.stream().map(RunEntry::runId).toList();
  }

  @Test
  void runsCommittingAtOnceAreAllListedAndReindexRebuildsTheSameIndex() throws Exception {
    Configuration conf = new Configuration();
    String root = tmp.resolve("runs").toString();
    List<String> committed = commitConcurrently(conf, root, "churn", 8, 6);
    RunIndex index = RunIndex.of(conf, root);
    List<RunEntry> live = index.entries("churn");
    assertEquals(48, committed.size());
    assertEquals(committed, ids(live), "no entry lost to a race");
    assertEquals(List.of("churn"), index.jobs());
    assertEquals(List.of("churn"), index.jobDirectories(), "the index's directory is no job");

    List<RunEntry> rebuilt = index.reindex("churn");
    assertEquals(live, rebuilt, "the manifests give back every entry, field for field");
    assertEquals(live, index.entries("churn"));
    try (var files = Files.list(tmp.resolve("runs/_index/churn"))) {
      assertEquals(1, files.filter(p -> p.toString().endsWith(".json")).count(), "one snapshot");
    }
    RunEntry first = live.get(0);
    assertEquals("logistic-regression", first.modelType());
    assertEquals(12.0, first.durationS(), "from lineage's start to its end (the stubs train 12 s)");
    assertEquals(0.8, first.metrics().get("test").get("accuracy"), 1e-12);
  }

  @Test
  void aDeletedRunIsListedUntilReindexAndASnapshotBeingWrittenIsSkipped() throws Exception {
    Configuration conf = new Configuration();
    String root = tmp.resolve("runs").toString();
    RunIndex index = RunIndex.of(conf, root);
    for (String id : List.of("a", "b", "c")) {
      index.add(
          RunEntry.of(RunStubs.commit(conf, root, "j", id, START, "gbt", 0.9, "/data/x.parquet")));
    }
    FileSystem fs = new Path(root).getFileSystem(conf);
    fs.delete(new Path(root, "j/b"), true);
    assertEquals(List.of("a", "b", "c"), ids(index.entries("j")), "a cache until rebuilt");
    // A snapshot half written (a local file is visible while it is written): skipped.
    try (OutputStream out = fs.create(new Path(root, "_index/j/9999999999999-partial.json"))) {
      out.write("{\"format\":\"runway-index/1\",\"entr".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(List.of("a", "b", "c"), ids(index.entries("j")));
    index.add(RunEntry.of(RunStubs.commit(conf, root, "j", "d", START, "gbt", 0.9, "/x")));
    assertTrue(fs.exists(new Path(root, "_index/j/9999999999999-partial.json")), "not deleted");
    assertEquals(List.of("a", "c", "d"), ids(index.reindex("j")));
    assertEquals(List.of("a", "c", "d"), ids(index.entries("j")));
    assertTrue(!fs.exists(new Path(root, "_index/j/9999999999999-partial.json")), "replaced");
  }

  @Test
  void onS3RunsCommittingAtOnceAreAllListedAndListingCostsTheSameRequestsAtAnySize()
      throws Exception {
    TestS3.bucket("registry");
    Configuration conf = TestS3.hadoop();
    String root = "s3a://registry/runs";
    List<String> committed = commitConcurrently(conf, root, "churn", 4, 4);
    RunIndex index = RunIndex.of(conf, root);
    assertEquals(committed, ids(index.entries("churn")));

    FileSystem fs = new Path(root).getFileSystem(conf);
    // Right after a race, each racer's snapshot is a head: one GET each, until the next commit.
    Map<String, Long> raced = requests(fs, () -> index.entries("churn"));
    assertEquals(1, raced.get("object_list_request"), raced.toString());
    assertTrue(raced.get("action_http_get_request") <= 4, raced.toString());
    index.add(RunEntry.of(
        RunStubs.commit(conf, root, "churn", "late-0", START, "gbt", 0.9, "/data/x.parquet")));
    Map<String, Long> small = requests(fs, () -> index.entries("churn"));
    for (int i = 1; i < 24; i++) {
      index.add(RunEntry.of(
          RunStubs.commit(conf, root, "churn", "late-" + i, START, "gbt", 0.9, "/data/x.parquet")));
    }
    assertEquals(40, index.entries("churn").size());
    Map<String, Long> large = requests(fs, () -> index.entries("churn"));
    System.out.println("S3 requests to list the index: " + raced + " after the race (16 runs), "
        + small + " at 17 runs, " + large + " at 40");
    // One LIST of the job's snapshots, one GET of the one snapshot, whatever the number of runs.
    assertEquals(Map.of("object_list_request", 1L, "action_http_get_request", 1L), small);
    assertEquals(small, large, "17 runs or 40: the same requests");
  }

  /** The S3 requests {@code action} makes, by kind (S3A's own counters of HTTP requests). */
  private static Map<String, Long> requests(FileSystem fs, Runnable action) {
    Map<String, Long> before = counts(fs);
    action.run();
    Map<String, Long> after = counts(fs);
    Map<String, Long> delta = new TreeMap<>();
    after.forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d != 0) {
        delta.put(k, d);
      }
    });
    return delta;
  }

  private static Map<String, Long> counts(FileSystem fs) {
    Map<String, Long> out = new HashMap<>();
    IOStatisticsSupport.retrieveIOStatistics(fs).counters().forEach((name, value) -> {
      if ((name.startsWith("action_http_") || name.startsWith("object_list_request"))
          && !name.endsWith(".failures")) {
        out.put(name, value);
      }
    });
    return out;
  }

  @Test
  void everyJobHasItsOwnIndex() throws IOException {
    Configuration conf = new Configuration();
    String root = tmp.resolve("runs").toString();
    RunIndex index = RunIndex.of(conf, root);
    IntStream.range(0, 3)
        .forEach(i -> index.add(RunEntry.of(RunStubs.commit(
            conf, root, i == 0 ? "x" : "y", "r" + i, START, "gbt", 0.9, "/data/x.parquet"))));
    assertEquals(List.of("x", "y"), index.jobs());
    assertEquals(List.of("r0"), ids(index.entries("x")));
    assertEquals(List.of("r1", "r2"), ids(index.entries("y")));
    // Indexing a run again (a retried train of a committed run) rewrites nothing.
    List<String> before = snapshots(tmp.resolve("runs/_index/y"));
    index.add(RunEntry.of(RunDirectory.at(conf, root + "/y/r1")));
    assertEquals(before, snapshots(tmp.resolve("runs/_index/y")));
    assertEquals(List.of("r1", "r2"), ids(index.entries("y")));
    assertEquals(List.of(), index.entries("none"));
  }
}
