package dev.runway.datasets;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.runway.TestData;
import dev.runway.TestSpark;
import dev.runway.error.DataException;
import dev.runway.error.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  private static final Path LOCAL = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static String output;
  private static long prepared;
  private static Dataset<Row> data;

  @BeforeAll
  static void prepareOnce() {
    spark = TestSpark.session();
    // The build's shared copy (prepared from the Debian package's files by whichever test needs
    // it first): converting 70,000 images again here cost 8 s. The download test below converts
    // from scratch and must match it.
    output = TestData.fashionMnistParquet();
    prepared = FashionMnist.prepare(spark, LOCAL, null, output, false);
    data = spark.read().parquet(output);
  }

  @Test
  void holdsTrainingThenTestImagesByIndex() {
    Row stats = data.agg(count("*"), min("index"), max("index"), countDistinct(col("index")))
        .first();

    assertEquals(70_000, prepared);
    assertEquals(70_000L, stats.getLong(0));
    assertEquals(0L, stats.getLong(1));
    assertEquals(69_999L, stats.getLong(2));
    assertEquals(70_000L, stats.getLong(3));
    assertEquals(60_000, data.where(col("index").lt(FashionMnist.TRAIN_ROWS)).count());
  }

  @Test
  void hasSevenThousandImagesPerClassWithTheirNames() {
    List<Row> classes =
        data.groupBy("label", "label_name").count().orderBy("label").collectAsList();

    assertEquals(10, classes.size());
    for (int label = 0; label < 10; label++) {
      Row row = classes.get(label);
      assertEquals(label, row.getInt(0));
      assertEquals(FashionMnist.LABEL_NAMES.get(label), row.getString(1));
      assertEquals(7_000L, row.getLong(2));
    }
  }

  @Test
  void imagesAreRawPixelVectors() {
    Row stats = data.select(vector_to_array(col("image"), "float64").as("pixels"))
        .selectExpr(
            "min(size(pixels))",
            "max(size(pixels))",
            "min(array_min(pixels))",
            "max(array_max(pixels))")
        .first();

    assertEquals(FashionMnist.PIXELS, stats.getInt(0));
    assertEquals(FashionMnist.PIXELS, stats.getInt(1));
    assertEquals(0.0, stats.getDouble(2));
    assertEquals(255.0, stats.getDouble(3));
  }

  @Test
  void firstTrainingAndTestImagesMatchTheFiles() {
    Row first = data.where("index = 0").first();
    assertEquals(9, first.getInt(first.fieldIndex("label")));
    assertEquals("Ankle boot", first.getString(first.fieldIndex("label_name")));
    assertArrayEquals(
        firstImage(LOCAL.resolve("train-images-idx3-ubyte.gz")),
        first.<Vector>getAs("image").toArray());

    Row firstTest = data.where("index = 60000").first();
    assertArrayEquals(
        firstImage(LOCAL.resolve("t10k-images-idx3-ubyte.gz")),
        firstTest.<Vector>getAs("image").toArray());
  }

  @Test
  void preparingACompleteOutputAgainChangesNothing() throws IOException {
    Map<Path, Long> before = modificationTimes(Path.of(output));

    long rows = FashionMnist.prepare(spark, LOCAL, null, output, false);

    assertEquals(70_000, rows);
    assertEquals(before, modificationTimes(Path.of(output)));
    // What prepare-fashion-mnist answers from before it would start a session: the footers' count.
    assertEquals(OptionalLong.of(70_000), FashionMnist.existing(new Configuration(), output));
    assertEquals(
        OptionalLong.empty(),
        FashionMnist.existing(new Configuration(), dir.resolve("none").toString()));
  }

  @Test
  void missingFilesWithoutDownloadUrlAreReported() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));

    DataException e = assertThrows(
        DataException.class,
        () -> FashionMnist.prepare(spark, empty, null, dir.resolve("none").toString(), false));

    assertEquals(
        "Cannot find Fashion-MNIST in "
            + empty
            + ": train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
            + " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz missing and no download URL"
            + " given",
        e.getMessage());
  }

  @Test
  void downloadsMissingFilesAndReplacesAnIncompleteOutput() throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    for (String file : FashionMnist.FILES) {
      files.put("/fmnist/" + file, Files.readAllBytes(LOCAL.resolve(file)));
    }
    Path incomplete = Files.createDirectories(dir.resolve("downloaded"));
    Files.writeString(incomplete.resolve("part-00000-left-over.parquet"), "not parquet");
    HttpServer server = serve(files);
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fmnist");

      long rows = FashionMnist.prepare(spark, null, base, incomplete.toString(), false);

      assertEquals(70_000, rows);
      assertFalse(Files.exists(incomplete.resolve("part-00000-left-over.parquet")));
      Dataset<Row> downloaded = spark.read().parquet(incomplete.toString());
      assertEquals(0, data.exceptAll(downloaded).count());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void downloadFailuresNameTheUrl() throws IOException {
    byte[] truncated;
    try (InputStream in = Files.newInputStream(LOCAL.resolve("train-images-idx3-ubyte.gz"))) {
      truncated = in.readNBytes(100_000);
    }
    HttpServer server = serve(Map.of("/fmnist/train-images-idx3-ubyte.gz", truncated));
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/fmnist";
      Path empty = Files.createDirectories(dir.resolve("nothing-here"));

      DataException corrupt = assertThrows(
          DataException.class,
          () -> FashionMnist.prepare(spark, empty, URI.create(base), output + "-x", false));
      assertEquals(
          "Cannot read "
              + base
              + "/train-images-idx3-ubyte.gz: not a valid gzip stream (Unexpected end of ZLIB"
              + " input stream)",
          corrupt.getMessage());

      StorageException missing = assertThrows(
          StorageException.class,
          () ->
              FashionMnist.prepare(spark, null, URI.create(base + "/gone/"), output + "-y", false));
      assertEquals(
          "Cannot download " + base + "/gone/train-images-idx3-ubyte.gz: HTTP 404",
          missing.getMessage());
    } finally {
      server.stop(0);
    }
  }

  /** An HTTP server on loopback that serves {@code files} by path and 404 for anything else. */
  private static HttpServer serve(Map<String, byte[]> files) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = files.get(exchange.getRequestURI().getPath());
      exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        if (body != null) {
          out.write(body);
        }
      }
    });
    server.start();
    return server;
  }

  private static double[] firstImage(Path file) {
    byte[] pixels = Idx.readImages(file).pixels();
    double[] image = new double[FashionMnist.PIXELS];
    for (int i = 0; i < image.length; i++) {
      image[i] = Byte.toUnsignedInt(pixels[i]);
    }
    return image;
  }

  private static Map<Path, Long> modificationTimes(Path root) throws IOException {
    Map<Path, Long> times = new HashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.toList()) {
        times.put(file, Files.getLastModifiedTime(file).toMillis());
      }
    }
    return times;
  }
}
