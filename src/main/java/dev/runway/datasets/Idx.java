package dev.runway.datasets;

import dev.runway.error.DataException;
import dev.runway.error.StorageException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX format of MNIST-style data sets: a big-endian magic number, one 32-bit size
 * per dimension, then unsigned bytes. Gzipped input is recognised by its content and unpacked on
 * the fly, so {@code .gz} and plain files read alike.
 *
 * <p>Every problem with the content (bad magic number, impossible sizes, truncated or trailing
 * data, broken gzip) is a {@link DataException} whose one-line message names the source.
 */
public final class Idx {
  /** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private static final int GZIP_ID1 = 0x1f;
  private static final int GZIP_ID2 = 0x8b;
  // Larger than a Java array can be, so a corrupt header cannot promise more than we could hold.
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private Idx() {}

  /**
   * Images read from an IDX file.
   *
   * @param count number of images
   * @param rows pixel rows per image
   * @param cols pixel columns per image
   * @param pixels {@code count * rows * cols} unsigned bytes: image after image, each row-major
   */
  public record Images(int count, int rows, int cols, byte[] pixels) {
    /** Number of pixels in one image. */
    public int pixelsPerImage() {
      return rows * cols;
    }
  }

  /**
   * Reads an IDX images file ({@link #IMAGES_MAGIC}).
   *
   * @throws DataException if the file is missing or its content is not a complete IDX images file
   * @throws StorageException if the file cannot be read for another reason
   */
  public static Images readImages(Path file) {
    try (InputStream in = open(file)) {
      return readImages(in, file.toString());
    } catch (IOException e) {
      throw cannotRead(file.toString(), e);
    }
  }

  /**
   * Reads an IDX labels file ({@link #LABELS_MAGIC}).
   *
   * @throws DataException if the file is missing or its content is not a complete IDX labels file
   * @throws StorageException if the file cannot be read for another reason
   */
  public static byte[] readLabels(Path file) {
    try (InputStream in = open(file)) {
      return readLabels(in, file.toString());
    } catch (IOException e) {
      throw cannotRead(file.toString(), e);
    }
  }

  /**
   * Reads IDX images from a stream, which the caller closes.
   *
   * @param source name of the stream's origin (path or URL), used in error messages
   * @throws DataException if the content is not a complete IDX images file
   * @throws StorageException if reading the stream fails for another reason
   */
  public static Images readImages(InputStream in, String source) {
    try {
      DataInputStream data = unpacked(in);
      checkMagic(data, IMAGES_MAGIC, "IDX images", source);
      int count = readDimension(data, "image count", source);
      int rows = readDimension(data, "row count", source);
      int cols = readDimension(data, "column count", source);
      long size = (long) count * rows * cols;
      if (size > MAX_BYTES) {
        throw new DataException(String.format(
            "Cannot read %s: %d images of %dx%d pixels are more than one array can hold",
            source, count, rows, cols));
      }
      byte[] pixels = readBody(data, (int) size, "pixel", source);
      return new Images(count, rows, cols, pixels);
    } catch (IOException e) {
      throw cannotRead(source, e);
    }
  }

  /**
   * Reads IDX labels from a stream, which the caller closes.
   *
   * @param source name of the stream's origin (path or URL), used in error messages
   * @throws DataException if the content is not a complete IDX labels file
   * @throws StorageException if reading the stream fails for another reason
   */
  public static byte[] readLabels(InputStream in, String source) {
    try {
      DataInputStream data = unpacked(in);
      checkMagic(data, LABELS_MAGIC, "IDX labels", source);
      int count = readDimension(data, "label count", source);
      return readBody(data, count, "label", source);
    } catch (IOException e) {
      throw cannotRead(source, e);
    }
  }

  private static InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new DataException("Cannot read " + file + ": file not found", e);
    } catch (IOException e) {
      throw new StorageException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static DataInputStream unpacked(InputStream in) throws IOException {
    PushbackInputStream peek = new PushbackInputStream(new BufferedInputStream(in, 1 << 16), 2);
    int first = peek.read();
    int second = peek.read();
    if (second >= 0) {
      peek.unread(second);
    }
    if (first >= 0) {
      peek.unread(first);
    }
    boolean gzipped = first == GZIP_ID1 && second == GZIP_ID2;
    return new DataInputStream(gzipped ? new GZIPInputStream(peek, 1 << 16) : peek);
  }

  private static void checkMagic(DataInputStream data, int expected, String kind, String source)
      throws IOException {
    int magic = readHeaderInt(data, source);
    if (magic != expected) {
      throw new DataException(String.format(
          "Cannot read %s: bad magic number 0x%08x, expected 0x%08x (%s)",
          source, magic, expected, kind));
    }
  }

  private static int readDimension(DataInputStream data, String what, String source)
      throws IOException {
    int value = readHeaderInt(data, source);
    if (value < 0) {
      throw new DataException(String.format(
          "Cannot read %s: %s is %d, more than an IDX reader supports",
          source, what, Integer.toUnsignedLong(value)));
    }
    return value;
  }

  private static int readHeaderInt(DataInputStream data, String source) throws IOException {
    try {
      return data.readInt();
    } catch (EOFException e) {
      throw new DataException("Cannot read " + source + ": file ends inside the IDX header", e);
    }
  }

  private static byte[] readBody(DataInputStream data, int size, String what, String source)
      throws IOException {
    // readNBytes grows its buffer as data arrives, so a corrupt header promising gigabytes
    // fails on the short read instead of allocating them up front.
    byte[] body = data.readNBytes(size);
    if (body.length < size) {
      throw new DataException(String.format(
          "Cannot read %s: truncated, the header promises %d %s bytes but only %d follow",
          source, size, what, body.length));
    }
    if (data.read() >= 0) {
      throw new DataException(String.format(
          "Cannot read %s: unexpected data after the %d %s bytes the header promises",
          source, size, what));
    }
    return body;
  }

  private static RuntimeException cannotRead(String source, IOException e) {
    // The JDK reports broken gzip streams as ZipException or EOFException: that is bad content,
    // anything else is the storage failing.
    if (e instanceof ZipException || e instanceof EOFException) {
      return new DataException(
          "Cannot read " + source + ": not a valid gzip stream (" + e.getMessage() + ")", e);
    }
    return new StorageException("Cannot read " + source + ": " + e.getMessage(), e);
  }
}
