package dev.runway.artifacts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Every file below a path, recursively (the path itself when it is a file). Hadoop's
 * {@code listFiles} returns {@code LocatedFileStatus}es, whose constructor reads each file's
 * permissions: on the local file system without Hadoop's native library that starts a shell
 * command per file, about 25 ms each here (verifying a 35-file run took a second, and every
 * {@code score} does that). Local paths are walked with {@code listStatus} instead, which reads
 * only sizes and times; other file systems keep {@code listFiles} (one flat listing on S3).
 */
public final class FileListing {
  private FileListing() {}

  /** The files, in the file system's listing order; FileNotFoundException when the path does not exist. */
  public static List<FileStatus> files(FileSystem fs, Path path) throws IOException {
    List<FileStatus> out = new ArrayList<>();
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      walk(fs, path, out);
    } else {
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true);
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }

  private static void walk(FileSystem fs, Path path, List<FileStatus> out) throws IOException {
    for (FileStatus status : fs.listStatus(path)) {
      if (status.isDirectory()) {
        walk(fs, status.getPath(), out);
      } else {
        out.add(status);
      }
    }
  }
}
