package dev.runway.train.nn;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * {@code train.augment}: random label-preserving changes to training images, drawn anew for every
 * minibatch of every epoch, so the network sees more images than the table holds. Each image is
 * mirrored left to right with probability one half ({@code horizontalFlip}) and moved by whole
 * pixels, up to {@code maxShift} each way in each direction (the uncovered edge reads 0: the
 * background of images scaled to [0, 1]). Validation, test and scoring see the images as they are.
 *
 * <p>The draws come from a seed per minibatch (the epoch's shuffle seed and the minibatch's index),
 * not from a generator running on through the training: a round rerun on another executor, a
 * resumed run and the single-JVM baseline draw exactly what an undisturbed run draws.
 *
 * @param horizontalFlip mirror half of the images left to right
 * @param maxShift most pixels an image moves up or down, and left or right (0: none)
 * @param channels image channels, from model.neural-network.input-shape
 * @param height image height
 * @param width image width
 */
public record Augmentation(
    boolean horizontalFlip, int maxShift, int channels, int height, int width)
    implements Serializable {

  /** No augmentation. */
  public static final Augmentation NONE = new Augmentation(false, 0, 0, 0, 0);

  /** Whether any image changes. */
  public boolean enabled() {
    return horizontalFlip || maxShift > 0;
  }

  /** For the training's log line: ", images mirrored and moved up to 1 pixel", or nothing. */
  String describe() {
    if (!enabled()) {
      return "";
    }
    String moved = "moved up to " + maxShift + (maxShift == 1 ? " pixel" : " pixels");
    return ", training images "
        + (horizontalFlip && maxShift > 0
            ? "mirrored and " + moved
            : horizontalFlip ? "mirrored" : moved)
        + " at random (train.augment)";
  }

  /**
   * Changes the first {@code n} images of {@code x} (n rows of channels x height x width values,
   * row-major) in place, with draws seeded by {@code seed}. {@code scratch} holds one image.
   */
  void apply(float[] x, int n, long seed, float[] scratch) {
    if (!enabled()) {
      return;
    }
    int size = channels * height * width;
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      // Draw every value whatever the settings use, so one setting's draws do not depend on the
      // other's.
      boolean flip = random.nextBoolean() && horizontalFlip;
      int dy = random.nextInt(2 * maxShift + 1) - maxShift;
      int dx = random.nextInt(2 * maxShift + 1) - maxShift;
      if (!flip && dx == 0 && dy == 0) {
        continue;
      }
      int base = i * size;
      System.arraycopy(x, base, scratch, 0, size);
      for (int c = 0; c < channels; c++) {
        int plane = base + c * height * width;
        int source = c * height * width;
        for (int y = 0; y < height; y++) {
          int sy = y - dy;
          int out = plane + y * width;
          if (sy < 0 || sy >= height) {
            Arrays.fill(x, out, out + width, 0f);
            continue;
          }
          int in = source + sy * width;
          for (int col = 0; col < width; col++) {
            // Output column col shows the moved image's column col - dx, which the mirror took
            // from the other side.
            int sx = col - dx;
            if (sx < 0 || sx >= width) {
              x[out + col] = 0f;
            } else {
              x[out + col] = scratch[in + (flip ? width - 1 - sx : sx)];
            }
          }
        }
      }
    }
  }

  /** The seed of minibatch {@code batch} of a shuffle seeded by {@code orderSeed}. */
  static long seed(long orderSeed, int batch) {
    return RowPermutation.mix(orderSeed * 1_000_003L + batch + 0x5DEECE66DL);
  }
}
