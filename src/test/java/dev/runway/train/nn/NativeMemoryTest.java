package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
  private static final long GB = 1L << 30;

  @Test
  void aConvolutionalNetworkInALocalJvmAtJavaCppsDefaultCapIsToldTheOptions() {
    // JavaCPP's default with a 4 GB heap: maxbytes (the heap) + 3 x the heap.
    String advice = NativeMemory.advice(true, true, 4 * GB, 16 * GB).orElseThrow();
    assertTrue(advice.contains("capped at 16,384 MB"), advice);
    assertTrue(
        advice.contains("cap it near the heap with -Dorg.bytedeco.javacpp.maxphysicalbytes=7g"),
        advice);
    assertTrue(NativeMemory.advice(true, true, 4 * GB, 0).orElseThrow().contains("not capped"));
    assertTrue(NativeMemory.advice(true, true, GB, 0).orElseThrow().contains("=4g"));
  }

  @Test
  void noAdviceWithACapNearTheHeapForADenseNetworkOrForExecutors() {
    assertEquals(Optional.empty(), NativeMemory.advice(true, true, 4 * GB, 7 * GB));
    assertEquals(Optional.empty(), NativeMemory.advice(true, true, 4 * GB, 8 * GB));
    assertEquals(Optional.empty(), NativeMemory.advice(false, true, 4 * GB, 16 * GB));
    assertEquals(Optional.empty(), NativeMemory.advice(true, false, 4 * GB, 16 * GB));
  }

  @Test
  void thisJvmsCapIsJavaCppsDefault() {
    // Surefire's JVM sets no JavaCPP option: the cap is maxbytes (the heap) + 3 x the heap.
    long heap = Runtime.getRuntime().maxMemory();
    assertTrue(NativeMemory.advice(true, true).isPresent());
    assertEquals(Optional.empty(), NativeMemory.advice(false, true));
    assertTrue(heap > 0);
  }
}
