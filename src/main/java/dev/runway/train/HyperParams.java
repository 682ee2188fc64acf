package dev.runway.train;

import dev.runway.config.ConfigChoice;
import dev.runway.config.ConfigReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one trainer's section, {@code model.<type>}, and remembers every value read, so the
 * hyperparameters recorded in lineage are exactly the ones the trainer uses.
 */
final class HyperParams {
  private final ConfigReader r;
  private final String prefix;
  private final Map<String, Object> values = new LinkedHashMap<>();

  HyperParams(ConfigReader r, String type) {
    this.r = r;
    this.prefix = "model." + type + ".";
  }

  int intIn(String key, int min, int max) {
    return remember(key, r.intIn(prefix + key, min, max));
  }

  double doubleIn(String key, double min, double max) {
    return remember(key, r.doubleIn(prefix + key, min, max));
  }

  /** A number, or NaN for {@code auto} (recorded as "auto"). */
  double doubleOrAuto(String key, double min, double max) {
    double value = r.doubleOrAuto(prefix + key, min, max);
    values.put(key, Double.isNaN(value) ? "auto" : value);
    return value;
  }

  List<Double> doubleList(String key, double min, double max) {
    return remember(key, r.doubleList(prefix + key, min, max));
  }

  boolean bool(String key) {
    return remember(key, r.bool(prefix + key));
  }

  /** One of a closed set of values, recorded as the job file spells it. */
  <E extends Enum<E> & ConfigChoice> E choice(String key, Class<E> type) {
    E value = r.choice(prefix + key, type);
    values.put(key, value.configName());
    return value;
  }

  List<Integer> intList(String key, int min, int max) {
    return remember(key, r.intList(prefix + key, min, max));
  }

  Map<String, Object> values() {
    return Collections.unmodifiableMap(values);
  }

  private <T> T remember(String key, T value) {
    values.put(key, value);
    return value;
  }
}
