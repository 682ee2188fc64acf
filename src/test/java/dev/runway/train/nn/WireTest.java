package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a round sends each way survives Java serialization, float for float. */
class WireTest {
  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  private static float[] floats(int n, long seed) {
    Random r = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) r.nextGaussian();
    }
    if (n > 3) {
      out[1] = Float.NaN;
      out[2] = Float.NEGATIVE_INFINITY;
      out[3] = -0.0f;
    }
    return out;
  }

  @Test
  void aResultComesBackWhole() throws Exception {
    // Lengths around the 16,384-float chunk: one short, exact, one over, several chunks.
    for (int n : new int[] {0, 5, 16_383, 16_384, 16_385, 100_003}) {
      RoundResult sent =
          new RoundResult(3, 640, 5, floats(n, n), floats(2 * n, n + 1), 12.5, 99L, 1234L, 7L);
      RoundResult got = roundTrip(sent);
      assertArrayEquals(sent.params(), got.params(), "params of " + n);
      assertArrayEquals(sent.updater(), got.updater(), "updater of " + n);
      assertEquals(3, got.worker());
      assertEquals(640, got.examples());
      assertEquals(5, got.batches());
      assertEquals(12.5, got.lossSum());
      assertEquals(99L, got.computeNanos());
      assertEquals(1234L, got.startedAtMillis());
      assertEquals(7L, got.setupNanos());
    }
  }

  @Test
  void anIdleResultKeepsItsNullArrays() throws Exception {
    RoundResult got = roundTrip(RoundResult.idle(4));
    assertNull(got.params());
    assertNull(got.updater());
    assertEquals(4, got.worker());
  }

  @Test
  void theBroadcastStateComesBackWhole() throws Exception {
    WorkerState sent = new WorkerState(floats(50_000, 1), floats(100_000, 2), 321, 4);
    WorkerState got = roundTrip(sent);
    assertArrayEquals(sent.params(), got.params());
    assertArrayEquals(sent.updater(), got.updater());
    assertEquals(321, got.iteration());
    assertEquals(4, got.epoch());
  }

  @Test
  void aCheckpointStateWrittenInTheRecordsOwnFormStillReads() throws Exception {
    // Written by the code before states moved in bulk (Java serialization of the plain record):
    // checkpoints of runs from then must still resume.
    try (ObjectInputStream in = new ObjectInputStream(
        WireTest.class.getResourceAsStream("/checkpoints/worker-state-record-form.bin"))) {
      WorkerState old = (WorkerState) in.readObject();
      assertArrayEquals(new float[] {1.5f, -2f, Float.NaN}, old.params());
      assertArrayEquals(new float[] {0.25f, 4f}, old.updater());
      assertEquals(17, old.iteration());
      assertEquals(3, old.epoch());
    }
    // And today's form is the bulk one, not the record's.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new WorkerState(new float[0], new float[0], 0, 0));
    }
    assertTrue(bytes.toString(StandardCharsets.ISO_8859_1).contains("WorkerState$Wire"));
  }

  @Test
  void theBulkFormTakesFourBytesAFloat() throws Exception {
    float[] p = floats(100_000, 5);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(wire)) {
      out.writeObject(new RoundResult(0, 1, 1, p, p, 0, 0, 0, 0));
    }
    // 4 bytes a float, plus the stream's 5-byte header per 1 KB block of data (0.5%): nothing
    // boxed or written twice.
    assertTrue(wire.size() < 1.01 * 2 * 4 * p.length, "wire bytes " + wire.size());
  }
}
