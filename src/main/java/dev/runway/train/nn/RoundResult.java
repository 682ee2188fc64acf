package dev.runway.train.nn;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serializable;

/**
 * One worker's result of a round, sent back to the driver to be averaged.
 *
 * @param worker the worker
 * @param examples examples trained on this round (0: the worker had no minibatch left)
 * @param batches minibatches trained
 * @param params parameters after the round (null when examples is 0)
 * @param updater updater state after the round (null when examples is 0)
 * @param lossSum sum over minibatches of loss x minibatch size
 * @param computeNanos time spent in the minibatch steps
 * @param startedAtMillis wall-clock time the task started its step (epoch milliseconds)
 * @param setupNanos from the task's start to its first step: fetching the broadcast state and
 *     loading it into the worker's network
 */
record RoundResult(
    int worker,
    int examples,
    int batches,
    float[] params,
    float[] updater,
    double lossSum,
    long computeNanos,
    long startedAtMillis,
    long setupNanos)
    implements Serializable {

  static RoundResult idle(int worker) {
    return new RoundResult(worker, 0, 0, null, null, 0, 0, System.currentTimeMillis(), 0);
  }

  /** Serialized through {@link Wire}, whose float arrays go in bulk ({@link FloatArrays}). */
  private Object writeReplace() {
    return new Wire(this);
  }

  /** A result's serialized form. */
  static final class Wire implements Externalizable {
    private static final long serialVersionUID = 1L;
    private RoundResult result;

    /** For deserialization. */
    public Wire() {}

    Wire(RoundResult result) {
      this.result = result;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
      RoundResult r = result;
      out.writeInt(r.worker);
      out.writeInt(r.examples);
      out.writeInt(r.batches);
      FloatArrays.write(out, r.params);
      FloatArrays.write(out, r.updater);
      out.writeDouble(r.lossSum);
      out.writeLong(r.computeNanos);
      out.writeLong(r.startedAtMillis);
      out.writeLong(r.setupNanos);
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
      result = new RoundResult(
          in.readInt(),
          in.readInt(),
          in.readInt(),
          FloatArrays.read(in),
          FloatArrays.read(in),
          in.readDouble(),
          in.readLong(),
          in.readLong(),
          in.readLong());
    }

    private Object readResolve() {
      return result;
    }
  }
}
