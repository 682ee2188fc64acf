package dev.runway.train.nn;

import dev.runway.config.ConfigChoice;
import java.io.Serializable;

/**
 * How the network is trained: the {@code train} section.
 *
 * @param engine parameter-averaging or dl4j-spark
 * @param workers parallel workers (0: Spark's default parallelism)
 * @param batchSize minibatch size per worker
 * @param averagingFrequency minibatches per worker between averagings
 * @param epochs passes over the training data
 * @param stopMetric validation-loss or validation-accuracy
 * @param patience epochs without improvement before stopping (0: never stop early)
 * @param blockBytes about how many bytes of training rows one cached block holds
 * @param minBatches fewest minibatches per worker and epoch: a smaller batch is used if needed (0: off)
 * @param aggregation how a round's worker results reach the average (parameter-averaging engine)
 * @param agreement a round whose replicas spread apart by less than this fraction of the distance
 *     the average moved makes the next round twice as long; more, half as long (0: fixed rounds)
 * @param maxAveragingFrequency longest round, in minibatches per worker, adaptive rounds reach
 * @param augmentation changes drawn for the training images (train.augment)
 */
public record TrainSettings(
    Engine engine,
    int workers,
    int batchSize,
    int averagingFrequency,
    int epochs,
    StopMetric stopMetric,
    int patience,
    long blockBytes,
    int minBatches,
    Aggregation aggregation,
    double agreement,
    int maxAveragingFrequency,
    Augmentation augmentation)
    implements Serializable {

  /** These settings with {@code epochs} passes instead. */
  public TrainSettings withEpochs(int epochs) {
    return new TrainSettings(
        engine,
        workers,
        batchSize,
        averagingFrequency,
        epochs,
        stopMetric,
        patience,
        blockBytes,
        minBatches,
        aggregation,
        agreement,
        maxAveragingFrequency,
        augmentation);
  }

  /** Whether round lengths follow the workers' agreement. */
  boolean adaptive() {
    return agreement > 0 && maxAveragingFrequency > averagingFrequency;
  }

  /**
   * train.aggregation: direct collects every worker's parameters to the driver, which averages
   * them (the driver receives workers x parameters); tree merges example-weighted sums on the
   * executors and the driver receives one (parameters, whatever the workers); auto chooses by
   * {@link ParameterAveraging#aggregation}.
   */
  public enum Aggregation implements ConfigChoice {
    AUTO,
    DIRECT,
    TREE,
    PEERS;

    @Override
    public String toString() {
      return configName();
    }
  }

  /** train.engine: runway's own parameter averaging, or Deeplearning4j's Spark training master. */
  public enum Engine implements ConfigChoice {
    PARAMETER_AVERAGING,
    DL4J_SPARK;

    @Override
    public String toString() {
      return configName();
    }
  }

  /** train.early-stopping.metric: what the kept epoch is chosen by. */
  public enum StopMetric implements ConfigChoice {
    VALIDATION_LOSS,
    VALIDATION_ACCURACY;

    @Override
    public String toString() {
      return configName();
    }
  }
}
