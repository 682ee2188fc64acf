package dev.runway.train.nn;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.PREDICTION;
import static dev.runway.features.Columns.PROBABILITY;
import static dev.runway.features.Columns.RAW;

import dev.runway.error.OutOfMemory;
import dev.runway.train.TrainedModel;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

/**
 * A trained Deeplearning4j network: predicts on Spark with the parameters broadcast to the
 * executors, and saves in Deeplearning4j's own format ({@code network.zip}, which
 * {@code ModelSerializer.restoreMultiLayerNetwork} reads).
 */
final class NetworkModel implements TrainedModel {
  /** Rows per minibatch when scoring, unless the caller chooses. */
  static final int SCORING_BATCH = 1024;

  private final SparkSession spark;
  private final String configurationJson;
  private final float[] params;
  private final boolean classification;
  private final Map<String, Object> summary;
  private final long firstStepAtMillis;
  private final int scoringBatch;

  NetworkModel(
      SparkSession spark,
      String configurationJson,
      float[] params,
      boolean classification,
      Map<String, Object> summary,
      long firstStepAtMillis) {
    this(
        spark,
        configurationJson,
        params,
        classification,
        summary,
        firstStepAtMillis,
        SCORING_BATCH);
  }

  NetworkModel(
      SparkSession spark,
      String configurationJson,
      float[] params,
      boolean classification,
      Map<String, Object> summary,
      long firstStepAtMillis,
      int scoringBatch) {
    if (scoringBatch < 1) {
      throw new IllegalArgumentException("scoring batch must be at least 1, not " + scoringBatch);
    }
    this.scoringBatch = scoringBatch;
    this.spark = spark;
    this.firstStepAtMillis = firstStepAtMillis;
    this.configurationJson = configurationJson;
    this.params = params;
    this.classification = classification;
    this.summary = summary;
  }

  MultiLayerNetwork network() {
    MultiLayerNetwork net = Networks.build(configurationJson);
    net.setParams(Nd4j.create(params, new long[] {1, params.length}, 'c'));
    return net;
  }

  @Override
  public Dataset<Row> predict(Dataset<Row> features) {
    StructType schema = features.schema().add(PREDICTION, DataTypes.DoubleType);
    if (classification) {
      schema =
          schema.add(PROBABILITY, SQLDataTypes.VectorType()).add(RAW, SQLDataTypes.VectorType());
    }
    Broadcast<float[]> broadcast =
        spark.sparkContext().broadcast(params, ClassTag$.MODULE$.apply(float[].class));
    String conf = configurationJson;
    boolean isClassifier = classification;
    int featureIndex = features.schema().fieldIndex(FEATURES);
    int batchRows = scoringBatch;
    MapPartitionsFunction<Row, Row> scorer =
        rows -> score(rows, broadcast.value(), conf, isClassifier, featureIndex, batchRows);
    return features.mapPartitions(scorer, Encoders.row(schema));
  }

  /**
   * Scores a partition in minibatches as it streams through: one minibatch of rows is held at a
   * time, never the whole partition.
   */
  private static Iterator<Row> score(
      Iterator<Row> rows,
      float[] params,
      String conf,
      boolean classification,
      int featureIndex,
      int batchRows) {
    Threads.forCurrentTask();
    MultiLayerNetwork net = Networks.build(conf);
    net.setParams(Nd4j.create(params, new long[] {1, params.length}, 'c'));
    return new Iterator<>() {
      private Iterator<Row> scored = Collections.emptyIterator();
      // batchRows, or fewer where one pass over that many would take too much memory (Forward);
      // known once the first row says how many features there are.
      private int limit;

      @Override
      public boolean hasNext() {
        while (!scored.hasNext() && rows.hasNext()) {
          List<Row> batch = new ArrayList<>();
          if (limit == 0) {
            Row first = rows.next();
            int nIn = first.<Vector>getAs(featureIndex).size();
            limit = Forward.rows(net.getLayerWiseConfigurations(), nIn, batchRows);
            batch.add(first);
          }
          while (batch.size() < limit && rows.hasNext()) {
            batch.add(rows.next());
          }
          scored = OutOfMemory.inTask(() -> scoreBatch(net, batch, classification, featureIndex))
              .iterator();
        }
        return scored.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return scored.next();
      }
    };
  }

  private static List<Row> scoreBatch(
      MultiLayerNetwork net, List<Row> batch, boolean classification, int featureIndex) {
    int nIn = batch.get(0).<Vector>getAs(featureIndex).size();
    float[] x = new float[batch.size() * nIn];
    for (int i = 0; i < batch.size(); i++) {
      copy(batch.get(i).getAs(featureIndex), x, i * nIn);
    }
    // One copy of the whole minibatch's outputs: a view per row (getRow) cost more than the forward
    // pass.
    INDArray output = net.output(Nd4j.create(x, new long[] {batch.size(), nIn}, 'c'), false);
    int nOut = (int) output.size(1);
    float[] flat = output.dup('c').data().asFloat();
    List<Row> scored = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      Object[] values = new Object[row.size() + (classification ? 3 : 1)];
      for (int j = 0; j < row.size(); j++) {
        values[j] = row.get(j);
      }
      double[] o = new double[nOut];
      for (int k = 0; k < nOut; k++) {
        o[k] = flat[i * nOut + k];
      }
      if (!classification) {
        values[row.size()] = o[0];
      } else {
        // One sigmoid output means two classes: P(class 1) = o[0].
        double[] p = o.length == 1 ? new double[] {1 - o[0], o[0]} : o;
        int argmax = 0;
        for (int k = 1; k < p.length; k++) {
          if (p[k] > p[argmax]) {
            argmax = k;
          }
        }
        values[row.size()] = (double) argmax;
        values[row.size() + 1] = Vectors.dense(p);
        values[row.size() + 2] = Vectors.dense(p);
      }
      scored.add(RowFactory.create(values));
    }
    return scored;
  }

  /**
   * A feature vector into a row of the minibatch, touching only its stored values: hashed and
   * one-hot features make most vectors sparse, and densifying each (toArray) was the largest
   * single cost of scoring the synthetic table.
   */
  private static void copy(Vector v, float[] x, int offset) {
    if (v instanceof SparseVector s) {
      int[] indices = s.indices();
      double[] values = s.values();
      for (int k = 0; k < indices.length; k++) {
        x[offset + indices[k]] = (float) values[k];
      }
    } else {
      double[] values = ((DenseVector) v).values();
      for (int k = 0; k < values.length; k++) {
        x[offset + k] = (float) values[k];
      }
    }
  }

  @Override
  public void save(String directory) throws IOException {
    Path path = new Path(directory, "network.zip");
    FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    try (OutputStream out = fs.create(path, false)) {
      ModelSerializer.writeModel(network(), out, false);
    }
  }

  @Override
  public String format() {
    return NetworkModels.FORMAT;
  }

  @Override
  public OptionalLong firstStepAtMillis() {
    return firstStepAtMillis > 0 ? OptionalLong.of(firstStepAtMillis) : OptionalLong.empty();
  }

  @Override
  public Map<String, Object> summary() {
    return summary;
  }
}
