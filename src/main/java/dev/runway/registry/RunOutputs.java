package dev.runway.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
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
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What was made from a run after it was trained: its evaluations, comparisons, promotions and
 * drift reports. Those outputs live wherever their commands were told to write them, so each one
 * leaves a small pointer beside the run's index, under {@code
 * <root>/_outputs/<job>/<run-id>/<command>-<hash of the output URI>.json}: the run's report and
 * {@code runs show} find them with one LIST. A pointer is written after its output commits, and
 * the output's own manifest stays the truth: a pointer whose output was deleted since is skipped.
 *
 * <p>The run directory itself is never written to after its commit (its manifest lists its
 * files), which is why the pointers live outside it.
 */
public final class RunOutputs {
  private static final Logger LOG = LoggerFactory.getLogger(RunOutputs.class);

  /** The pointers' directory inside an output root, beside the job directories. */
  public static final String DIRECTORY = "_outputs";

  private final FileSystem fs;
  private final Path dir;

  /**
   * A committed output of a run.
   *
   * @param command the command that made it: evaluate, compare, promote or drift
   * @param uri the output directory
   * @param file its main file, relative to {@code uri} (metrics.json, verdict.json, drift.json)
   * @param recordedAt when the pointer was written, just after the output committed
   */
  @JsonPropertyOrder({"command", "uri", "file", "recorded_at"})
  public record Output(
      String command,
      String uri,
      String file,
      @JsonProperty("recorded_at") String recordedAt) {}

  /**
   * An output with its main file as it is now.
   *
   * @param content the main file, parsed
   */
  public record Read(Output output, Map<String, Object> content) {}

  private RunOutputs(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /** The outputs of the committed run at {@code runUri} ({@code <root>/<job>/<run-id>}). */
  public static RunOutputs of(Configuration conf, String runUri) {
    RunDirectory run = RunDirectory.at(conf, runUri);
    Path dir = new Path(run.uri());
    Path pointers = new Path(
        new Path(new Path(run.outputRoot(), DIRECTORY), dir.getParent().getName()), dir.getName());
    try {
      return new RunOutputs(pointers.getFileSystem(conf), pointers);
    } catch (IOException e) {
      throw new StorageException("Cannot open the run " + runUri + ": " + e.getMessage(), e);
    }
  }

  /**
   * Records that {@code command} committed {@code outputUri} from this run. The same output again
   * (a scheduler's retry) writes nothing; an output replaced with --overwrite rewrites its pointer.
   */
  public void add(String command, String outputUri, String file, boolean replaced) {
    Path pointer = new Path(dir, command + "-" + hash(outputUri) + ".json");
    try {
      if (!replaced && fs.exists(pointer)) {
        return;
      }
      Output o = new Output(command, outputUri, file, Instant.now().toString());
      try (OutputStream out = fs.create(pointer, true)) {
        out.write(Json.line(o).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new StorageException(
          "Cannot record output " + outputUri + " under " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@link #add}, but a failure only warns: the output is committed either way, and losing its
   * pointer loses a report section, not data.
   */
  public static void addQuietly(
      Configuration conf,
      String runUri,
      String command,
      String outputUri,
      String file,
      boolean replaced) {
    try {
      of(conf, runUri).add(command, outputUri, file, replaced);
    } catch (StorageException e) {
      LOG.warn(
          "warning: {} output {} is committed, but the run's report will not list it: {}",
          command,
          outputUri,
          e.getMessage());
    }
  }

  /** The outputs recorded for the run, oldest first; none when there are none. */
  public List<Output> list() {
    List<Output> out = new ArrayList<>();
    try {
      FileStatus[] listed;
      try {
        listed = fs.listStatus(dir);
      } catch (FileNotFoundException e) {
        return List.of();
      }
      for (FileStatus s : listed) {
        if (s.isFile() && s.getPath().getName().endsWith(".json")) {
          try (InputStream in = fs.open(s.getPath())) {
            out.add(Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), Output.class));
          } catch (FileNotFoundException e) {
            // removed between the listing and the read: nothing to show
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException("Cannot list the outputs under " + dir + ": " + e.getMessage(), e);
    }
    // By instant, not by text: Instant.toString drops trailing zeros of the fraction, so
    // "...:34.15Z" sorts before "...:34.1Z" as text.
    out.sort(Comparator.comparing(o -> Instant.parse(o.recordedAt())));
    return out;
  }

  /**
   * The recorded outputs that are still committed, each with its main file; an output deleted (or
   * being rewritten) since its pointer was written is left out.
   */
  public List<Read> read(Configuration conf) {
    List<Read> out = new ArrayList<>();
    for (Output o : list()) {
      RunDirectory output = RunDirectory.at(conf, o.uri());
      if (output.committed()) {
        Optional<byte[]> bytes = output.readBytes(o.file());
        bytes.ifPresent(b ->
            out.add(new Read(o, Json.parse(new String(b, StandardCharsets.UTF_8)))));
      }
    }
    return out;
  }

  private static String hash(String uri) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(uri.replaceAll("/+$", "").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
