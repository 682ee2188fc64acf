package dev.runway.data;

import dev.runway.artifacts.FileListing;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files behind a source path, for lineage: each with size, modification time and, where the
 * store has one (S3), its ETag, so a later reader can tell whether the input changed.
 */
public final class InputFiles {
  /** Lineage lists at most this many files by name; totals always cover all of them. */
  static final int MAX_LISTED = 10_000;

  private InputFiles() {}

  /** A summary map: file_count, total_bytes, files (up to {@value #MAX_LISTED}), truncated. */
  public static Map<String, Object> describe(Configuration conf, String location)
      throws IOException {
    Path pattern = new Path(location);
    FileSystem fs = pattern.getFileSystem(conf);
    FileStatus[] matches = fs.globStatus(pattern);
    List<Map<String, Object>> files = new ArrayList<>();
    long count = 0;
    long bytes = 0;
    if (matches != null) {
      for (FileStatus match : matches) {
        List<FileStatus> found;
        try {
          found = FileListing.files(fs, match.getPath());
        } catch (FileNotFoundException e) {
          continue;
        }
        for (FileStatus status : found) {
          if (hidden(status.getPath())) {
            continue;
          }
          count++;
          bytes += status.getLen();
          if (files.size() < MAX_LISTED) {
            files.add(entry(status));
          }
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("location", location);
    out.put("file_count", count);
    out.put("total_bytes", bytes);
    out.put("truncated", count > files.size());
    out.put("files", files);
    return out;
  }

  /** Spark skips these when reading a directory; lineage does too. */
  public static boolean hidden(Path path) {
    String name = path.getName();
    return name.startsWith("_") || name.startsWith(".");
  }

  private static Map<String, Object> entry(FileStatus status) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("path", status.getPath().toString());
    e.put("size", status.getLen());
    e.put("modified", Instant.ofEpochMilli(status.getModificationTime()).toString());
    if (status instanceof EtagSource etag && etag.getEtag() != null) {
      e.put("etag", etag.getEtag());
    }
    return e;
  }
}
