package dev.runway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Keeps credentials out of everything a run writes or logs. */
public final class Secrets {
  /** Key names that hold secrets, wherever they appear (Hadoop and Spark keys included). */
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(secret|password|passwd|token|access[._-]?key|session[._-]?key|private[._-]?key|signature).*");

  public static final String REDACTED = "<redacted>";

  private Secrets() {}

  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).matches();
  }

  /** The config with every secret-named leaf replaced by {@link #REDACTED}. */
  public static Config redact(Config config) {
    Config out = config;
    for (Map.Entry<String, ConfigValue> entry : config.entrySet()) {
      if (isSecretKey(entry.getKey())) {
        out = out.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef(REDACTED, "redacted"));
      }
    }
    return out;
  }

  /** A copy of a flat settings map with secret values replaced. */
  public static Map<String, String> redact(Map<String, String> settings) {
    Map<String, String> out = new LinkedHashMap<>();
    settings.forEach((k, v) -> out.put(k, isSecretKey(k) ? REDACTED : v));
    return out;
  }
}
