package dev.runway.datasets;

import dev.runway.artifacts.FileListing;
import dev.runway.data.InputFiles;
import dev.runway.error.DataException;
import dev.runway.error.JobConfigException;
import dev.runway.error.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the Fashion-MNIST IDX files (Xiao et al. 2017) into one Parquet data set.
 *
 * <p>Columns ({@link #SCHEMA}): {@code index} BIGINT, where 0..59999 are the original training
 * images and 60000..69999 the original test images, both in file order; {@code label} INT 0..9;
 * {@code label_name} STRING from {@link #LABEL_NAMES}; {@code image} a Spark ML dense vector of
 * 784 raw pixel values 0..255, row-major.
 */
public final class FashionMnist {
  /** Class names, indexed by label. */
  public static final List<String> LABEL_NAMES = List.of(
      "T-shirt/top",
      "Trouser",
      "Pullover",
      "Dress",
      "Coat",
      "Sandal",
      "Shirt",
      "Sneaker",
      "Bag",
      "Ankle boot");

  /** Number of original training images: rows with {@code index < TRAIN_ROWS}. */
  public static final int TRAIN_ROWS = 60_000;

  /** Number of original test images: rows with {@code index >= TRAIN_ROWS}. */
  public static final int TEST_ROWS = 10_000;

  /** Number of rows in the data set. */
  public static final int ROWS = TRAIN_ROWS + TEST_ROWS;

  /** Pixels per image row and per image column. */
  public static final int SIDE = 28;

  /** Length of the {@code image} vector. */
  public static final int PIXELS = SIDE * SIDE;

  private static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
  private static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
  private static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
  private static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

  /** The file names looked for in the local directory and under the download URL. */
  public static final List<String> FILES =
      List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

  /** Schema of the written data set. */
  public static final StructType SCHEMA = new StructType()
      .add("index", DataTypes.LongType, false)
      .add("label", DataTypes.IntegerType, false)
      .add("label_name", DataTypes.StringType, false)
      .add("image", SQLDataTypes.VectorType(), false);

  private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);
  // Eight tasks writing one ~4.5 MB Parquet file each: parallel enough, and no tiny files. A
  // file is read whole by one task (one row group), so an even count splits equally over 2, 4 or
  // 8 cores; with seven, two cores read three files each and then one core read the seventh alone.
  private static final int ROWS_PER_PARTITION = 8_750;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);

  private FashionMnist() {}

  /**
   * Writes Fashion-MNIST as Parquet to {@code output}, unless a complete copy is already there.
   *
   * <p>An output with a {@code _SUCCESS} marker counts as complete: without {@code overwrite} it is
   * kept and only counted, so a job can call this on every run. Any other existing output (for
   * example a half-written one) is replaced.
   *
   * <p>The IDX files are read on the driver and broadcast (~55 MB); rows are generated inside the
   * tasks, so no large list of rows is built on the driver or shipped inside task closures.
   *
   * @param localDir directory holding {@link #FILES} (Debian's {@code dataset-fashion-mnist} puts
   *     them in {@code /usr/share/datasets/fashion-mnist}); {@code null} or a directory lacking any
   *     of them means download
   * @param downloadBase http(s) URL under which the four files are fetched when {@code localDir}
   *     lacks them; may be {@code null} if they are known to be local
   * @param output Hadoop path or URI of the Parquet directory
   * @param overwrite rewrite even a complete output
   * @return number of rows in the output: {@value #ROWS} unless a complete output written by
   *     something else was kept
   * @throws DataException if the files are missing and no download URL is given, or they are not
   *     Fashion-MNIST
   * @throws StorageException if a download or a storage access fails
   * @throws JobConfigException if the download URL is not http or https
   */
  public static long prepare(
      SparkSession spark, Path localDir, URI downloadBase, String output, boolean overwrite) {
    OptionalLong kept = overwrite
        ? OptionalLong.empty()
        : existing(spark.sparkContext().hadoopConfiguration(), output);
    return kept.isPresent() ? kept.getAsLong() : write(spark, localDir, downloadBase, output);
  }

  /**
   * Writes Fashion-MNIST to {@code output} whatever is there ({@link #prepare} without its check
   * of an existing output, for a caller that made it already): the rows written.
   */
  public static long write(SparkSession spark, Path localDir, URI downloadBase, String output) {
    byte[] data = load(localDir, downloadBase);
    return SparkJobs.described(
        spark, "prepare Fashion-MNIST: write " + output, () -> write(spark, data, output));
  }

  /**
   * The rows of a complete output (one with a {@code _SUCCESS} marker) at {@code output}, counted
   * from its Parquet footers without a Spark session; empty if there is none. What lets {@code
   * prepare-fashion-mnist} answer a second time (every quickstart) without starting Spark.
   *
   * @throws StorageException if the output cannot be listed or a footer read
   */
  public static OptionalLong existing(Configuration conf, String output) {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(output);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(new org.apache.hadoop.fs.Path(dir, "_SUCCESS"))) {
        return OptionalLong.empty();
      }
      long rows = 0;
      for (FileStatus file : FileListing.files(fs, dir)) {
        if (!InputFiles.hidden(file.getPath())) {
          try (ParquetFileReader footer =
              ParquetFileReader.open(HadoopInputFile.fromStatus(file, conf))) {
            rows += footer.getRecordCount();
          }
        }
      }
      LOG.info("Fashion-MNIST is already at {}, keeping it ({} rows)", output, rows);
      return OptionalLong.of(rows);
    } catch (IOException e) {
      throw new StorageException(
          "Cannot read the existing Fashion-MNIST at " + output + ": " + describe(e), e);
    }
  }

  /**
   * Returns labels and pixels in one array, as broadcast to the tasks: the 70000 labels, then
   * the 70000 images of {@link #PIXELS} bytes each, training set first.
   */
  private static byte[] load(Path localDir, URI downloadBase) {
    List<String> missing = localDir == null
        ? FILES
        : FILES.stream()
            .filter(name -> !Files.isRegularFile(localDir.resolve(name)))
            .toList();
    if (missing.isEmpty()) {
      return combine(
          localImages(localDir, TRAIN_IMAGES, TRAIN_ROWS),
          localLabels(localDir, TRAIN_LABELS, TRAIN_ROWS),
          localImages(localDir, TEST_IMAGES, TEST_ROWS),
          localLabels(localDir, TEST_LABELS, TEST_ROWS));
    }
    if (downloadBase == null) {
      throw new DataException("Cannot find Fashion-MNIST in "
          + localDir
          + ": "
          + String.join(", ", missing)
          + " missing and no download URL given");
    }
    return download(downloadBase);
  }

  private static byte[] download(URI base) {
    String scheme = Objects.requireNonNullElse(base.getScheme(), "");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new JobConfigException(
          "Cannot download Fashion-MNIST from " + base + ": the URL must be http or https");
    }
    String prefix = base.toString().endsWith("/") ? base.toString() : base + "/";
    HttpClient client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(CONNECT_TIMEOUT)
        .build();
    return combine(
        remoteImages(client, prefix + TRAIN_IMAGES, TRAIN_ROWS),
        remoteLabels(client, prefix + TRAIN_LABELS, TRAIN_ROWS),
        remoteImages(client, prefix + TEST_IMAGES, TEST_ROWS),
        remoteLabels(client, prefix + TEST_LABELS, TEST_ROWS));
  }

  private static Idx.Images localImages(Path dir, String file, int count) {
    Path path = dir.resolve(file);
    return checkImages(Idx.readImages(path), count, path.toString());
  }

  private static byte[] localLabels(Path dir, String file, int count) {
    Path path = dir.resolve(file);
    return checkLabels(Idx.readLabels(path), count, path.toString());
  }

  private static Idx.Images remoteImages(HttpClient client, String url, int count) {
    return checkImages(Idx.readImages(fetch(client, url), url), count, url);
  }

  private static byte[] remoteLabels(HttpClient client, String url, int count) {
    return checkLabels(Idx.readLabels(fetch(client, url), url), count, url);
  }

  // The files are small (30 MB in all) and read at once, so they stay in memory: nothing to
  // clean up on disk afterwards.
  private static ByteArrayInputStream fetch(HttpClient client, String url) {
    LOG.info("Downloading {}", url);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(DOWNLOAD_TIMEOUT).GET().build();
    try {
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new StorageException("Cannot download " + url + ": HTTP " + response.statusCode());
      }
      return new ByteArrayInputStream(response.body());
    } catch (IOException e) {
      throw new StorageException("Cannot download " + url + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("Cannot download " + url + ": interrupted", e);
    }
  }

  private static Idx.Images checkImages(Idx.Images images, int count, String source) {
    if (images.count() != count || images.rows() != SIDE || images.cols() != SIDE) {
      throw new DataException(String.format(
          "Cannot read %s: expected %d images of %dx%d pixels (Fashion-MNIST), found %d of"
              + " %dx%d",
          source, count, SIDE, SIDE, images.count(), images.rows(), images.cols()));
    }
    return images;
  }

  private static byte[] checkLabels(byte[] labels, int count, String source) {
    if (labels.length != count) {
      throw new DataException(String.format(
          "Cannot read %s: expected %d labels (Fashion-MNIST), found %d",
          source, count, labels.length));
    }
    for (int i = 0; i < labels.length; i++) {
      if (Byte.toUnsignedInt(labels[i]) >= LABEL_NAMES.size()) {
        throw new DataException(String.format(
            "Cannot read %s: label %d at position %d is not a Fashion-MNIST class 0..9",
            source, Byte.toUnsignedInt(labels[i]), i));
      }
    }
    return labels;
  }

  private static byte[] combine(
      Idx.Images trainImages, byte[] trainLabels, Idx.Images testImages, byte[] testLabels) {
    byte[] data = new byte[ROWS + ROWS * PIXELS];
    System.arraycopy(trainLabels, 0, data, 0, TRAIN_ROWS);
    System.arraycopy(testLabels, 0, data, TRAIN_ROWS, TEST_ROWS);
    System.arraycopy(trainImages.pixels(), 0, data, ROWS, TRAIN_ROWS * PIXELS);
    System.arraycopy(testImages.pixels(), 0, data, ROWS + TRAIN_ROWS * PIXELS, TEST_ROWS * PIXELS);
    return data;
  }

  private static long write(SparkSession spark, byte[] data, String output) {
    int partitions = (ROWS + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION;
    // A plain byte[] broadcasts with either Java or Kryo serialization, whatever the cluster uses.
    Broadcast<byte[]> shared =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(data);
    try {
      spark
          .range(0, ROWS, 1, partitions)
          .map((MapFunction<Long, Row>) index -> row(shared.value(), index), Encoders.row(SCHEMA))
          .write()
          .mode(SaveMode.Overwrite)
          .parquet(output);
    } finally {
      shared.destroy();
    }
    return ROWS;
  }

  private static Row row(byte[] data, long index) {
    int i = (int) index;
    int label = data[i];
    int offset = ROWS + i * PIXELS;
    double[] pixels = new double[PIXELS];
    for (int p = 0; p < PIXELS; p++) {
      pixels[p] = Byte.toUnsignedInt(data[offset + p]);
    }
    return RowFactory.create(index, label, LABEL_NAMES.get(label), Vectors.dense(pixels));
  }

  private static String describe(Exception e) {
    return Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
  }
}
