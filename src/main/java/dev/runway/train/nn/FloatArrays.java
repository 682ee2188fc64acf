package dev.runway.train.nn;

import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.nio.ByteBuffer;

/**
 * Float arrays on Java serialization's streams, in bulk. Java serialization writes a float[]
 * one element at a time ({@code Bits.putFloat}): about 5 ms to write and read back the 2.8 MB
 * state of the benchmark's network, paid for the broadcast and for every worker's result each
 * round. Converting through a ByteBuffer in 64 KB chunks costs a memory copy instead.
 */
final class FloatArrays {
  private static final int CHUNK_FLOATS = 16 * 1024;

  private FloatArrays() {}

  /** {@code values} (null allowed) as a length and its floats, big-endian. */
  static void write(ObjectOutput out, float[] values) throws IOException {
    if (values == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(values.length);
    byte[] chunk = new byte[4 * Math.min(CHUNK_FLOATS, values.length)];
    ByteBuffer bytes = ByteBuffer.wrap(chunk);
    for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, values.length - from);
      bytes.clear();
      bytes.asFloatBuffer().put(values, from, n);
      out.write(chunk, 0, 4 * n);
    }
  }

  /** What {@link #write} wrote. */
  static float[] read(ObjectInput in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    float[] values = new float[length];
    byte[] chunk = new byte[4 * Math.min(CHUNK_FLOATS, length)];
    ByteBuffer bytes = ByteBuffer.wrap(chunk);
    for (int from = 0; from < length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, length - from);
      in.readFully(chunk, 0, 4 * n);
      bytes.clear();
      bytes.asFloatBuffer().get(values, from, n);
    }
    return values;
  }
}
