package dev.runway.train.nn;

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
 */
public record TrainSettings(String engine, int workers, int batchSize, int averagingFrequency,
    int epochs, String stopMetric, int patience, long blockBytes, int minBatches) implements Serializable {}
