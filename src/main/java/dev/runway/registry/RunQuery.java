package dev.runway.registry;

import dev.runway.error.JobConfigException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code runs list} keeps and in which order: {@code --where 'test.accuracy > 0.88 and
 * model_type = neural-network'} (conditions joined by {@code and}, each a field or {@code
 * split.metric}, an operator {@code = != < <= > >=} and a number or a word) and {@code --sort
 * -test.accuracy} (a leading '-' for descending; runs without the value last).
 */
public final class RunQuery {
  private static final Pattern CONDITION =
      Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_.]*)\\s*(<=|>=|!=|=|<|>)\\s*'?([^'\\s]+)'?\\s*");

  private RunQuery() {}

  /** The filter {@code where} says; everything when blank. Exit 2 naming the bad condition. */
  public static Predicate<RunEntry> where(String where) {
    Predicate<RunEntry> all = e -> true;
    if (where == null || where.isBlank()) {
      return all;
    }
    for (String condition : where.split("(?i)\\s+and\\s+")) {
      all = all.and(condition(condition));
    }
    return all;
  }

  private static Predicate<RunEntry> condition(String text) {
    Matcher m = CONDITION.matcher(text);
    if (!m.matches()) {
      throw new JobConfigException(
          "Cannot read --where condition '" + text.strip()
              + "': write FIELD OP VALUE, e.g. 'test.accuracy > 0.88' or 'model_type = neural-network'");
    }
    String path = known(m.group(1), "--where");
    String op = m.group(2);
    String value = m.group(3);
    Optional<Double> number = number(value);
    if (number.isEmpty() && !op.equals("=") && !op.equals("!=")) {
      throw new JobConfigException("Cannot read --where condition '" + text.strip() + "': " + op
          + " needs a number, not '" + value + "'");
    }
    return e -> e.value(path)
        .map(v -> {
          int c = v instanceof Double d && number.isPresent()
              ? Double.compare(d, number.get())
              : String.valueOf(v).compareTo(value);
          return switch (op) {
            case "=" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
          };
        })
        .orElse(false);
  }

  /** The order {@code sort} says (by run id when blank). */
  public static Comparator<RunEntry> sort(String sort) {
    Comparator<RunEntry> byRun = Comparator.comparing(RunEntry::runId);
    if (sort == null || sort.isBlank()) {
      return byRun;
    }
    boolean descending = sort.startsWith("-");
    String path = known(descending ? sort.substring(1) : sort, "--sort");
    Comparator<Object> values = (a, b) -> a instanceof Double x && b instanceof Double y
        ? Double.compare(x, y)
        : String.valueOf(a).compareTo(String.valueOf(b));
    if (descending) {
      values = values.reversed();
    }
    Comparator<Object> order = values;
    // Runs without the value go last whichever the direction.
    return Comparator.<RunEntry, Boolean>comparing(e -> e.value(path).isEmpty())
        .thenComparing((a, b) -> a.value(path).isEmpty()
            ? 0
            : order.compare(a.value(path).get(), b.value(path).get()))
        .thenComparing(byRun);
  }

  private static String known(String path, String option) {
    if (!RunEntry.known(path)) {
      List<String> metrics = new ArrayList<>();
      RunEntry.HEADLINE.forEach(m -> metrics.add("SPLIT." + m));
      throw new JobConfigException("Unknown field '" + path + "' in " + option + ": use one of "
          + String.join(", ", RunEntry.FIELDS) + " or " + String.join(", ", metrics)
          + " (SPLIT: train, validation, test)");
    }
    return path;
  }

  private static Optional<Double> number(String text) {
    try {
      return Optional.of(Double.parseDouble(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
