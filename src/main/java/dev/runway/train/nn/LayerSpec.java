package dev.runway.train.nn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One layer of {@code model.neural-network.layers}, input side first: a pure description, turned
 * into Deeplearning4j's layer by {@link NetworkSpec#configuration}. The output layer is not one of
 * them: it follows the target.
 */
public sealed interface LayerSpec extends Serializable {

  /** Its name in the job file ({@code type = ...}). */
  String type();

  /** The shape after this layer, given the shape before it; a problem when it does not fit. */
  Shape apply(Shape in);

  /** A short name for tables and logs: conv5x5x16, max2x2, dense64. */
  String label();

  /**
   * What flows between layers: an image of {@code channels x height x width}, or a flat vector of
   * {@code channels} values ({@code height = width = 0}).
   */
  record Shape(int channels, int height, int width) implements Serializable {
    static Shape flat(int size) {
      return new Shape(size, 0, 0);
    }

    /** The image of {@code model.neural-network.input-shape}: [channels, height, width]. */
    static Shape of(List<Integer> channelsHeightWidth) {
      return new Shape(
          channelsHeightWidth.get(0), channelsHeightWidth.get(1), channelsHeightWidth.get(2));
    }

    boolean image() {
      return height > 0;
    }

    long size() {
      return image() ? (long) channels * height * width : channels;
    }

    @Override
    public String toString() {
      return image() ? channels + "x" + height + "x" + width : Integer.toString(channels);
    }
  }

  /** A layer that does not fit the shape it receives: the message says why, with the arithmetic. */
  final class Mismatch extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Mismatch(String message) {
      super(message);
    }
  }

  /** A fully connected layer of {@code units}. */
  record Dense(int units, NetworkSpec.HiddenActivation activation) implements LayerSpec {
    @Override
    public String label() {
      return "dense" + units;
    }

    @Override
    public String type() {
      return "dense";
    }

    @Override
    public Shape apply(Shape in) {
      return Shape.flat(units);
    }
  }

  /** A 2-D convolution: {@code filters} kernels of {@code kernelH x kernelW}. */
  record Convolution(
      int filters,
      int kernelH,
      int kernelW,
      int strideH,
      int strideW,
      int padH,
      int padW,
      NetworkSpec.HiddenActivation activation)
      implements LayerSpec {
    @Override
    public String label() {
      return "conv" + kernelH + "x" + kernelW + "x" + filters;
    }

    @Override
    public String type() {
      return "convolution";
    }

    @Override
    public Shape apply(Shape in) {
      requireImage(this, in);
      return new Shape(
          filters,
          slide("height", in.height(), kernelH, strideH, padH),
          slide("width", in.width(), kernelW, strideW, padW));
    }
  }

  /** Max or average pooling over {@code kernelH x kernelW} windows. */
  record Pooling(boolean max, int kernelH, int kernelW, int strideH, int strideW)
      implements LayerSpec {
    @Override
    public String label() {
      return (max ? "max" : "avg") + kernelH + "x" + kernelW;
    }

    @Override
    public String type() {
      return "pooling";
    }

    @Override
    public Shape apply(Shape in) {
      requireImage(this, in);
      return new Shape(
          in.channels(),
          slide("height", in.height(), kernelH, strideH, 0),
          slide("width", in.width(), kernelW, strideW, 0));
    }
  }

  /** Batch normalization: per channel of an image, per unit of a vector. */
  record BatchNormalization() implements LayerSpec {
    @Override
    public String label() {
      return "bn";
    }

    @Override
    public String type() {
      return "batch-normalization";
    }

    @Override
    public Shape apply(Shape in) {
      return in;
    }
  }

  /** Drops each input with probability {@code rate} while training. */
  record Dropout(double rate) implements LayerSpec {
    @Override
    public String label() {
      return "drop" + rate;
    }

    @Override
    public String type() {
      return "dropout";
    }

    @Override
    public Shape apply(Shape in) {
      return in;
    }
  }

  /** An image becomes a vector (Deeplearning4j does this itself before a dense layer). */
  record Flatten() implements LayerSpec {
    @Override
    public String label() {
      return "flat";
    }

    @Override
    public String type() {
      return "flatten";
    }

    @Override
    public Shape apply(Shape in) {
      return Shape.flat((int) in.size());
    }
  }

  /**
   * The shape after each layer, from {@code input}; a {@link Mismatch} naming the first layer
   * that does not fit (1-based, as users count) and why.
   */
  static List<Shape> shapes(List<LayerSpec> layers, Shape input) {
    List<Shape> out = new ArrayList<>();
    Shape shape = input;
    for (int i = 0; i < layers.size(); i++) {
      try {
        shape = layers.get(i).apply(shape);
      } catch (Mismatch e) {
        throw new Mismatch(String.format(
            Locale.ROOT, "layer %d (%s) %s", i + 1, layers.get(i).type(), e.getMessage()));
      }
      out.add(shape);
    }
    return out;
  }

  private static void requireImage(LayerSpec layer, Shape in) {
    if (!in.image()) {
      throw new Mismatch("needs an image, but receives a vector of " + in.channels()
          + " values (set model.neural-network.input-shape = [channels, height, width], and put"
          + " " + layer.type() + " layers before any dense or flatten layer)");
    }
  }

  /** Output size of a window of {@code kernel} sliding by {@code stride} over {@code in} + padding. */
  private static int slide(String side, int in, int kernel, int stride, int pad) {
    int room = in + 2 * pad - kernel;
    if (room < 0) {
      throw new Mismatch(String.format(
          Locale.ROOT,
          "does not fit its input: a kernel %s of %d is larger than the input %s %d%s",
          side,
          kernel,
          side,
          in,
          pad == 0 ? "" : " + 2 x padding " + pad + " = " + (in + 2 * pad)));
    }
    return room / stride + 1;
  }
}
