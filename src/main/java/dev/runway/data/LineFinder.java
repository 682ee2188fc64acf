package dev.runway.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Finds on which line of a file a malformed record sits, so an error can say "file:line". Spark
 * keeps no line numbers, so the file is streamed on the driver: this only runs when a job is
 * about to fail anyway, and reads no further than the line.
 */
final class LineFinder {
  private LineFinder() {}

  /** " line N" for the first line that starts the record, or "" if it cannot be told. */
  static String lineOf(Configuration conf, String file, String record) {
    if (file == null || record == null || file.isEmpty()) {
      return "";
    }
    String first = record.lines().findFirst().orElse(record);
    Path path = new Path(file);
    try {
      InputStream raw = path.getFileSystem(conf).open(path);
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          codec == null ? raw : codec.createInputStream(raw), StandardCharsets.UTF_8))) {
        long n = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          n++;
          if (line.equals(first)) {
            return " line " + n;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // The line number is a courtesy: the error still names the file and the record.
    }
    return "";
  }
}
