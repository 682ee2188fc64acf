package dev.runway.config;

import com.typesafe.config.Config;
import dev.runway.config.JobSettings.FeatureSettings.ImputeStrategy;
import dev.runway.config.JobSettings.FeatureSettings.Task;
import dev.runway.config.JobSettings.SourceSettings.Format;
import dev.runway.config.JobSettings.SourceSettings.Malformed;
import dev.runway.config.JobSettings.SplitSettings.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a job says, read and validated at start-up before any data is touched. Trainer
 * hyperparameters are read by the chosen trainer itself (see dev.runway.train.Trainers) from the
 * same {@link ConfigReader}, so their problems are reported together with these.
 */
public record JobSettings(
    String name,
    String description,
    Map<String, String> sparkConf,
    Map<String, String> hadoopConf,
    SourceSettings source,
    FeatureSettings features,
    SplitSettings split,
    String modelType,
    String outputRoot,
    List<String> preflightWarnOnly,
    EvaluateSettings evaluate,
    CompareSettings compare,
    MonitorSettings monitor) {

  /** The pre-flight checks (dev.runway.preflight), by the names preflight.warn-only takes. */
  public static final List<String> PREFLIGHT_CHECKS =
      List.of("kryo-registrator", "memory-overhead", "blas-threads", "worker-slots");

  /** Sub-trees passed through to Spark or Hadoop: any key is accepted below them. */
  public static final Set<String> OPEN_MAPS = Set.of(
      "spark.conf",
      "storage.hadoop",
      "storage.s3a.buckets",
      "source.options",
      "gate.floors",
      "tune.space");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** Reads every job setting; problems are collected in {@code r}. */
  public static JobSettings read(ConfigReader r) {
    r.checkUnknownKeys(OPEN_MAPS);
    String name = r.requiredString("job.name");
    if (!name.isEmpty() && !NAME.matcher(name).matches()) {
      r.problem(
          "job.name", "use only letters, digits, '.', '_' and '-' (it becomes a directory name)");
    } else if (name.startsWith("_") || name.startsWith(".")) {
      // Beside the job directories, the output root keeps _aliases and _index.
      r.problem(
          "job.name", "must not start with '_' or '.' (the output root's own directories do)");
    }
    return new JobSettings(
        name,
        r.string("job.description"),
        r.openMap("spark.conf"),
        StorageSettings.read(r),
        readSource(r),
        readFeatures(r),
        readSplit(r),
        r.string("model.type"),
        r.requiredString("output.root"),
        readWarnOnly(r),
        readEvaluate(r),
        CompareSettings.read(r),
        MonitorSettings.read(r));
  }

  private static EvaluateSettings readEvaluate(ConfigReader r) {
    double confidence = r.doubleIn("evaluate.confidence", 0.5, 0.999);
    int replicates = r.intIn("evaluate.bootstrap-replicates", 0, 100_000);
    if (replicates > 0 && replicates < EvaluateSettings.MIN_REPLICATES) {
      r.problem(
          "evaluate.bootstrap-replicates",
          "use 0 (no bootstrap intervals) or at least " + EvaluateSettings.MIN_REPLICATES);
    }
    return new EvaluateSettings(
        confidence, replicates, r.intIn("evaluate.bootstrap-max-rows", 1_000, 10_000_000));
  }

  private static List<String> readWarnOnly(ConfigReader r) {
    List<String> names = r.stringList("preflight.warn-only");
    for (String name : names) {
      if (!PREFLIGHT_CHECKS.contains(name)) {
        r.problem(
            "preflight.warn-only",
            "'" + name + "' is not a check: the checks are " + String.join(", ", PREFLIGHT_CHECKS));
      }
    }
    return List.copyOf(names);
  }

  private static SourceSettings readSource(ConfigReader r) {
    Map<String, String> options = r.openMap("source.options");
    for (String owned : List.of("mode", "columnNameOfCorruptRecord")) {
      if (options.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(owned))) {
        r.problem(
            "source.options." + owned,
            "runway handles malformed rows itself: set source.malformed"
                + " (fail or drop) instead");
      }
    }
    return new SourceSettings(
        r.requiredString("source.path"),
        r.choice("source.format", Format.class),
        options,
        r.string("source.schema"),
        r.string("source.filter"),
        r.choice("source.malformed", Malformed.class),
        r.bool("source.infer-schema"));
  }

  private static FeatureSettings readFeatures(ConfigReader r) {
    List<SqlStatement> statements = new ArrayList<>();
    List<Config> sql = r.objectList("features.sql");
    for (int i = 0; i < sql.size(); i++) {
      Config statement = sql.get(i);
      String where = "features.sql[" + i + "]";
      for (String key : statement.root().keySet()) {
        if (!key.equals("name") && !key.equals("sql")) {
          r.problem("Unknown key " + key + " in " + where + " (" + r.where("features.sql")
              + "): a statement has only name and sql");
        }
      }
      if (!statement.hasPath("name") || !statement.hasPath("sql")) {
        r.problem("Missing name or sql in " + where + " (" + r.where("features.sql")
            + "): each statement is { name = ..., sql = \"SELECT ...\" }");
        continue;
      }
      String name = statement.getString("name");
      if (!NAME.matcher(name).matches() || name.contains(".") || name.contains("-")) {
        r.problem("Cannot name " + where + " '" + name + "' (" + r.where("features.sql")
            + "): a view name uses only letters, digits and '_'");
      }
      statements.add(new SqlStatement(name, statement.getString("sql")));
    }
    FeatureSettings features = new FeatureSettings(
        r.requiredString("features.source-view"),
        List.copyOf(statements),
        r.requiredString("features.label"),
        r.choice("features.task", Task.class),
        r.intIn("features.auto-max-classes", 2, 10_000),
        r.stringList("features.categorical"),
        r.intIn("features.max-categories", 2, 10_000_000),
        r.stringList("features.numeric"),
        r.choice("features.impute-strategy", ImputeStrategy.class),
        r.bool("features.standardize"),
        r.stringList("features.vectors"),
        r.stringList("features.hashed.columns"),
        r.intIn("features.hashed.num-features", 2, 1 << 26));
    if (features.inputColumns().isEmpty()) {
      r.problem("No feature columns: list at least one column in features.categorical,"
          + " features.numeric, features.vectors or features.hashed.columns");
    }
    if (features.inputColumns().contains(features.label())) {
      r.problem("features.label", "the label column must not also be a feature column");
    }
    return features;
  }

  private static SplitSettings readSplit(ConfigReader r) {
    Method method = r.choice("split.method", Method.class);
    double train = r.doubleIn("split.fractions.train", 0.0, 1.0);
    double validation = r.doubleIn("split.fractions.validation", 0.0, 1.0);
    double test = r.doubleIn("split.fractions.test", 0.0, 1.0);
    long seed = r.longIn("split.seed", Long.MIN_VALUE, Long.MAX_VALUE);
    String column = r.string("split.column");
    String validationStart = r.string("split.validation-start");
    String testStart = r.string("split.test-start");
    String key = r.string("split.key");
    int folds = r.intIn("split.folds", 2, 100);
    int repeats = r.intIn("split.repeats", 1, 100);
    if (method != Method.COLUMN) {
      if (Math.abs(train + validation + test - 1.0) > 1e-9) {
        r.problem("Cannot split with fractions train=" + train + ", validation=" + validation
            + ", test=" + test + " (" + r.where("split.fractions") + "): they must sum to 1");
      }
      if (train <= 0 || test <= 0) {
        r.problem("split.fractions", "train and test fractions must both be above 0");
      }
    } else {
      if (column.isBlank()) {
        r.problem("split.column", "split.method = column needs the column to split on");
      }
      if (testStart.isBlank()) {
        r.problem("split.test-start", "split.method = column needs a test cut point");
      }
    }
    if (method == Method.COLUMN && !key.isBlank()) {
      r.problem(
          "split.key",
          "split.method = column places rows by split.column; split.key is for random and k-fold");
    }
    return new SplitSettings(
        method,
        train,
        validation,
        test,
        seed,
        column,
        validationStart,
        testStart,
        key,
        folds,
        repeats);
  }

  /**
   * Input location and how to read it. Empty schema or filter means none; malformed is what to do
   * with rows of a text format that do not parse: fail or drop. inferSchema: a csv source without
   * a schema has its column types inferred (unless options set Spark's inferSchema themselves).
   */
  public record SourceSettings(
      String path,
      Format format,
      Map<String, String> options,
      String schema,
      String filter,
      Malformed malformed,
      boolean inferSchema) {

    /** source.format: how the files at source.path are written. */
    public enum Format implements ConfigChoice {
      PARQUET,
      CSV,
      JSON;

      @Override
      public String toString() {
        return configName();
      }
    }

    /** source.malformed: what a row of a text format that does not parse does to the job. */
    public enum Malformed implements ConfigChoice {
      FAIL,
      DROP;

      @Override
      public String toString() {
        return configName();
      }
    }
  }

  /** One named SQL statement of the feature step. */
  public record SqlStatement(String name, String sql) {}

  /** How the training table is built and turned into a feature vector and a label. */
  public record FeatureSettings(
      String sourceView,
      List<SqlStatement> sql,
      String label,
      Task task,
      int autoMaxClasses,
      List<String> categorical,
      int maxCategories,
      List<String> numeric,
      ImputeStrategy imputeStrategy,
      boolean standardize,
      List<String> vectors,
      List<String> hashedColumns,
      int hashedNumFeatures) {

    /** Every input column the feature vector is built from, in configuration order. */
    public List<String> inputColumns() {
      List<String> all = new ArrayList<>(categorical);
      all.addAll(numeric);
      all.addAll(vectors);
      all.addAll(hashedColumns);
      return all;
    }

    /** features.task: what kind of target the label is, or auto to decide from its values. */
    public enum Task implements ConfigChoice {
      AUTO,
      CLASSIFICATION,
      REGRESSION;

      @Override
      public String toString() {
        return configName();
      }
    }

    /** features.impute-strategy: what replaces a missing number. */
    public enum ImputeStrategy implements ConfigChoice {
      MEAN,
      MEDIAN,
      MODE;

      @Override
      public String toString() {
        return configName();
      }
    }
  }

  /**
   * The intervals put on every headline metric of an evaluated split (see dev.runway.eval.Metrics).
   *
   * @param confidence confidence level of every interval, e.g. 0.95
   * @param bootstrapReplicates resamples behind each bootstrap interval; 0 gives Wilson intervals
   *     only
   * @param bootstrapMaxRows most rows collected to the driver for the bootstrap; a larger split
   *     is sampled down to about this many
   */
  public record EvaluateSettings(double confidence, int bootstrapReplicates, int bootstrapMaxRows) {
    /** Fewest replicates a bootstrap interval may rest on. */
    public static final int MIN_REPLICATES = 100;
  }

  /**
   * How rows are assigned to train, validation and test. For {@code method = random} the
   * fractions apply; for {@code column}, the cut points (validationStart may be empty: no
   * validation split). For {@code k-fold}, the test fraction is held out and the other rows are
   * dealt into {@code folds} folds, {@code repeats} times. {@code key} (random and k-fold) is the
   * source column whose value alone places a row; empty means the whole source row.
   */
  public record SplitSettings(
      Method method,
      double train,
      double validation,
      double test,
      long seed,
      String column,
      String validationStart,
      String testStart,
      String key,
      int folds,
      int repeats) {
    public boolean kFold() {
      return method == Method.K_FOLD;
    }

    /** split.method: how rows are placed in train, validation and test. */
    public enum Method implements ConfigChoice {
      RANDOM,
      K_FOLD,
      COLUMN;

      @Override
      public String toString() {
        return configName();
      }
    }
  }
}
