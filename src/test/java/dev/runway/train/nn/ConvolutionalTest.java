package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestSpark;
import dev.runway.error.JobConfigException;
import dev.runway.eval.Metrics;
import dev.runway.features.Columns;
import dev.runway.features.Target;
import dev.runway.train.Checkpoints;
import dev.runway.train.TrainingData;
import dev.runway.train.nn.LayerSpec.Shape;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import dev.runway.train.nn.NetworkSpec.LrSchedule;
import dev.runway.train.nn.NetworkSpec.Updater;
import dev.runway.train.nn.TrainSettings.Aggregation;
import dev.runway.train.nn.TrainSettings.Engine;
import dev.runway.train.nn.TrainSettings.StopMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Layer lists: their shape arithmetic, and a small CNN trained by parameter averaging. */
class ConvolutionalTest {
  private final SparkSession spark = TestSpark.session();
  private static final Target BARS =
      new Target("y", true, List.of("vertical", "horizontal", "none"), false);
  private static final StructType SCHEMA = new StructType()
      .add(Columns.FEATURES, SQLDataTypes.VectorType())
      .add(Columns.LABEL, DataTypes.DoubleType);
  private static final HiddenActivation RELU = HiddenActivation.RELU;

  private static NetworkSpec cnn(List<LayerSpec> layers, List<Integer> shape) {
    return new NetworkSpec(
        List.of(), RELU, 0.0, 0.0, Updater.ADAM, 0.01, 0.9, LrSchedule.NONE, 0.5, 5, layers, shape);
  }

  private static List<LayerSpec> smallCnn() {
    return List.of(
        new LayerSpec.Convolution(4, 3, 3, 1, 1, 1, 1, RELU),
        new LayerSpec.BatchNormalization(),
        new LayerSpec.Pooling(true, 2, 2, 2, 2),
        new LayerSpec.Flatten(),
        new LayerSpec.Dense(8, RELU),
        new LayerSpec.Dropout(0.1));
  }

  @Test
  void shapesFollowTheConvolutionArithmetic() {
    List<LayerSpec> fashion = List.of(
        new LayerSpec.Convolution(16, 5, 5, 1, 1, 0, 0, RELU),
        new LayerSpec.BatchNormalization(),
        new LayerSpec.Pooling(true, 2, 2, 2, 2),
        new LayerSpec.Convolution(32, 5, 5, 1, 1, 0, 0, RELU),
        new LayerSpec.Pooling(false, 2, 2, 2, 2),
        new LayerSpec.Flatten(),
        new LayerSpec.Dense(64, RELU));
    assertEquals(
        List.of(
            new Shape(16, 24, 24),
            new Shape(16, 24, 24),
            new Shape(16, 12, 12),
            new Shape(32, 8, 8),
            new Shape(32, 4, 4),
            Shape.flat(512),
            Shape.flat(64)),
        LayerSpec.shapes(fashion, new Shape(1, 28, 28)));
    // Stride and padding: (28 + 2 x 1 - 3) / 2 + 1 = 14, rounding down as Deeplearning4j does.
    assertEquals(
        List.of(new Shape(8, 14, 14)),
        LayerSpec.shapes(
            List.of(new LayerSpec.Convolution(8, 3, 3, 2, 2, 1, 1, RELU)), new Shape(1, 28, 28)));
  }

  @Test
  void aKernelLargerThanItsInputIsNamedWithTheArithmetic() {
    List<LayerSpec> tooDeep = List.of(
        new LayerSpec.Convolution(8, 5, 5, 1, 1, 0, 0, RELU),
        new LayerSpec.Pooling(true, 2, 2, 2, 2),
        new LayerSpec.Convolution(8, 5, 5, 1, 1, 0, 0, RELU));
    LayerSpec.Mismatch e = assertThrows(
        LayerSpec.Mismatch.class, () -> LayerSpec.shapes(tooDeep, new Shape(1, 10, 10)));
    assertEquals(
        "layer 3 (convolution) does not fit its input: a kernel height of 5 is larger than the"
            + " input height 3",
        e.getMessage());
    LayerSpec.Mismatch flat = assertThrows(
        LayerSpec.Mismatch.class,
        () -> LayerSpec.shapes(
            List.of(new LayerSpec.Dense(4, RELU), new LayerSpec.Pooling(true, 2, 2, 2, 2)),
            new Shape(1, 6, 6)));
    assertTrue(
        flat.getMessage()
            .startsWith("layer 2 (pooling) needs an image, but receives a vector of" + " 4 values"),
        flat.getMessage());
  }

  @Test
  void anInputShapeThatIsNotTheVectorFailsWhenTrainingStarts() {
    NetworkSpec spec = cnn(smallCnn(), List.of(1, 6, 6));
    JobConfigException e =
        assertThrows(JobConfigException.class, () -> spec.configuration(37, BARS, 1));
    assertTrue(
        e.getMessage()
            .startsWith("Cannot train model.neural-network.input-shape = [1, 6, 6]: 1 x"
                + " 6 x 6 = 36 values, but the feature vector has 37"),
        e.getMessage());
    assertEquals(2, e.exitCode().code());
  }

  /** 6x6 images: a bright vertical bar, a horizontal one, or neither, on noise. */
  private Dataset<Row> bars(int n, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = random.nextInt(3);
      int at = random.nextInt(6);
      double[] pixels = new double[36];
      for (int p = 0; p < 36; p++) {
        pixels[p] = 0.3 * random.nextGaussian();
        int row = p / 6;
        int col = p % 6;
        if ((kind == 0 && col == at) || (kind == 1 && row == at)) {
          pixels[p] += 1.0;
        }
      }
      rows.add(RowFactory.create(Vectors.dense(pixels), (double) kind));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }

  @Test
  void aSmallCnnLearnsByParameterAveragingAndScores() {
    NetworkSpec spec = cnn(smallCnn(), List.of(1, 6, 6));
    TrainSettings settings = settings(Augmentation.NONE);
    Dataset<Row> train = bars(1500, 1);
    Dataset<Row> test = bars(400, 2);
    ParameterAveraging.Result a = new ParameterAveraging(spark, spec, settings)
        .fit(new TrainingData(train, test, BARS, 7, Checkpoints.NONE));
    double accuracy = a.history().get(a.history().size() - 1).validationAccuracy();
    assertTrue(accuracy > 0.9, "bars are easy for a convolution: " + a.history());
    // Batch normalization's running mean and variance live in the parameters, so they are
    // averaged like the weights and the scorer sees them.
    NetworkModel model =
        new NetworkModel(spark, a.configurationJson(), a.params(), true, Map.of(), 0);
    Map<String, Object> metrics = Metrics.of(model.predict(test), BARS);
    assertEquals(accuracy, (double) metrics.get("accuracy"), 0.01);
    // Reproducible like the dense networks.
    ParameterAveraging.Result b = new ParameterAveraging(spark, spec, settings)
        .fit(new TrainingData(train, test, BARS, 7, Checkpoints.NONE));
    assertEquals(
        a.history().get(a.history().size() - 1).validationLoss(),
        b.history().get(b.history().size() - 1).validationLoss());
  }

  /** Two workers, 4 epochs of minibatches of 32, averaging every 5 to 40. */
  private static TrainSettings settings(Augmentation augmentation) {
    return new TrainSettings(
        Engine.PARAMETER_AVERAGING,
        2,
        32,
        5,
        4,
        StopMetric.VALIDATION_ACCURACY,
        0,
        32L << 20,
        0,
        Aggregation.DIRECT,
        0.5,
        40,
        augmentation);
  }

  @Test
  void augmentedTrainingLearnsReproduciblyAndDiffersFromPlainTraining() {
    NetworkSpec spec = cnn(smallCnn(), List.of(1, 6, 6));
    TrainSettings plain = settings(Augmentation.NONE);
    // A mirrored or moved bar is still a bar of its kind.
    TrainSettings augmented = settings(new Augmentation(true, 1, 1, 6, 6));
    TrainingData data = new TrainingData(bars(1500, 3), bars(400, 4), BARS, 7, Checkpoints.NONE);
    ParameterAveraging.Result a = new ParameterAveraging(spark, spec, augmented).fit(data);
    ParameterAveraging.Result b = new ParameterAveraging(spark, spec, augmented).fit(data);
    ParameterAveraging.Result p = new ParameterAveraging(spark, spec, plain).fit(data);
    double accuracy = a.history().get(a.history().size() - 1).validationAccuracy();
    assertTrue(accuracy > 0.9, "augmented bars are still easy: " + a.history());
    assertArrayEquals(a.params(), b.params(), "the draws come from the seed");
    assertFalse(
        Arrays.equals(a.params(), p.params()), "the workers trained on the augmented images");
  }
}
