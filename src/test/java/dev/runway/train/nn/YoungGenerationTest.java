package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class YoungGenerationTest {
  private static final long ERGONOMIC_4G_HEAP = 2_575_302_656L; // G1's MaxNewSize for -Xmx4g

  @Test
  void aConvolutionalNetworkInALocalJvmWithALargeYoungGenerationIsToldTheOption() {
    String advice = YoungGeneration.advice(true, true, ERGONOMIC_4G_HEAP).orElseThrow();
    assertTrue(advice.contains("-XX:MaxNewSize=256m"), advice);
    assertTrue(advice.contains("RUNWAY_JVM_OPTS"), advice);
    assertTrue(advice.contains("2,456 MB"), advice);
  }

  @Test
  void noAdviceForASmallYoungGenerationADenseNetworkExecutorsOrAnUnknownSize() {
    assertEquals(Optional.empty(), YoungGeneration.advice(true, true, 256L << 20));
    assertEquals(Optional.empty(), YoungGeneration.advice(true, true, YoungGeneration.LIMIT_BYTES));
    assertEquals(Optional.empty(), YoungGeneration.advice(false, true, ERGONOMIC_4G_HEAP));
    assertEquals(Optional.empty(), YoungGeneration.advice(true, false, ERGONOMIC_4G_HEAP));
    assertEquals(Optional.empty(), YoungGeneration.advice(true, true, -1));
  }

  @Test
  void thisJvmsYoungGenerationIsRead() {
    long bytes = YoungGeneration.maxNewSizeBytes();
    assertTrue(bytes > 0 && bytes <= Runtime.getRuntime().maxMemory(), "MaxNewSize " + bytes);
  }
}
