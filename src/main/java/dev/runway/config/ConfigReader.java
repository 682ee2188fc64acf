package dev.runway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.runway.error.JobConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Reads typed values out of a loaded job and collects every problem instead of stopping at the
 * first, so a user fixes a job file in one round. Each problem names the key, the offending value
 * and the file:line it came from. Accessors return a harmless placeholder after recording a
 * problem; callers finish reading, then call {@link #throwIfProblems()}.
 */
public final class ConfigReader {
  private final LoadedConfig loaded;
  private final Config config;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> read = new TreeSet<>();

  public ConfigReader(LoadedConfig loaded) {
    this.loaded = loaded;
    this.config = loaded.resolved();
  }

  public Config config() {
    return config;
  }

  /**
   * Reports every key the user set that reference.conf does not know, with the closest known key
   * as a suggestion. Keys below one of {@code openMaps} are passed through to Spark or Hadoop and
   * accepted as they are.
   */
  public void checkUnknownKeys(Set<String> openMaps) {
    List<String> known = knownPaths();
    walkUser(loaded.user().root(), new ArrayList<>(), openMaps, known);
  }

  private void walkUser(
      ConfigObject object, List<String> prefix, Set<String> openMaps, List<String> known) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      List<String> keys = new ArrayList<>(prefix);
      keys.add(entry.getKey());
      String path = ConfigUtil.joinPath(keys);
      if (openMaps.contains(path)) {
        continue;
      }
      if (!referenceHas(path)) {
        String hint = Suggestions.closest(path, known)
            .map(s -> "; did you mean " + s + "?")
            .orElse("");
        problems.add(
            "Unknown key " + path + " (" + describe(entry.getValue().origin()) + ")" + hint);
        continue;
      }
      if (entry.getValue() instanceof ConfigObject child && isObjectInReference(path)) {
        walkUser(child, keys, openMaps, known);
      }
    }
  }

  private boolean referenceHas(String path) {
    try {
      return loaded.reference().hasPathOrNull(path);
    } catch (ConfigException e) {
      return false; // a path through a leaf, e.g. job.name.x
    }
  }

  private boolean isObjectInReference(String path) {
    return !loaded.reference().getIsNull(path)
        && loaded.reference().getValue(path).valueType() == ConfigValueType.OBJECT;
  }

  private List<String> knownPaths() {
    Set<String> paths = new TreeSet<>();
    collect(loaded.reference().root(), new ArrayList<>(), paths);
    return new ArrayList<>(paths);
  }

  private static void collect(ConfigObject object, List<String> prefix, Set<String> into) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      List<String> keys = new ArrayList<>(prefix);
      keys.add(entry.getKey());
      into.add(ConfigUtil.joinPath(keys));
      if (entry.getValue() instanceof ConfigObject child) {
        collect(child, keys, into);
      }
    }
  }

  /** A required, non-blank string (reference.conf holds null for required keys). */
  public String requiredString(String path) {
    if (!present(path)) {
      return "";
    }
    String value = string(path);
    if (value.isBlank()) {
      problem(path, "the value must not be empty");
    }
    return value;
  }

  /** A string; empty when unset. */
  public String string(String path) {
    if (!present(path)) {
      return "";
    }
    ConfigValue value = config.getValue(path);
    if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
      problem(path, "expected a single value, got " + typeName(value.valueType()));
      return "";
    }
    return String.valueOf(value.unwrapped());
  }

  /** An int within [min, max]. */
  public int intIn(String path, int min, int max) {
    long value = longIn(path, min, max);
    return (int) value;
  }

  /** A long within [min, max]. */
  public long longIn(String path, long min, long max) {
    return bounded(
        path,
        min,
        max,
        config::getLong,
        "expected a whole number",
        max == Long.MAX_VALUE || max == Integer.MAX_VALUE
            ? "the value must be at least " + min
            : "the value must be between " + min + " and " + max);
  }

  /** A size in bytes within [min, max], written as a number of bytes or with a unit ("32 MiB", "64m"). */
  public long bytesIn(String path, long min, long max) {
    return bounded(
        path,
        min,
        max,
        config::getBytes,
        "expected a size in bytes, e.g. 32 MiB",
        "the size must be between " + min + " and " + max + " bytes");
  }

  /** A duration in milliseconds within [min, max], written with a unit ("10m", "30 seconds"). */
  public long millisIn(String path, long min, long max) {
    return bounded(
        path,
        min,
        max,
        p -> config.getDuration(p, TimeUnit.MILLISECONDS),
        "expected a duration, e.g. 10m or 30s",
        "the duration must be between " + min + " and " + max + " ms");
  }

  /** A whole number read by {@code getter}, within [min, max]; problems recorded, min returned. */
  private long bounded(
      String path,
      long min,
      long max,
      ToLongFunction<String> getter,
      String wrongType,
      String outOfRange) {
    if (!present(path)) {
      return min;
    }
    try {
      long value = getter.applyAsLong(path);
      if (value < min || value > max) {
        problem(path, outOfRange);
        return min;
      }
      return value;
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      problem(path, wrongType);
      return min;
    }
  }

  /** A double within [min, max], both inclusive. */
  public double doubleIn(String path, double min, double max) {
    if (!present(path)) {
      return min;
    }
    try {
      double value = config.getDouble(path);
      if (!(value >= min && value <= max)) {
        problem(
            path,
            max == Double.MAX_VALUE
                ? "the value must be at least " + fmt(min)
                : "the value must be between " + fmt(min) + " and " + fmt(max));
        return min;
      }
      return value;
    } catch (ConfigException.WrongType e) {
      problem(path, "expected a number");
      return min;
    }
  }

  /** A double within [min, max], or the word {@code auto}: then NaN. */
  public double doubleOrAuto(String path, double min, double max) {
    if (present(path)
        && config.getValue(path).valueType() == ConfigValueType.STRING
        && config.getString(path).equals("auto")) {
      return Double.NaN;
    }
    if (present(path) && config.getValue(path).valueType() == ConfigValueType.STRING) {
      try {
        config.getDouble(path);
      } catch (ConfigException.WrongType e) {
        problem(path, "expected a number or auto");
        return min;
      }
    }
    return doubleIn(path, min, max);
  }

  /** A non-empty list of numbers, each within [min, max]. */
  public List<Double> doubleList(String path, double min, double max) {
    if (!present(path)) {
      return List.of();
    }
    try {
      List<Double> values = List.copyOf(config.getDoubleList(path));
      if (values.isEmpty() || values.stream().anyMatch(v -> !(v >= min && v <= max))) {
        problem(
            path,
            "expected a non-empty list of numbers, each "
                + (max == Double.MAX_VALUE
                    ? "at least " + fmt(min)
                    : "between " + fmt(min) + " and " + fmt(max)));
        return List.of();
      }
      return values;
    } catch (ConfigException.WrongType e) {
      problem(path, "expected a list of numbers, e.g. [0, 0.01, 0.1]");
      return List.of();
    }
  }

  public boolean bool(String path) {
    if (!present(path)) {
      return false;
    }
    try {
      return config.getBoolean(path);
    } catch (ConfigException.WrongType e) {
      problem(path, "expected true or false");
      return false;
    }
  }

  /** One of a fixed set of words, with a suggestion when the value is close to one. */
  public String oneOf(String path, List<String> allowed) {
    String value = string(path);
    if (!present(path) || allowed.contains(value)) {
      return value;
    }
    String hint = Suggestions.closest(value, allowed)
        .map(s -> "; did you mean " + s + "?")
        .orElse("");
    problem(path, "must be one of " + String.join(", ", allowed) + hint);
    return allowed.get(0);
  }

  /**
   * One of the constants of {@code type}, by the name job files use for it ({@link
   * ConfigChoice#configName()}); a bad value is reported as {@link #oneOf} reports it. After a
   * problem, the first constant is returned as a placeholder.
   */
  public <E extends Enum<E> & ConfigChoice> E choice(String path, Class<E> type) {
    String value = oneOf(path, ConfigChoice.names(type));
    return ConfigChoice.parse(type, value).orElse(type.getEnumConstants()[0]);
  }

  public List<String> stringList(String path) {
    if (!present(path)) {
      return List.of();
    }
    try {
      return List.copyOf(config.getStringList(path));
    } catch (ConfigException.WrongType e) {
      problem(path, "expected a list of strings, e.g. [a, b]");
      return List.of();
    }
  }

  /** A non-empty list of whole numbers, each within [min, max]. */
  public List<Integer> intList(String path, int min, int max) {
    return intList(path, min, max, false);
  }

  /** Like {@link #intList(String, int, int)}, where an empty list means "not used". */
  public List<Integer> intListOrEmpty(String path, int min, int max) {
    return intList(path, min, max, true);
  }

  private List<Integer> intList(String path, int min, int max, boolean emptyAllowed) {
    if (!present(path)) {
      return List.of();
    }
    try {
      List<Integer> values = List.copyOf(config.getIntList(path));
      if ((values.isEmpty() && !emptyAllowed)
          || values.stream().anyMatch(v -> v < min || v > max)) {
        problem(
            path,
            "expected a " + (emptyAllowed ? "" : "non-empty ") + "list of whole numbers between "
                + min + " and " + max);
        return List.of();
      }
      return values;
    } catch (ConfigException.WrongType e) {
      problem(path, "expected a list of whole numbers, e.g. [256, 128]");
      return List.of();
    }
  }

  /** A list of objects, each returned as a Config of its own (e.g. SQL statements). */
  public List<Config> objectList(String path) {
    if (!present(path)) {
      return List.of();
    }
    try {
      List<Config> list = new ArrayList<>();
      config.getConfigList(path).forEach(list::add);
      return list;
    } catch (ConfigException.WrongType e) {
      problem(path, "expected a list of objects, e.g. [{ name = a, sql = \"SELECT ...\" }]");
      return List.of();
    }
  }

  /** An open map whose leaves are rendered as strings, keys as the user wrote them. */
  public Map<String, String> openMap(String path) {
    if (!present(path)) {
      return Map.of();
    }
    ConfigValue value = config.getValue(path);
    if (!(value instanceof ConfigObject object)) {
      problem(path, "expected an object of settings, e.g. { key = value }");
      return Map.of();
    }
    Map<String, String> map = new LinkedHashMap<>();
    flatten(object, "", map);
    return Collections.unmodifiableMap(map);
  }

  private static void flatten(ConfigObject object, String prefix, Map<String, String> into) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      if (entry.getValue() instanceof ConfigObject child) {
        flatten(child, key, into);
      } else if (entry.getValue().valueType() != ConfigValueType.NULL) {
        into.put(key, String.valueOf(entry.getValue().unwrapped()));
      }
    }
  }

  /** Records a problem with the value at {@code path}, quoting the value and where it was set. */
  public void problem(String path, String rule) {
    problems.add("Cannot set " + path + " = " + render(path) + " (" + where(path) + "): " + rule);
  }

  /**
   * Records a problem with a value no path reaches (a key of an object inside a list), named
   * {@code name} as users would point at it ({@code layers[2].kernel}), in the same form as {@link
   * #problem(String, String)}. {@code value} null: the key is missing from {@code around}, the
   * object whose line is quoted.
   */
  public void problem(String name, ConfigValue value, ConfigValue around, String rule) {
    ConfigValue at = value == null ? around : value;
    String shown = value == null ? "" : " = " + value.render(ConfigRenderOptions.concise());
    problems.add("Cannot set " + name + shown + " (" + describe(at.origin()) + "): " + rule);
  }

  /** Records a problem that is not about one key's value. */
  public void problem(String message) {
    problems.add(message);
  }

  /** Where the value at {@code path} was set, as file:line. */
  public String where(String path) {
    try {
      return describe(config.getValue(path).origin());
    } catch (ConfigException e) {
      return "not set";
    }
  }

  /** Every key an accessor has asked for: lets a test prove no reference.conf key goes unread. */
  public Set<String> readPaths() {
    return Collections.unmodifiableSet(read);
  }

  public List<String> problems() {
    return List.copyOf(problems);
  }

  public void throwIfProblems() {
    if (!problems.isEmpty()) {
      throw new JobConfigException(String.join(System.lineSeparator(), problems));
    }
  }

  /**
   * The resolved job (defaults included, so the run records every value it used) rendered as
   * HOCON with secrets redacted. The datasets section configures other commands, not the job.
   */
  public String renderRedacted() {
    return Secrets.redact(config.withoutPath("datasets"))
        .root()
        .render(ConfigRenderOptions.defaults()
            .setComments(false)
            .setOriginComments(false)
            .setJson(false));
  }

  private boolean present(String path) {
    read.add(path);
    if (config.hasPath(path)) {
      return true;
    }
    if (config.hasPathOrNull(path)) {
      problems.add("Missing required key " + path + ": set it in the job file or with --set " + path
          + "=...");
    }
    return false;
  }

  private String render(String path) {
    try {
      return config.getValue(path).render(ConfigRenderOptions.concise());
    } catch (ConfigException e) {
      return "null";
    }
  }

  static String describe(ConfigOrigin origin) {
    if (origin.filename() != null) {
      Path file = Path.of(origin.filename());
      Path cwd = Path.of("").toAbsolutePath();
      String shown = file.isAbsolute() && file.startsWith(cwd)
          ? cwd.relativize(file).toString()
          : file.toString();
      return origin.lineNumber() > 0 ? shown + ":" + origin.lineNumber() : shown;
    }
    String description = origin.description();
    if (description.startsWith("--set ")) {
      return description.replaceFirst(": \\d+$", "");
    }
    if (origin.resource() != null) {
      return origin.resource() + (origin.lineNumber() > 0 ? ":" + origin.lineNumber() : "");
    }
    return description.replaceFirst(": (\\d+)$", ":$1");
  }

  private static String typeName(ConfigValueType type) {
    return switch (type) {
      case OBJECT -> "an object";
      case LIST -> "a list";
      default -> type.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
