package dev.runway;

import dev.runway.datasets.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;

/** Real data sets the tests use, installed from Debian packages by .ci/run. */
public final class TestData {
  /** Seattle daily weather, 1,461 rows (python3-vega-datasets). */
  public static final Path SEATTLE_WEATHER =
      Path.of("/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv");
  /** 3,376 US airports, a CSV file with a header line (python3-vega-datasets). */
  public static final Path AIRPORTS =
      Path.of("/usr/lib/python3/dist-packages/vega_datasets/_data/airports.csv");
  /** 406 cars of the 1970s and 80s, a JSON array (python3-vega-datasets). */
  public static final Path CARS =
      Path.of("/usr/lib/python3/dist-packages/vega_datasets/_data/cars.json");
  /** Fashion-MNIST IDX files (dataset-fashion-mnist). */
  public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private TestData() {}

  /**
   * Fashion-MNIST as Parquet, prepared once per build under target/test-data (prepare is a no-op
   * when the output is complete, so later test classes and runs reuse it).
   */
  public static synchronized String fashionMnistParquet() {
    String out = repo().resolve("target/test-data/fashion-mnist").toString();
    FashionMnist.prepare(TestSpark.session(), require(FASHION_MNIST), null, out, false);
    return out;
  }

  /** The repository root (surefire sets runway.repo). */
  public static Path repo() {
    return Path.of(System.getProperty("runway.repo", ".")).toAbsolutePath();
  }

  /** Fails loudly (not skips) when a package is missing: CI must install it. */
  public static Path require(Path path) {
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          path + " is missing: install the Debian package (see .ci/run)");
    }
    return path;
  }
}
