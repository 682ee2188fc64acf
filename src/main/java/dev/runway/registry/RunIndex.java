package dev.runway.registry;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.error.StorageException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index of the committed runs under an output root: per job, a few small JSON snapshots
 * under {@code <root>/_index/<job>/}, each holding one {@link RunEntry} per run, so that listing
 * 10,000 runs reads one file rather than 10,000 directories. A cache: the manifests are the truth,
 * and {@link #reindex} rebuilds a job's index from them.
 *
 * <p>Like the aliases, nothing here is overwritten or renamed (S3A has no conditional write and
 * no atomic rename). A snapshot is written once, under a name no other writer uses, and names the
 * snapshots it merged as its parents. Adding a run lists the job's snapshots, reads them, writes
 * a new one holding every entry of the ones that are no other listed snapshot's parent (the heads)
 * plus the new run, with all the listed ones as parents, then deletes those. Two runs committing at
 * once each write a snapshot of their own from the same parents: both are heads, and readers take
 * the union of the heads, so neither entry is lost. A snapshot is deleted only by a writer whose
 * own snapshot, already written, holds all its entries. Listing costs one LIST and one GET per
 * head (one, unless writers raced or one crashed between writing and deleting).
 *
 * <p>A snapshot that does not parse is taken for one being written (a local file is visible while
 * it is written; an S3 object only once complete): it is neither read nor deleted, except by
 * {@link #reindex}, which replaces everything.
 */
public final class RunIndex {
  private static final Logger LOG = LoggerFactory.getLogger(RunIndex.class);

  /** The directory of the index inside an output root, beside the job directories. */
  public static final String DIRECTORY = "_index";

  static final String FORMAT = "runway-index/1";
  private static final int ATTEMPTS = 10;

  private final FileSystem fs;
  private final Path root;

  /**
   * One snapshot of a job's index.
   *
   * @param format {@value #FORMAT}
   * @param job the job
   * @param parents the snapshots (file names) this one replaces
   * @param entries one per run
   */
  @JsonPropertyOrder({"format", "job", "parents", "entries"})
  record Snapshot(String format, String job, List<String> parents, List<RunEntry> entries) {}

  private RunIndex(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  /** The index of the runs under {@code root} (a path or URI). */
  public static RunIndex of(Configuration conf, String root) {
    Path path = new Path(root);
    try {
      FileSystem fs = path.getFileSystem(conf);
      return new RunIndex(fs, fs.makeQualified(path));
    } catch (IOException e) {
      throw new StorageException("Cannot open the output root " + root + ": " + e.getMessage(), e);
    }
  }

  /** The root, fully qualified. */
  public String root() {
    return root.toString();
  }

  /**
   * Adds (or, for a run id already there, replaces) the entry of a run just committed; the same
   * entry again writes nothing.
   */
  public void add(RunEntry entry) {
    for (int attempt = 1; ; attempt++) {
      try {
        Listed listed = list(entry.job());
        Map<String, RunEntry> merged = byRun(listed.entries());
        if (entry.equals(merged.get(entry.runId()))) {
          return; // a retry of a committed run: nothing to rewrite
        }
        merged.put(entry.runId(), entry);
        write(entry.job(), listed.names(), merged.values());
        return;
      } catch (FileNotFoundException e) {
        retryOrFail(attempt, "add run " + entry.runId() + " to the index", e);
      } catch (IOException e) {
        throw storage("add run " + entry.runId() + " to the index of job " + entry.job(), e);
      }
    }
  }

  /** Every indexed run of {@code job}, by run id. */
  public List<RunEntry> entries(String job) {
    for (int attempt = 1; ; attempt++) {
      try {
        return sorted(list(job).entries());
      } catch (FileNotFoundException e) {
        retryOrFail(attempt, "read the index of job " + job, e);
      } catch (IOException e) {
        throw storage("read the index of job " + job, e);
      }
    }
  }

  /** The jobs with an index, by name. */
  public List<String> jobs() {
    Path dir = new Path(root, DIRECTORY);
    try {
      if (!fs.exists(dir)) {
        return List.of();
      }
      List<String> jobs = new ArrayList<>();
      for (FileStatus s : fs.listStatus(dir)) {
        if (s.isDirectory()) {
          jobs.add(s.getPath().getName());
        }
      }
      jobs.sort(Comparator.naturalOrder());
      return jobs;
    } catch (IOException e) {
      throw storage("list the indexed jobs", e);
    }
  }

  /** The job directories under the root (the index's and the aliases' directories aside). */
  public List<String> jobDirectories() {
    try {
      List<String> jobs = new ArrayList<>();
      if (fs.exists(root)) {
        for (FileStatus s : fs.listStatus(root)) {
          String name = s.getPath().getName();
          if (s.isDirectory() && !name.startsWith("_") && !name.startsWith(".")) {
            jobs.add(name);
          }
        }
      }
      jobs.sort(Comparator.naturalOrder());
      return jobs;
    } catch (IOException e) {
      throw storage("list the job directories", e);
    }
  }

  /**
   * Rebuilds the index of {@code job} from the manifests of its committed runs, replacing every
   * snapshot there was; returns the entries.
   */
  public List<RunEntry> reindex(String job) {
    Path jobDir = new Path(root, job);
    try {
      List<String> replaced = new ArrayList<>();
      Path dir = new Path(new Path(root, DIRECTORY), job);
      if (fs.exists(dir)) {
        for (FileStatus s : fs.listStatus(dir)) {
          replaced.add(s.getPath().getName());
        }
      }
      List<RunEntry> entries = new ArrayList<>();
      if (fs.exists(jobDir)) {
        for (FileStatus s : fs.listStatus(jobDir)) {
          String name = s.getPath().getName();
          if (!s.isDirectory() || name.startsWith("_") || name.startsWith(".")) {
            continue;
          }
          RunDirectory run = RunDirectory.at(fs.getConf(), s.getPath().toString());
          if (run.committed()) {
            entries.add(RunEntry.of(run));
          }
        }
      }
      write(job, replaced, entries);
      return sorted(entries);
    } catch (IOException e) {
      throw storage("rebuild the index of job " + job + " from " + jobDir, e);
    }
  }

  /** What a listing of a job's snapshots found: every snapshot's name, and the heads' entries. */
  private record Listed(List<String> names, List<RunEntry> entries) {}

  private Listed list(String job) throws IOException {
    Path dir = new Path(new Path(root, DIRECTORY), job);
    FileStatus[] listed;
    try {
      listed = fs.listStatus(dir);
    } catch (FileNotFoundException e) { // no run of the job indexed yet
      return new Listed(List.of(), List.of());
    }
    Map<String, Snapshot> read = new LinkedHashMap<>();
    for (FileStatus s : listed) {
      String name = s.getPath().getName();
      if (!name.endsWith(".json") || name.startsWith(".")) {
        continue;
      }
      String text;
      // With the listed status and a whole-file read: on S3 one GET, no HEAD before it.
      try (InputStream in = fs.openFile(s.getPath())
          .withFileStatus(s)
          .opt("fs.option.openfile.read.policy", "whole-file")
          .build()
          .get()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted reading " + s.getPath(), e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      }
      try {
        read.put(name, Json.read(text, Snapshot.class));
      } catch (RuntimeException e) {
        LOG.debug("Skipping index snapshot {} (being written?): {}", s.getPath(), e.getMessage());
      }
    }
    Set<String> parents = new HashSet<>();
    read.values().forEach(s -> parents.addAll(s.parents()));
    List<RunEntry> entries = new ArrayList<>();
    read.forEach((name, s) -> {
      if (!parents.contains(name)) {
        entries.addAll(s.entries());
      }
    });
    return new Listed(List.copyOf(read.keySet()), List.copyOf(byRun(entries).values()));
  }

  private void write(String job, List<String> parents, Iterable<RunEntry> entries)
      throws IOException {
    Path dir = new Path(new Path(root, DIRECTORY), job);
    String name =
        String.format(Locale.ROOT, "%013d-%s.json", System.currentTimeMillis(), UUID.randomUUID());
    List<RunEntry> list = new ArrayList<>();
    entries.forEach(list::add);
    Snapshot snapshot = new Snapshot(FORMAT, job, parents, sorted(list));
    try (OutputStream out = fs.create(new Path(dir, name), false)) {
      out.write(Json.line(snapshot).getBytes(StandardCharsets.UTF_8));
    }
    for (String parent : parents) {
      try {
        fs.delete(new Path(dir, parent), false);
      } catch (IOException e) { // left behind, it is a parent: readers skip it, the next writer
        LOG.warn("Could not delete replaced index snapshot {}: {}", parent, e.getMessage());
      }
    }
  }

  /** One entry per run id: of two, the later committed. */
  private static Map<String, RunEntry> byRun(List<RunEntry> entries) {
    Map<String, RunEntry> out = new LinkedHashMap<>();
    for (RunEntry e : entries) {
      out.merge(e.runId(), e, (a, b) -> later(a, b));
    }
    return out;
  }

  private static RunEntry later(RunEntry a, RunEntry b) {
    String x = a.committedAt() == null ? "" : a.committedAt();
    String y = b.committedAt() == null ? "" : b.committedAt();
    return y.compareTo(x) >= 0 ? b : a;
  }

  private static List<RunEntry> sorted(List<RunEntry> entries) {
    return entries.stream().sorted(Comparator.comparing(RunEntry::runId)).toList();
  }

  private static void retryOrFail(int attempt, String what, FileNotFoundException e) {
    // A snapshot listed was deleted before it was read: another writer replaced it. List again.
    if (attempt >= ATTEMPTS) {
      throw new StorageException(
          "Cannot " + what + ": its snapshots kept changing (" + e.getMessage() + ")", e);
    }
    try {
      Thread.sleep(10L * attempt);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new StorageException("Interrupted while trying to " + what, interrupted);
    }
  }

  private StorageException storage(String what, IOException e) {
    return new StorageException("Cannot " + what + " under " + root + ": " + e.getMessage(), e);
  }
}
