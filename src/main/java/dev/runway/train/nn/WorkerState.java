package dev.runway.train.nn;

import java.io.Serializable;

/**
 * What every worker starts a round from, and what a checkpoint holds: the flat parameter vector
 * and the updater's state (Adam's moments), both in Deeplearning4j's own flat layout, and the
 * step and epoch counters that learning-rate schedules and Adam's bias correction read.
 *
 * @param params flat parameters
 * @param updater flat updater state (empty for plain SGD)
 * @param iteration minibatch steps taken by each worker so far
 * @param epoch completed epochs
 */
record WorkerState(float[] params, float[] updater, int iteration, int epoch)
    implements Serializable {}
