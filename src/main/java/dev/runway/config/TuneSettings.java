package dev.runway.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code tune} section: the search space over job keys, how trials are drawn from it, how
 * many train at once, what ranks them, and the successive-halving schedule. Read and checked
 * before any data is touched; a problem names the key and the line, like every other setting.
 *
 * @param space the dimensions, in key order
 * @param sampling grid (every combination) or random ({@code trials} draws)
 * @param trials draws of random sampling
 * @param seed seed of the random draws
 * @param concurrency trials trained at once
 * @param metric the validation metric trials are ranked by
 * @param halving the successive-halving schedule
 */
public record TuneSettings(
    List<Dimension> space,
    Sampling sampling,
    int trials,
    long seed,
    int concurrency,
    Metric metric,
    Halving halving) {

  /** How trials are drawn from the space. */
  public enum Sampling implements ConfigChoice {
    RANDOM,
    GRID
  }

  /** A validation metric to rank trials by, as metrics.json names it. */
  public enum Metric implements ConfigChoice {
    AUTO(null, false, false),
    ACCURACY("accuracy", true, true),
    WEIGHTED_F1("weighted_f1", true, true),
    LOG_LOSS("log_loss", false, true),
    RMSE("rmse", false, false),
    MAE("mae", false, false),
    R2("r2", true, false);

    private final String key;
    private final boolean higherIsBetter;
    private final boolean classification;

    Metric(String key, boolean higherIsBetter, boolean classification) {
      this.key = key;
      this.higherIsBetter = higherIsBetter;
      this.classification = classification;
    }

    /** The metric {@code auto} stands for on a task. */
    public Metric resolve(boolean classificationTask) {
      return this != AUTO ? this : classificationTask ? ACCURACY : RMSE;
    }

    /** Its name in metrics.json's split metrics. */
    public String key() {
      return key;
    }

    public boolean higherIsBetter() {
      return higherIsBetter;
    }

    /** Whether it measures a classifier (else a regression). */
    public boolean classification() {
      return classification;
    }
  }

  /** What kind of values a dimension takes. */
  public enum Kind {
    VALUES("values"),
    RANGE("range"),
    LOG_RANGE("log-range"),
    INT_RANGE("int-range");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  /**
   * One dimension of the space.
   *
   * @param key the job key it sets, e.g. model.neural-network.learning-rate
   * @param path where it is in the job ({@code tune.space."<key>"}), for messages
   * @param kind listed values, or a range
   * @param values the listed values (VALUES), as Typesafe Config unwraps them
   * @param low the range's low end (ranges)
   * @param high the range's high end (ranges)
   * @param count grid points of a range; 0 when not set
   */
  public record Dimension(
      String key, String path, Kind kind, List<Object> values, double low, double high, int count) {

    /** The values that stand for the whole dimension when checking it: the list, or the ends. */
    public List<Object> checkedValues() {
      return switch (kind) {
        case VALUES -> values;
        case INT_RANGE -> List.of((int) low, (int) high);
        default -> List.of(low, high);
      };
    }
  }

  /**
   * Successive halving.
   *
   * @param enabled false: every trial trains to maxBudget
   * @param budgetKey the job key that is the budget
   * @param minBudget every trial's budget
   * @param maxBudget the budget of the last rung
   * @param reductionFactor 1 in this many of a rung's trials goes on
   */
  public record Halving(
      boolean enabled, String budgetKey, int minBudget, int maxBudget, int reductionFactor) {}

  /** The budget key {@code auto} stands for, by model.type. */
  private static final Map<String, String> BUDGET_KEYS = Map.of(
      "neural-network", "train.epochs",
      "gradient-boosted-trees", "model.gradient-boosted-trees.max-iter",
      "random-forest", "model.random-forest.num-trees",
      "logistic-regression", "model.logistic-regression.max-iter",
      "linear-regression", "model.linear-regression.max-iter");

  /** The prefixes a dimension's key may have: what changes a training, not where it reads or writes. */
  private static final List<String> TUNABLE = List.of("model.", "train.", "features.");

  private static final Set<String> DIMENSION_KEYS =
      Set.of("values", "range", "log-range", "int-range", "count");

  /** Reads the tune section; problems are collected in {@code r}. */
  public static TuneSettings read(ConfigReader r) {
    Sampling sampling = r.choice("tune.sampling", Sampling.class);
    int trials = r.intIn("tune.trials", 1, 10_000);
    long seed = r.longIn("tune.seed", Long.MIN_VALUE, Long.MAX_VALUE);
    int concurrency = r.intIn("tune.concurrency", 1, 64);
    Metric metric = r.choice("tune.metric", Metric.class);
    Halving halving = readHalving(r);
    List<Dimension> space = readSpace(r, halving);
    if (space.isEmpty()) {
      r.problem("tune.space is empty (" + r.where("tune.space") + "): tune needs at least one"
          + " key to search, e.g. tune.space { \"model.neural-network.learning-rate\""
          + " { log-range = [0.0003, 0.03] } }");
    }
    if (sampling == Sampling.GRID) {
      for (Dimension d : space) {
        if ((d.kind() == Kind.RANGE || d.kind() == Kind.LOG_RANGE) && d.count() == 0) {
          r.problem(
              d.path(),
              "grid sampling needs the number of points of a " + d.kind().word()
                  + ": add count = 3 (or use values = [...])");
        }
      }
    }
    return new TuneSettings(space, sampling, trials, seed, concurrency, metric, halving);
  }

  private static Halving readHalving(ConfigReader r) {
    boolean enabled = r.bool("tune.halving.enabled");
    String type = r.config().hasPath("model.type") ? r.config().getString("model.type") : "";
    String key = r.string("tune.halving.budget-key");
    if (key.equals("auto")) {
      key = BUDGET_KEYS.getOrDefault(type, "");
      if (key.isEmpty()) {
        r.problem("tune.halving.budget-key", "no budget is known for model.type = " + type);
      }
    } else if (!key.startsWith("model.") && !key.startsWith("train.")) {
      r.problem("tune.halving.budget-key", "expected a model.* or train.* key");
      key = "";
    }
    int fromJob = 0;
    if (!key.isEmpty()) {
      try {
        fromJob = r.config().getInt(key);
      } catch (ConfigException.Missing | ConfigException.WrongType e) {
        fromJob = 0;
      }
    }
    int min = r.intIn("tune.halving.min-budget", 1, 1_000_000);
    int max;
    if (r.string("tune.halving.max-budget").equals("auto")) {
      max = fromJob;
      if (max < 1 && !key.isEmpty()) {
        r.problem(
            "tune.halving.max-budget",
            "the job sets no whole number for " + key
                + " to take as the largest budget: set tune.halving.max-budget");
      }
    } else {
      max = r.intIn("tune.halving.max-budget", 1, 1_000_000);
    }
    if (enabled && max >= 1 && min > max) {
      r.problem("tune.halving.min-budget", "must not exceed tune.halving.max-budget (" + max + ")");
    }
    int factor = r.intIn("tune.halving.reduction-factor", 2, 100);
    return new Halving(enabled, key, min, max, factor);
  }

  private static List<Dimension> readSpace(ConfigReader r, Halving halving) {
    ConfigObject space;
    try {
      space = r.config().getObject("tune.space");
    } catch (ConfigException.WrongType e) {
      r.problem("tune.space", "expected an object of job keys");
      return List.of();
    }
    String type = r.config().hasPath("model.type") ? r.config().getString("model.type") : "";
    List<Dimension> out = new ArrayList<>();
    // In key order: a HOCON object keeps no order, and the trials must not depend on a hash.
    for (Map.Entry<String, ConfigValue> entry : new TreeMap<>(space).entrySet()) {
      String key = entry.getKey();
      String path = ConfigUtil.joinPath("tune", "space", key);
      if (TUNABLE.stream().noneMatch(key::startsWith)) {
        r.problem(path, "a tuned key must be a model.*, train.* or features.* key");
        continue;
      }
      if (!known(r, key)) {
        String hint = Suggestions.closest(key, jobKeys(r))
            .map(s -> "; did you mean " + s + "?")
            .orElse("");
        r.problem(path, "the job has no key " + key + hint);
        continue;
      }
      if (key.startsWith("model.")
          && !key.equals("model.type")
          && !key.startsWith("model." + type + ".")) {
        r.problem(path, "has no effect on model.type = " + type);
        continue;
      }
      if (key.equals(halving.budgetKey())) {
        r.problem(path, key + " is the budget of tune.halving: it cannot be searched too");
        continue;
      }
      readDimension(r, key, path, entry.getValue()).ifPresent(out::add);
    }
    return out;
  }

  private static Optional<Dimension> readDimension(
      ConfigReader r, String key, String path, ConfigValue value) {
    if (!(value instanceof ConfigObject spec)) {
      r.problem(
          path,
          "expected { values = [...] }, { range = [low, high] }, { log-range = [low,"
              + " high] } or { int-range = [low, high] }");
      return Optional.empty();
    }
    for (String k : spec.keySet()) {
      if (!DIMENSION_KEYS.contains(k)) {
        String hint = Suggestions.closest(k, DIMENSION_KEYS)
            .map(s -> "; did you mean " + s + "?")
            .orElse("");
        r.problem(ConfigUtil.joinPath("tune", "space", key, k), "unknown key" + hint);
        return Optional.empty();
      }
    }
    List<Kind> kinds = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (spec.containsKey(k.word())) {
        kinds.add(k);
      }
    }
    if (kinds.size() != 1) {
      r.problem(path, "set exactly one of values, range, log-range or int-range");
      return Optional.empty();
    }
    Kind kind = kinds.get(0);
    String at = ConfigUtil.joinPath("tune", "space", key, kind.word());
    int count = 0;
    if (spec.containsKey("count")) {
      count = r.intIn(ConfigUtil.joinPath("tune", "space", key, "count"), 2, 1000);
      if (kind == Kind.VALUES) {
        r.problem(ConfigUtil.joinPath("tune", "space", key, "count"), "only a range has a count");
      }
    }
    if (!(spec.get(kind.word()) instanceof ConfigList list) || list.isEmpty()) {
      r.problem(at, "expected a non-empty list");
      return Optional.empty();
    }
    if (kind == Kind.VALUES) {
      List<Object> values = new ArrayList<>();
      for (ConfigValue v : list) {
        values.add(v.unwrapped());
      }
      if (new HashSet<>(values).size() != values.size()) {
        r.problem(at, "lists a value twice");
      }
      return Optional.of(new Dimension(key, path, kind, values, 0, 0, 0));
    }
    if (list.size() != 2 || list.stream().anyMatch(v -> v.valueType() != ConfigValueType.NUMBER)) {
      r.problem(at, "expected two numbers: [low, high]");
      return Optional.empty();
    }
    double low = ((Number) list.get(0).unwrapped()).doubleValue();
    double high = ((Number) list.get(1).unwrapped()).doubleValue();
    if (!(low < high)) {
      r.problem(at, "low must be below high");
      return Optional.empty();
    }
    if (kind == Kind.LOG_RANGE && low <= 0) {
      r.problem(at, "a log-range needs a low end above 0");
      return Optional.empty();
    }
    if (kind == Kind.INT_RANGE && (low != Math.rint(low) || high != Math.rint(high))) {
      r.problem(at, "an int-range needs whole numbers");
      return Optional.empty();
    }
    return Optional.of(new Dimension(key, path, kind, List.of(), low, high, count));
  }

  private static boolean known(ConfigReader r, String key) {
    try {
      return r.config().hasPathOrNull(key);
    } catch (ConfigException e) {
      return false; // a path through a leaf
    }
  }

  /** The job's tunable keys, for suggestions. */
  private static Set<String> jobKeys(ConfigReader r) {
    Set<String> keys = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : r.config().entrySet()) {
      if (TUNABLE.stream().anyMatch(e.getKey()::startsWith)) {
        keys.add(e.getKey());
      }
    }
    return keys;
  }
}
