package dev.runway.train.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** train.augment's image changes, checked against the transforms written out pixel by pixel. */
class AugmentationTest {
  private static final int H = 4;
  private static final int W = 5;

  /** n copies of a 2-channel 4 x 5 image whose every value is distinct and non-zero. */
  private static float[] images(int n) {
    float[] x = new float[n * 2 * H * W];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 2 * H * W; p++) {
        x[i * 2 * H * W + p] = p + 1;
      }
    }
    return x;
  }

  /** The image moved by (dy, dx) after mirroring (or not), written the slow way. */
  private static float[] expected(boolean flip, int dy, int dx) {
    float[] one = images(1);
    float[] out = new float[one.length];
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int sy = y - dy;
          int sx = x - dx;
          if (sy >= 0 && sy < H && sx >= 0 && sx < W) {
            int mirrored = flip ? W - 1 - sx : sx;
            out[c * H * W + y * W + x] = one[c * H * W + sy * W + mirrored];
          }
        }
      }
    }
    return out;
  }

  /** Which of the allowed transforms each of n augmented images is, counted. */
  private static Map<String, Integer> outcomes(Augmentation a, int n, long seed) {
    float[] x = images(n);
    a.apply(x, n, seed, new float[2 * H * W]);
    Map<String, Integer> seen = new HashMap<>();
    int size = 2 * H * W;
    for (int i = 0; i < n; i++) {
      float[] image = Arrays.copyOfRange(x, i * size, (i + 1) * size);
      String match = null;
      boolean[] mirrors = a.horizontalFlip() ? new boolean[] {false, true} : new boolean[] {false};
      for (boolean flip : mirrors) {
        for (int dy = -a.maxShift(); dy <= a.maxShift(); dy++) {
          for (int dx = -a.maxShift(); dx <= a.maxShift(); dx++) {
            if (Arrays.equals(image, expected(flip, dy, dx))) {
              match = flip + "," + dy + "," + dx;
            }
          }
        }
      }
      assertTrue(match != null, "image " + i + " is none of the allowed transforms");
      seen.merge(match, 1, Integer::sum);
    }
    return seen;
  }

  @Test
  void flipsMirrorEachRowOfEveryChannelForAboutHalfTheImages() {
    Map<String, Integer> seen = outcomes(new Augmentation(true, 0, 2, H, W), 2000, 11);
    assertEquals(2, seen.size(), seen.toString());
    // Binomial(2000, 0.5): 1000 +- 22 (one standard deviation); 100 is over four.
    assertEquals(1000, seen.get("true,0,0"), 100, seen.toString());
  }

  @Test
  void shiftsCoverEveryOffsetUpToMaxShiftAndFillTheEdgeWithZeros() {
    Map<String, Integer> seen = outcomes(new Augmentation(true, 2, 2, H, W), 5000, 12);
    // 2 mirrors x 5 x 5 offsets, each about 100 times.
    assertEquals(50, seen.size(), seen.toString());
    seen.values().forEach(count -> assertTrue(count > 50 && count < 160, seen.toString()));
  }

  @Test
  void theSameSeedDrawsTheSameChangesAndAnotherSeedOthers() {
    Augmentation a = new Augmentation(true, 1, 2, H, W);
    float[] first = images(50);
    float[] again = images(50);
    float[] other = images(50);
    float[] scratch = new float[2 * H * W];
    a.apply(first, 50, Augmentation.seed(7, 3), scratch);
    a.apply(again, 50, Augmentation.seed(7, 3), scratch);
    a.apply(other, 50, Augmentation.seed(7, 4), scratch);
    assertArrayEquals(first, again);
    assertFalse(Arrays.equals(first, other));
    // Only the first n images change.
    float[] partial = images(50);
    a.apply(partial, 10, Augmentation.seed(7, 3), scratch);
    assertArrayEquals(
        Arrays.copyOfRange(images(50), 10 * 40, 50 * 40),
        Arrays.copyOfRange(partial, 10 * 40, 50 * 40));
  }

  @Test
  void noneChangesNothing() {
    float[] x = images(3);
    Augmentation.NONE.apply(x, 3, 1, null);
    assertArrayEquals(images(3), x);
    assertFalse(Augmentation.NONE.enabled());
  }
}
