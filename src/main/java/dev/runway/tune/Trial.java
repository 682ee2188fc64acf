package dev.runway.tune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One point of the search space: its id (t01, t02, ... in the order drawn) and the value it sets
 * for each tuned key, in the space's order.
 */
public record Trial(String id, Map<String, Object> settings) {
  public Trial {
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }
}
