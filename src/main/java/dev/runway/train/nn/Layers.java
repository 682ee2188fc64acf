package dev.runway.train.nn;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.runway.config.ConfigChoice;
import dev.runway.config.ConfigReader;
import dev.runway.train.nn.NetworkSpec.HiddenActivation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code model.neural-network.layers}: a list of objects, one per layer, each with a {@code
 * type} and that type's keys. A list's elements have no path of their own, so every problem names
 * the layer by its place ({@code layers[2]}) and the file and line it was written on.
 */
final class Layers {
  /** Each layer type's keys, the types in the order error messages list them. */
  private static final Map<String, Set<String>> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("dense", Set.of("type", "units", "activation"));
    KEYS.put("convolution", Set.of("type", "filters", "kernel", "stride", "padding", "activation"));
    KEYS.put("pooling", Set.of("type", "pool", "kernel", "stride"));
    KEYS.put("batch-normalization", Set.of("type"));
    KEYS.put("dropout", Set.of("type", "rate"));
    KEYS.put("flatten", Set.of("type"));
  }

  private Layers() {}

  /** The layers at {@code path}; problems are collected in {@code r} (and the list cut short). */
  static List<LayerSpec> read(ConfigReader r, String path, HiddenActivation activation) {
    List<LayerSpec> layers = new ArrayList<>();
    List<Config> objects = r.objectList(path);
    ConfigList values = objects.isEmpty() ? null : r.config().getList(path);
    for (int i = 0; i < objects.size(); i++) {
      Element e = new Element(r, path + "[" + (i + 1) + "]", objects.get(i), values.get(i));
      LayerSpec layer = e.layer(activation);
      if (layer == null) {
        return List.of();
      }
      layers.add(layer);
    }
    return layers;
  }

  /** One layer's object, with the path and line its problems quote. */
  private record Element(ConfigReader r, String name, Config c, ConfigValue value) {
    LayerSpec layer(HiddenActivation activation) {
      if (!c.hasPath("type")) {
        return fail("type", "every layer needs a type: one of " + types());
      }
      String type = c.getValue("type").unwrapped().toString();
      Set<String> keys = KEYS.get(type);
      if (keys == null) {
        return fail("type", "unknown layer type \"" + type + "\"; expected one of " + types());
      }
      for (String key : c.root().keySet()) {
        if (!keys.contains(key)) {
          return fail(
              key,
              "a " + type + " layer has no key " + key + "; its keys: "
                  + String.join(", ", new TreeSet<>(keys)));
        }
      }
      try {
        return switch (type) {
          case "dense" ->
            new LayerSpec.Dense(positive("units", null), activation("activation", activation));
          case "convolution" -> {
            int[] kernel = pair("kernel", null, 1);
            int[] stride = pair("stride", new int[] {1, 1}, 1);
            int[] padding = pair("padding", new int[] {0, 0}, 0);
            yield new LayerSpec.Convolution(
                positive("filters", null),
                kernel[0],
                kernel[1],
                stride[0],
                stride[1],
                padding[0],
                padding[1],
                activation("activation", activation));
          }
          case "pooling" -> {
            int[] kernel = pair("kernel", null, 1);
            int[] stride = pair("stride", kernel, 1);
            String pool = c.hasPath("pool") ? c.getString("pool") : "max";
            if (!pool.equals("max") && !pool.equals("avg")) {
              throw new Bad("pool", "expected max or avg");
            }
            yield new LayerSpec.Pooling(
                pool.equals("max"), kernel[0], kernel[1], stride[0], stride[1]);
          }
          case "batch-normalization" -> new LayerSpec.BatchNormalization();
          case "dropout" -> new LayerSpec.Dropout(rate());
          default -> new LayerSpec.Flatten();
        };
      } catch (Bad b) {
        return fail(b.key, b.getMessage());
      }
    }

    private static String types() {
      return String.join(", ", KEYS.keySet());
    }

    private LayerSpec fail(String key, String rule) {
      r.problem(name + "." + key, c.hasPath(key) ? c.getValue(key) : null, value, rule);
      return null;
    }

    private int positive(String key, Integer fallback) {
      if (!c.hasPath(key)) {
        if (fallback == null) {
          throw new Bad(key, "required");
        }
        return fallback;
      }
      return whole(key, c.getValue(key), 1);
    }

    /** An int, or a list [height, width]: both sides of a kernel, stride or padding. */
    private int[] pair(String key, int[] fallback, int min) {
      if (!c.hasPath(key)) {
        if (fallback == null) {
          throw new Bad(key, "required: one size for both sides, or [height, width]");
        }
        return fallback;
      }
      ConfigValue v = c.getValue(key);
      if (v.valueType() == ConfigValueType.LIST) {
        ConfigList list = (ConfigList) v;
        if (list.size() != 2) {
          throw new Bad(key, "expected one size for both sides, or [height, width]");
        }
        return new int[] {whole(key, list.get(0), min), whole(key, list.get(1), min)};
      }
      int n = whole(key, v, min);
      return new int[] {n, n};
    }

    private static int whole(String key, ConfigValue v, int min) {
      Object raw = v.unwrapped();
      if (!(raw instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new Bad(key, "expected a whole number");
      }
      if (n.longValue() < min || n.longValue() > 65_536) {
        throw new Bad(key, "must be between " + min + " and 65536");
      }
      return n.intValue();
    }

    private double rate() {
      if (!c.hasPath("rate")) {
        throw new Bad("rate", "required: the probability of dropping an input, e.g. 0.25");
      }
      Object raw = c.getValue("rate").unwrapped();
      if (!(raw instanceof Number n) || n.doubleValue() <= 0 || n.doubleValue() >= 1) {
        throw new Bad("rate", "must be a probability above 0 and below 1");
      }
      return n.doubleValue();
    }

    private HiddenActivation activation(String key, HiddenActivation fallback) {
      if (!c.hasPath(key)) {
        return fallback;
      }
      String name = c.getValue(key).unwrapped().toString().toLowerCase(Locale.ROOT);
      return ConfigChoice.parse(HiddenActivation.class, name)
          .orElseThrow(() -> new Bad(
              key,
              "expected one of " + String.join(", ", ConfigChoice.names(HiddenActivation.class))));
    }
  }

  /** A problem with one key of a layer. */
  private static final class Bad extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String key;

    Bad(String key, String rule) {
      super(rule, null, false, false);
      this.key = key;
    }
  }
}
