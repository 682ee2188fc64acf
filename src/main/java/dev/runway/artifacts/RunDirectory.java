package dev.runway.artifacts;

import dev.runway.error.StorageErrors;
import dev.runway.error.StorageException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One run's directory, {@code <root>/<job>/<run id>/}, on any Hadoop file system.
 *
 * <p>The commit protocol never renames (object stores cannot rename atomically): every file is
 * written in place, then {@value #MANIFEST} is written last, listing each file with its size and
 * SHA-256. A directory without a manifest is an incomplete run and nothing treats it as a result;
 * removing a run removes the manifest first, so a run is never half-visible.
 */
public final class RunDirectory {
  public static final String MANIFEST = "manifest.json";
  /** The claim of the process writing the run (see {@link RunLock}); never part of a result. */
  public static final String LOCK = "_writer.lock";

  public static final String FORMAT = "runway-run/1";

  private final FileSystem fs;
  private final Path dir;
  /** The job's directory when it did not exist before this run: {@link #deleteIfEmpty()} may remove it. */
  private final Path newJobDir;

  private RunDirectory(FileSystem fs, Path dir, Path newJobDir) {
    this.fs = fs;
    this.dir = dir;
    this.newJobDir = newJobDir;
  }

  /**
   * The directory of run {@code runId} of job {@code job} under {@code root}. Whether the job's
   * directory exists yet is noted now, so that a failed first run of a new job can leave nothing.
   */
  public static RunDirectory of(Configuration conf, String root, String job, String runId) {
    Path jobDir = new Path(root, job);
    RunDirectory run = at(conf, new Path(jobDir, runId).toString());
    try {
      return run.fs.exists(jobDir)
          ? run
          : new RunDirectory(run.fs, run.dir, run.fs.makeQualified(jobDir));
    } catch (IOException e) {
      throw storage("check", jobDir, e);
    }
  }

  /** The run directory at {@code location} (a path or URI). */
  public static RunDirectory at(Configuration conf, String location) {
    Path path = new Path(location);
    try {
      FileSystem fs = path.getFileSystem(conf);
      return new RunDirectory(fs, fs.makeQualified(path), null);
    } catch (IOException e) {
      throw storage("open", path, e);
    }
  }

  /**
   * The output root of a run laid out as {@link #of} lays it out, {@code <root>/<job>/<run-id>}:
   * where the index, the aliases and the outputs' pointers live beside the job directories.
   */
  public String outputRoot() {
    Path jobDir = dir.getParent();
    if (jobDir == null || jobDir.getParent() == null) {
      throw new StorageException("Not a run directory (<root>/<job>/<run-id>): " + dir);
    }
    return jobDir.getParent().toString();
  }

  /** Fully qualified URI of the directory, e.g. file:/home/me/runs/job/2026.../ or s3a://... */
  public String uri() {
    return dir.toString();
  }

  /**
   * The committed run at {@code location}; a missing or uncommitted one is a storage error (exit
   * 5) saying so, for the commands that only read a run.
   */
  public static RunDirectory committedAt(Configuration conf, String location) {
    RunDirectory run = at(conf, location);
    if (!run.committed()) {
      throw new StorageException("No committed run at " + run.uri() + " (no " + MANIFEST
          + "): the run is missing or incomplete");
    }
    return run;
  }

  /** A JSON file of the run as a map, or empty if the run has no such file. */
  public Map<String, Object> jsonIfPresent(String relative) {
    return readBytes(relative)
        .map(b -> Json.parse(new String(b, StandardCharsets.UTF_8)))
        .orElse(Map.of());
  }

  /** URI of a file or sub-directory inside the run, for writers such as Spark ML's save. */
  public String resolve(String relative) {
    return new Path(dir, relative).toString();
  }

  public boolean exists() {
    try {
      return fs.exists(dir);
    } catch (IOException e) {
      throw storage("check", dir, e);
    }
  }

  /** True when the manifest exists: the run finished and is a result. */
  public boolean committed() {
    try {
      return fs.exists(new Path(dir, MANIFEST));
    } catch (IOException e) {
      throw storage("check", new Path(dir, MANIFEST), e);
    }
  }

  /** Removes the run, manifest first so that readers never see a partly deleted committed run. */
  public void delete() {
    try {
      fs.delete(new Path(dir, MANIFEST), false);
      fs.delete(dir, true);
    } catch (IOException e) {
      throw storage("delete", dir, e);
    }
  }

  /** Writes a small text file; fails if it exists already. */
  public void writeText(String relative, String content) {
    Path path = new Path(dir, relative);
    try (OutputStream out = fs.create(path, false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw storage("write", path, e);
    }
  }

  /** Writes a file, replacing it if it exists (for checkpoints, which are rewritten each epoch). */
  public void writeBytes(String relative, byte[] content) {
    Path path = new Path(dir, relative);
    try (OutputStream out = fs.create(path, true)) {
      out.write(content);
    } catch (IOException e) {
      throw storage("write", path, e);
    }
  }

  /** The content of a file, or empty if it does not exist. */
  public Optional<byte[]> readBytes(String relative) {
    Path path = new Path(dir, relative);
    try (InputStream in = fs.open(path)) {
      return Optional.of(in.readAllBytes());
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw storage("read", path, e);
    }
  }

  /** True if {@code relative} exists inside the run. */
  public boolean has(String relative) {
    try {
      return fs.exists(new Path(dir, relative));
    } catch (IOException e) {
      throw storage("check", new Path(dir, relative), e);
    }
  }

  /** Removes one file or sub-directory of the run. */
  public void delete(String relative) {
    try {
      fs.delete(new Path(dir, relative), true);
    } catch (IOException e) {
      throw storage("delete", new Path(dir, relative), e);
    }
  }

  /** A file's content and when it was last written. */
  record Stamped(Map<String, Object> content, Instant modified) {}

  /** The current claim on the run, if any (an unreadable one counts as a claim of nobody). */
  Optional<Stamped> readLock() {
    Path path = new Path(dir, LOCK);
    try {
      FileStatus status = fs.getFileStatus(path);
      Map<String, Object> content;
      try {
        content = Json.parse(readText(LOCK));
      } catch (IllegalArgumentException e) {
        content = Map.of();
      }
      return Optional.of(new Stamped(content, Instant.ofEpochMilli(status.getModificationTime())));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw storage("check", path, e);
    }
  }

  /** Creates the claim file; false if it exists already. */
  boolean createLock(String content) {
    Path path = new Path(dir, LOCK);
    try (OutputStream out = fs.create(path, false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw storage("write", path, e);
    }
  }

  /** Rewrites the claim file, which refreshes its modification time. */
  void rewriteLock(String content) {
    writeBytes(LOCK, content.getBytes(StandardCharsets.UTF_8));
  }

  void deleteLock() {
    delete(LOCK);
  }

  /**
   * Removes the directory if nothing is left in it, and then the job's directory too if this run
   * was the first of its job and nothing else is in it. Not recursive, so it cannot remove what a
   * process that claimed the run (or started another run of the job) in the meantime has written.
   */
  public void deleteIfEmpty() {
    deleteIfEmpty(dir);
    if (newJobDir != null) {
      deleteIfEmpty(newJobDir);
    }
  }

  private void deleteIfEmpty(Path path) {
    try {
      if (fs.exists(path) && fs.listStatus(path).length == 0) {
        fs.delete(path, false);
      }
    } catch (IOException e) {
      // Best effort: an empty directory without a manifest is an incomplete run anyway.
    }
  }

  /** Removes everything in the run except the sub-directory {@code keep} and the writer's claim. */
  public void deleteAllBut(String keep) {
    try {
      for (FileStatus status : fs.listStatus(dir)) {
        String name = status.getPath().getName();
        if (!name.equals(keep) && !name.equals(LOCK)) {
          fs.delete(status.getPath(), true);
        }
      }
    } catch (FileNotFoundException e) {
      // nothing to keep or remove
    } catch (IOException e) {
      throw storage("clean", dir, e);
    }
  }

  public String readText(String relative) {
    Path path = new Path(dir, relative);
    try (InputStream in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw storage("read", path, e);
    }
  }

  /**
   * Commits the run: hashes every file as stored (reading it back, so the manifest describes what
   * storage really holds) and writes the manifest last.
   *
   * @param header facts recorded at the top of the manifest (job, run id, model format...)
   * @return the manifest as written
   */
  public Map<String, Object> commit(Map<String, Object> header) {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format", FORMAT);
    manifest.putAll(header);
    manifest.put("committed_at", Instant.now().toString());
    List<Map<String, Object>> files = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, Long> file : listFiles().entrySet()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("path", file.getKey());
      entry.put("size", file.getValue());
      entry.put("sha256", sha256(new Path(dir, file.getKey())));
      files.add(entry);
      total += file.getValue();
    }
    manifest.put("file_count", files.size());
    manifest.put("total_bytes", total);
    manifest.put("files", files);
    writeText(MANIFEST, Json.pretty(manifest));
    return manifest;
  }

  /** The manifest of a committed run. */
  public Map<String, Object> manifest() {
    return Json.parse(readText(MANIFEST));
  }

  /**
   * Checks a committed run against its manifest: every listed file present with its size and
   * SHA-256, and no file that the manifest does not list.
   *
   * @return the problems found, empty for a valid run
   */
  public List<String> verify() {
    List<String> problems = new ArrayList<>();
    if (!committed()) {
      problems.add("no " + MANIFEST + " in " + uri() + ": the run is incomplete");
      return problems;
    }
    Map<String, Object> manifest;
    try {
      manifest = manifest();
    } catch (IllegalArgumentException e) {
      problems.add(MANIFEST + " in " + uri() + " is " + e.getMessage());
      return problems;
    }
    Map<String, Long> present = listFiles();
    Object listed = manifest.get("files");
    if (!(listed instanceof List<?> entries)) {
      problems.add(MANIFEST + " in " + uri() + " lists no files");
      return problems;
    }
    for (Object o : entries) {
      Map<?, ?> entry = (Map<?, ?>) o;
      String path = String.valueOf(entry.get("path"));
      Long size = present.remove(path);
      if (size == null) {
        problems.add("missing file " + path);
      } else if (size != ((Number) entry.get("size")).longValue()) {
        problems.add("size of " + path + " is " + size + ", manifest says " + entry.get("size"));
      } else if (!sha256(new Path(dir, path)).equals(entry.get("sha256"))) {
        problems.add("SHA-256 of " + path + " does not match the manifest");
      }
    }
    present.keySet().forEach(p -> problems.add("file not in the manifest: " + p));
    return problems;
  }

  /** Every file below the directory except the manifest, relative path to size, sorted. */
  private Map<String, Long> listFiles() {
    Map<String, Long> files = new TreeMap<>();
    String prefix = dir.toUri().getPath();
    try {
      for (FileStatus status : FileListing.files(fs, dir)) {
        String relative = status.getPath().toUri().getPath().substring(prefix.length() + 1);
        if (!relative.equals(MANIFEST) && !relative.equals(LOCK)) {
          files.put(relative, status.getLen());
        }
      }
    } catch (FileNotFoundException e) {
      return files;
    } catch (IOException e) {
      throw storage("list", dir, e);
    }
    return files;
  }

  /** SHA-256 of one file of the directory, hex. */
  public String sha256(String relative) {
    return sha256(new Path(dir, relative));
  }

  private String sha256(Path path) {
    try (InputStream in = fs.open(path)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw storage("read", path, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static StorageException storage(String verb, Path path, IOException e) {
    return StorageErrors.classify(e, path.toString()).orElseGet(() -> {
      String reason = e.getMessage() == null
          ? e.getClass().getSimpleName()
          : e.getMessage().lines().findFirst().orElse("");
      return new StorageException("Cannot " + verb + " " + path + ": " + reason, e);
    });
  }
}
