package dev.runway.train.nn;

import dev.runway.error.StorageErrors;
import dev.runway.error.StorageException;
import dev.runway.train.TrainedModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** Reading back a network that {@link NetworkModel#save} wrote. */
public final class NetworkModels {
  /** The format recorded in the manifest of a run whose model is a network. */
  public static final String FORMAT = "dl4j:MultiLayerNetwork";

  private NetworkModels() {}

  /** The network saved under {@code directory}, scoring {@code scoringBatch} rows at a time. */
  public static TrainedModel load(
      SparkSession spark, String directory, boolean classification, int scoringBatch) {
    Path path = new Path(directory, "network.zip");
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      MultiLayerNetwork net;
      try (InputStream in = fs.open(path)) {
        net = ModelSerializer.restoreMultiLayerNetwork(in, false);
      }
      return new NetworkModel(
          spark,
          net.getLayerWiseConfigurations().toJson(),
          net.params().toFloatVector(),
          classification,
          Map.of(),
          0,
          scoringBatch);
    } catch (IOException e) {
      throw StorageErrors.classify(e, path.toString())
          .orElseGet(() ->
              new StorageException("Cannot read the network " + path + ": " + e.getMessage(), e));
    }
  }
}
