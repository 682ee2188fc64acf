package dev.runway.train.nn;

import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.Pointer;

/**
 * Whether this JVM bounds the native memory a convolutional network leaves behind. Deeplearning4j's
 * convolution layers allocate scratch arrays off the heap at every step, and ND4J frees one only
 * when the collector finds its small Java object; JavaCPP, which owns those arrays, collects when
 * the process's resident memory passes {@code org.bytedeco.javacpp.maxphysicalbytes}, by default
 * {@code maxbytes} + 3 x the heap (16 GB with a 4 GB heap). The CNN example reached exactly that in
 * two epochs, and 7.6 GB with the cap at the heap + 3 GB, no slower (README, "Memory"). scripts/run
 * sets that cap; a JVM started another way (spark-submit in local mode, a notebook) may not, and
 * its options are fixed by the time a job is read, so all runway can do is say so.
 */
final class NativeMemory {
  /** Above the heap by more than this, the cap is left at JavaCPP's default or near it. */
  static final long HEADROOM_BYTES = 4L << 30;

  private NativeMemory() {}

  /**
   * The advice for a training in this JVM, if any.
   *
   * @param convolutional the network has a convolution layer
   * @param trainsHere the training runs in this JVM (Spark's local mode); executors get their
   *     options from whoever launches them ({@code scripts/submit} caps theirs)
   * @param heapBytes the JVM's maximum heap
   * @param maxPhysicalBytes JavaCPP's cap on resident memory; 0 when there is none
   */
  static Optional<String> advice(
      boolean convolutional, boolean trainsHere, long heapBytes, long maxPhysicalBytes) {
    boolean uncapped = maxPhysicalBytes <= 0 || maxPhysicalBytes > heapBytes + HEADROOM_BYTES;
    if (!convolutional || !trainsHere || !uncapped) {
      return Optional.empty();
    }
    long suggestedGb = Math.max(1, (heapBytes + (3L << 30) + (1L << 29)) >> 30);
    return Optional.of(String.format(
        Locale.ROOT,
        "A convolutional network in a JVM whose native memory is %s: its native scratch arrays"
            + " are freed only as the collector finds them, and resident memory grows toward"
            + " that; cap it near the heap with -Dorg.bytedeco.javacpp.maxphysicalbytes=%dg"
            + " (scripts/run sets the heap + 3 GB; README, Convolutional networks, Memory)",
        maxPhysicalBytes <= 0
            ? "not capped"
            : String.format(Locale.ROOT, "capped at %,d MB", maxPhysicalBytes >> 20),
        suggestedGb));
  }

  /** The advice for this JVM, whose heap and JavaCPP cap are read here. */
  static Optional<String> advice(boolean convolutional, boolean trainsHere) {
    return advice(
        convolutional, trainsHere, Runtime.getRuntime().maxMemory(), Pointer.maxPhysicalBytes());
  }
}
