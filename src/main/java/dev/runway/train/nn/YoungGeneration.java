package dev.runway.train.nn;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether this JVM's young generation suits a convolutional network. Deeplearning4j's convolution
 * layers allocate scratch arrays off the heap at every step, and ND4J frees one only when the
 * collector finds its small Java object; a young generation of gigabytes (G1's default with a 4 GB
 * heap) lets gigabytes of dead native arrays pile up between collections (README, "Memory": 9.9 GB
 * resident against 5.7 GB with {@code -XX:MaxNewSize=256m}, and slower). The JVM's options are
 * fixed by the time a job is read, so all runway can do is say so.
 */
final class YoungGeneration {
  /** Above this, the CNN example's resident memory was measured growing past 7 GB. */
  static final long LIMIT_BYTES = 512L << 20;

  private YoungGeneration() {}

  /**
   * The advice for a training in this JVM, if any.
   *
   * @param convolutional the network has a convolution layer
   * @param trainsHere the training runs in this JVM (Spark's local mode); executors are given their
   *     options by whoever launches them
   * @param maxNewSizeBytes the JVM's {@code MaxNewSize}; negative when unknown
   */
  static Optional<String> advice(boolean convolutional, boolean trainsHere, long maxNewSizeBytes) {
    if (!convolutional || !trainsHere || maxNewSizeBytes <= LIMIT_BYTES) {
      return Optional.empty();
    }
    return Optional.of(String.format(
        Locale.ROOT,
        "A convolutional network in a JVM whose young generation may grow to %,d MB: its native"
            + " scratch arrays pile up between collections (several GB of resident memory); add"
            + " -XX:MaxNewSize=256m to RUNWAY_JVM_OPTS (README, Convolutional networks, Memory)",
        maxNewSizeBytes >> 20));
  }

  /** This JVM's {@code MaxNewSize} in bytes, or -1 when the JVM does not say. */
  static long maxNewSizeBytes() {
    try {
      return Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption("MaxNewSize")
          .getValue());
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
