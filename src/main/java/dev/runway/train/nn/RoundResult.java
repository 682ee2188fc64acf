package dev.runway.train.nn;

import java.io.Serializable;

/**
 * One worker's result of a round, sent back to the driver to be averaged.
 *
 * @param partition the worker's shard
 * @param examples examples trained on this round (0: the shard had no minibatch left)
 * @param batches minibatches trained
 * @param params parameters after the round (null when examples is 0)
 * @param updater updater state after the round (null when examples is 0)
 * @param lossSum sum over minibatches of loss x minibatch size
 * @param computeNanos time spent in the minibatch steps
 */
record RoundResult(int partition, int examples, int batches, float[] params, float[] updater,
    double lossSum, long computeNanos) implements Serializable {}
