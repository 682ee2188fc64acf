package dev.runway.bench;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import com.sun.management.OperatingSystemMXBean;
import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.features.Columns;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring benchmark: the {@code score} command against the bare Spark path doing the same
 * work, in one session. The bare path is what a careful hand-written job would do with the run's
 * saved artifacts and nothing of runway: {@code PipelineModel.load} of the feature pipeline, the
 * model loaded by its own library ({@code LogisticRegressionModel.load}, or the Deeplearning4j
 * network through {@code ModelSerializer} scored in minibatches in {@code mapPartitions}), then
 * a Parquet write of the input's columns and the same prediction columns {@code score} writes
 * ({@code prediction} as the class name, {@code probability_<class>}). Neither the manifest check,
 * the input contract, the SQL statements, the infinite-value check, row counts nor lineage.
 * Both paths are timed end to end, loading the run included.
 */
public final class ScoreBench {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreBench.class);

  /** Runs one score through the real command; returns the rows it reports. */
  @FunctionalInterface
  public interface Scorer {
    long score(String run, String input, String output, int batchRows);
  }

  /**
   * One row of the table: a path timed on an input, every repeat's seconds kept.
   *
   * @param measure "throughput" (score against bare) or "batching" (minibatch against one row)
   * @param model the model's kind
   * @param path "score" or "bare"
   * @param batchRows rows per minibatch of a network's scoring (0 for Spark ML models)
   * @param rows rows scored per repeat
   * @param seconds wall time of each repeat
   * @param cpuSeconds CPU time of the process in each repeat (local mode: driver and executors)
   */
  public record Timing(
      String measure,
      String model,
      String path,
      int batchRows,
      long rows,
      List<Double> seconds,
      List<Double> cpuSeconds) {
    public double best() {
      return Collections.min(seconds);
    }

    public double median() {
      return median(seconds);
    }

    public double medianCpu() {
      return median(cpuSeconds);
    }

    private static double median(List<Double> values) {
      List<Double> s = new ArrayList<>(values);
      Collections.sort(s);
      int n = s.size();
      return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Rows per second of the best repeat. */
    public double rowsPerSecond() {
      return rows / best();
    }
  }

  /**
   * Rows one repeat scored, its wall time and the CPU time of this whole process (in local mode
   * the executors' threads, native BLAS ones included, are this JVM's): the output's deletion and
   * row check excluded.
   */
  private record Timed(long rows, double seconds, double cpuSeconds) {}

  private final SparkSession spark;
  private final Scorer scorer;
  private final String work;
  private int outputs;

  /**
   * @param work a directory (URI or path) for the outputs; each is deleted after it is timed
   */
  public ScoreBench(SparkSession spark, Scorer scorer, String work) {
    this.spark = spark;
    this.scorer = scorer;
    this.work = work;
  }

  /** The kind of model a run holds, from its manifest: "logistic-regression" or "neural-network". */
  public String modelKind(String run) {
    RunDirectory dir = RunDirectory.at(spark.sparkContext().hadoopConfiguration(), run);
    Object format = dir.manifest().get("model_format");
    if ("spark-ml:LogisticRegressionModel".equals(format)) {
      return "logistic-regression";
    }
    if ("dl4j:MultiLayerNetwork".equals(format)) {
      return "neural-network";
    }
    throw new IllegalArgumentException(
        "The scoring benchmark compares logistic-regression and neural-network runs;" + " " + run
            + " holds a " + format);
  }

  /**
   * score against bare on {@code input}: one untimed warm-up of each on {@code warmUp}, then
   * {@code repeats} timed repeats of each, in alternating order (score first on odd repeats).
   */
  public List<Timing> throughput(
      String run, String input, String warmUp, int repeats, int batchRows) {
    String model = modelKind(run);
    LOG.info("Score benchmark: warming up {} on {}", model, warmUp);
    check(scored(run, warmUp, batchRows).rows(), bare(run, warmUp, batchRows).rows(), warmUp);
    List<Double> score = new ArrayList<>();
    List<Double> bare = new ArrayList<>();
    List<Double> scoreCpu = new ArrayList<>();
    List<Double> bareCpu = new ArrayList<>();
    long rows = -1;
    for (int i = 0; i < repeats; i++) {
      for (boolean scoreTurn :
          i % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
        Timed t = scoreTurn ? scored(run, input, batchRows) : bare(run, input, batchRows);
        LOG.info(
            "Score benchmark: {} {} repeat {}: {} rows in {} s",
            model,
            scoreTurn ? "score" : "bare",
            i + 1,
            t.rows(),
            t.seconds());
        check(rows < 0 ? t.rows() : rows, t.rows(), input);
        rows = t.rows();
        (scoreTurn ? score : bare).add(t.seconds());
        (scoreTurn ? scoreCpu : bareCpu).add(t.cpuSeconds());
      }
    }
    int batch = model.equals("neural-network") ? batchRows : 0;
    return List.of(
        new Timing("throughput", model, "score", batch, rows, score, scoreCpu),
        new Timing("throughput", model, "bare", batch, rows, bare, bareCpu));
  }

  /** A network run's {@code score} in minibatches of {@code batchRows} against one row at a time. */
  public List<Timing> batching(String run, String input, int repeats, int batchRows) {
    String model = modelKind(run);
    List<Timing> out = new ArrayList<>();
    for (int batch : new int[] {batchRows, 1}) {
      List<Double> seconds = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      long rows = 0;
      for (int i = 0; i < repeats; i++) {
        Timed t = scored(run, input, batch);
        rows = t.rows();
        seconds.add(t.seconds());
        cpu.add(t.cpuSeconds());
        LOG.info(
            "Score benchmark: batching {} rows of {} per batch: {} s", rows, batch, t.seconds());
      }
      out.add(new Timing("batching", model, "score", batch, rows, seconds, cpu));
    }
    return out;
  }

  private Timed scored(String run, String input, int batchRows) {
    String output = next();
    try {
      long start = System.nanoTime();
      long cpu = processCpuNanos();
      long rows = scorer.score(run, input, output, batchRows);
      return new Timed(rows, (System.nanoTime() - start) / 1e9, (processCpuNanos() - cpu) / 1e9);
    } finally {
      delete(output);
    }
  }

  private String next() {
    return new Path(work, "out-" + (++outputs)).toString();
  }

  private static void check(long expected, long rows, String input) {
    if (expected != rows) {
      throw new IllegalStateException(
          "score and bare disagree on " + input + ": " + expected + " and " + rows + " rows");
    }
  }

  // ---- the bare path ----

  /** Scores {@code input} with the run's saved artifacts and plain Spark, and deletes the output. */
  private Timed bare(String run, String input, int batchRows) {
    String output = next();
    try {
      long start = System.nanoTime();
      long cpu = processCpuNanos();
      PipelineModel pipeline = PipelineModel.load(new Path(run, "feature-pipeline").toString());
      String[] classes = classes(run);
      Dataset<Row> rows = spark.read().parquet(input);
      Dataset<Row> features = pipeline.transform(rows);
      Dataset<Row> scored = modelKind(run).equals("neural-network")
          ? networkScores(features, rows.schema(), networkBytes(run), classes, batchRows)
          : logisticScores(
              features,
              rows.columns(),
              LogisticRegressionModel.load(new Path(run, "model").toString()),
              classes);
      scored.write().parquet(output);
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (processCpuNanos() - cpu) / 1e9;
      return new Timed(spark.read().parquet(output).count(), seconds, cpuSeconds);
    } finally {
      delete(output);
    }
  }

  private String[] classes(String run) {
    RunDirectory dir = RunDirectory.at(spark.sparkContext().hadoopConfiguration(), run);
    @SuppressWarnings("unchecked")
    List<Object> classes =
        (List<Object>) Json.parse(dir.readText("target.json")).get("classes");
    return classes.stream().map(String::valueOf).toArray(String[]::new);
  }

  private static Dataset<Row> logisticScores(
      Dataset<Row> features,
      String[] inputColumns,
      LogisticRegressionModel model,
      String[] classes) {
    Dataset<Row> predicted = model.transform(features);
    List<Column> out = new ArrayList<>();
    for (String c : inputColumns) {
      out.add(col(c));
    }
    Column names = array(Arrays.stream(classes).map(c -> lit(c)).toArray(Column[]::new));
    out.add(element_at(names, col(Columns.PREDICTION).cast("int").plus(1)).as("prediction"));
    Column p = org.apache.spark.ml.functions.vector_to_array(col(Columns.PROBABILITY), "float64");
    for (int k = 0; k < classes.length; k++) {
      out.add(element_at(p, k + 1).as("probability_" + classes[k]));
    }
    return predicted.select(out.toArray(Column[]::new));
  }

  private byte[] networkBytes(String run) {
    Path path = new Path(new Path(run, "model"), "network.zip");
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (var in = fs.open(path)) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The network scored in minibatches inside mapPartitions: the saved network.zip broadcast,
   * restored once per partition, one BLAS thread per task (as many tasks run as cores).
   */
  private Dataset<Row> networkScores(
      Dataset<Row> features, StructType input, byte[] network, String[] classes, int batchRows) {
    StructType schema = input.add("prediction", DataTypes.StringType);
    for (String c : classes) {
      schema = schema.add("probability_" + c, DataTypes.DoubleType);
    }
    List<Column> keep = new ArrayList<>();
    for (String c : input.fieldNames()) {
      keep.add(col(c));
    }
    keep.add(col(Columns.FEATURES));
    Broadcast<byte[]> zip =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(network);
    int width = input.fields().length;
    MapPartitionsFunction<Row, Row> score =
        rows -> scorePartition(rows, zip.value(), width, classes, batchRows);
    return features.select(keep.toArray(Column[]::new)).mapPartitions(score, Encoders.row(schema));
  }

  private static Iterator<Row> scorePartition(
      Iterator<Row> rows, byte[] zip, int width, String[] classes, int batchRows)
      throws IOException {
    TaskContext task = TaskContext.get();
    if (task != null) {
      Nd4j.getEnvironment().setMaxThreads(task.cpus());
      Nd4j.getEnvironment().setMaxMasterThreads(task.cpus());
      Nd4j.factory().blas().setMaxThreads(task.cpus());
    }
    MultiLayerNetwork net =
        ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), false);
    return new Iterator<>() {
      private Iterator<Row> done = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!done.hasNext() && rows.hasNext()) {
          List<Row> batch = new ArrayList<>(batchRows);
          while (batch.size() < batchRows && rows.hasNext()) {
            batch.add(rows.next());
          }
          done = scoreBatch(net, batch, width, classes).iterator();
        }
        return done.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return done.next();
      }
    };
  }

  private static List<Row> scoreBatch(
      MultiLayerNetwork net, List<Row> batch, int width, String[] classes) {
    int nIn = batch.get(0).<Vector>getAs(width).size();
    float[] x = new float[batch.size() * nIn];
    for (int i = 0; i < batch.size(); i++) {
      Vector v = batch.get(i).getAs(width);
      if (v instanceof SparseVector s) {
        int[] indices = s.indices();
        double[] values = s.values();
        for (int k = 0; k < indices.length; k++) {
          x[i * nIn + indices[k]] = (float) values[k];
        }
      } else {
        double[] values = v.toArray();
        for (int k = 0; k < nIn; k++) {
          x[i * nIn + k] = (float) values[k];
        }
      }
    }
    INDArray output = net.output(Nd4j.create(x, new long[] {batch.size(), nIn}, 'c'), false);
    float[] o = output.dup('c').data().asFloat();
    int nOut = (int) output.size(1);
    List<Row> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      Object[] values = new Object[width + 1 + classes.length];
      for (int j = 0; j < width; j++) {
        values[j] = row.get(j);
      }
      double[] p = nOut == 1 ? new double[] {1 - o[i], o[i]} : new double[nOut];
      if (nOut > 1) {
        for (int k = 0; k < nOut; k++) {
          p[k] = o[i * nOut + k];
        }
      }
      int argmax = 0;
      for (int k = 1; k < p.length; k++) {
        if (p[k] > p[argmax]) {
          argmax = k;
        }
      }
      values[width] = classes[argmax];
      for (int k = 0; k < p.length; k++) {
        values[width + 1 + k] = p[k];
      }
      out.add(RowFactory.create(values));
    }
    return out;
  }

  private void delete(String output) {
    try {
      Path p = new Path(output);
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", output, e.getMessage());
    }
  }

  // ---- what ran ----

  /** Which BLAS each library picked: MLlib's (native or pure Java) and ND4J's. */
  public static String blas() {
    String nd4j;
    try {
      Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
      nd4j = String.valueOf(env.getOrDefault("blas.vendor", "unknown"));
    } catch (RuntimeException | LinkageError e) {
      nd4j = "unknown";
    }
    return "MLlib " + Benchmark.mllibBlas() + ", ND4J " + nd4j;
  }

  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The 1-minute load average: others' work on a shared machine shows here. */
  public static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
