package dev.runway.preflight;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one pre-flight check found.
 *
 * @param check the check's name, as listed in preflight.warn-only
 * @param blocking whether the job stops (exit 2) instead of going on with a warning
 * @param message one line naming the setting and what to do
 */
public record Finding(String check, boolean blocking, String message) {

  /** For lineage and validate's output. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("check", check);
    m.put("severity", blocking ? "error" : "warning");
    m.put("message", message);
    return m;
  }
}
