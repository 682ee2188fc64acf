package dev.runway.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runway.error.DataException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir
  Path dir;

  @Test
  void readsPlainAndGzippedFilesAlike() throws IOException {
    byte[] pixels = {0, 1, 2, 3, 4, 5, (byte) 250, (byte) 251, (byte) 252, (byte) 253, 0, (byte) 255
    };
    byte[] plain = idx(Idx.IMAGES_MAGIC, new int[] {2, 2, 3}, pixels);

    for (byte[] content : new byte[][] {plain, gzip(plain)}) {
      Idx.Images images = Idx.readImages(new ByteArrayInputStream(content), "images");
      assertEquals(2, images.count());
      assertEquals(2, images.rows());
      assertEquals(3, images.cols());
      assertEquals(6, images.pixelsPerImage());
      assertArrayEquals(pixels, images.pixels());
    }
    byte[] labels = {9, 0, 3};
    Path file = dir.resolve("labels.gz");
    Files.write(file, gzip(idx(Idx.LABELS_MAGIC, new int[] {3}, labels)));
    assertArrayEquals(labels, Idx.readLabels(file));
  }

  @Test
  void truncatedFileNamesTheFileAndTheShortfall() throws IOException {
    Path file = dir.resolve("train-images-idx3-ubyte");
    Files.write(file, idx(Idx.IMAGES_MAGIC, new int[] {3, 28, 28}, new byte[100]));

    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));

    assertEquals(
        "Cannot read "
            + file
            + ": truncated, the header promises 2352 pixel bytes but only 100 follow",
        e.getMessage());
  }

  @Test
  void truncatedGzipNamesTheFile() throws IOException {
    Path file = dir.resolve("train-images-idx3-ubyte.gz");
    try (InputStream in = Files.newInputStream(FASHION_MNIST.resolve(file.getFileName()))) {
      Files.write(file, in.readNBytes(10_000));
    }

    DataException e = assertThrows(DataException.class, () -> Idx.readImages(file));

    assertEquals(
        "Cannot read " + file + ": not a valid gzip stream (Unexpected end of ZLIB input stream)",
        e.getMessage());
  }

  @Test
  void labelsAreNotImages() {
    Path labels = FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz");

    DataException e = assertThrows(DataException.class, () -> Idx.readImages(labels));

    assertEquals(
        "Cannot read " + labels + ": bad magic number 0x00000801, expected 0x00000803 (IDX images)",
        e.getMessage());
  }

  @Test
  void rejectsShortHeaderTrailingDataAndMissingFile() {
    DataException header = assertThrows(
        DataException.class,
        () -> Idx.readLabels(new ByteArrayInputStream(new byte[] {0, 0, 8, 1, 0}), "x"));
    assertEquals("Cannot read x: file ends inside the IDX header", header.getMessage());

    byte[] trailing = Arrays.copyOf(idx(Idx.LABELS_MAGIC, new int[] {1}, new byte[] {7}), 10);
    DataException extra = assertThrows(
        DataException.class, () -> Idx.readLabels(new ByteArrayInputStream(trailing), "y"));
    assertEquals(
        "Cannot read y: unexpected data after the 1 label bytes the header promises",
        extra.getMessage());

    Path missing = dir.resolve("missing.gz");
    DataException absent = assertThrows(DataException.class, () -> Idx.readLabels(missing));
    assertEquals("Cannot read " + missing + ": file not found", absent.getMessage());
  }

  private static byte[] idx(int magic, int[] dimensions, byte[] body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int dimension : dimensions) {
        out.writeInt(dimension);
      }
      out.write(body);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }
}
