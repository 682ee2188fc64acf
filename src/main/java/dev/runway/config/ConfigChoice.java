package dev.runway.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A closed choice of a job setting (split.method, source.format, model.neural-network.updater,
 * ...) as an enum constant that knows how job files spell it. Parsed once, where the job is read
 * ({@link ConfigReader#choice}); code then switches on the constant. Wherever a choice is written
 * out (lineage.json, metrics.json, log lines), it is written as {@link #configName()}, exactly as
 * the job file says it.
 */
public interface ConfigChoice {
  /**
   * The value as written in job files and in every output, e.g. "k-fold": the constant's name in
   * lower case, '_' as '-' (K_FOLD), so a constant cannot drift from its spelling.
   */
  default String configName() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant of {@code type} that job files spell {@code name}, if there is one. */
  static <E extends Enum<E> & ConfigChoice> Optional<E> parse(Class<E> type, String name) {
    return Arrays.stream(type.getEnumConstants())
        .filter(c -> c.configName().equals(name))
        .findFirst();
  }

  /** How job files spell each constant of {@code type}, in declaration order. */
  static <E extends Enum<E> & ConfigChoice> List<String> names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(ConfigChoice::configName).toList();
  }
}
