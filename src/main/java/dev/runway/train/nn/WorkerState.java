package dev.runway.train.nn;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
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
    implements Serializable {

  /**
   * Serialized through {@link Wire}, whose float arrays go in bulk ({@link FloatArrays}): the
   * round's broadcast and every checkpoint. A checkpoint written before (the record's own form)
   * still reads: Java serialization builds a record from the fields it finds in the stream.
   */
  private Object writeReplace() {
    return new Wire(this);
  }

  /** A state's serialized form. */
  static final class Wire implements Externalizable {
    private static final long serialVersionUID = 1L;
    private WorkerState state;

    /** For deserialization. */
    public Wire() {}

    Wire(WorkerState state) {
      this.state = state;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
      FloatArrays.write(out, state.params);
      FloatArrays.write(out, state.updater);
      out.writeInt(state.iteration);
      out.writeInt(state.epoch);
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException {
      state =
          new WorkerState(FloatArrays.read(in), FloatArrays.read(in), in.readInt(), in.readInt());
    }

    private Object readResolve() {
      return state;
    }
  }
}
