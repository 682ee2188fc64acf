package dev.runway.features;

import static dev.runway.features.Columns.FEATURES;
import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.data.CsvColumns;
import dev.runway.error.DataException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.FeatureHasher;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.feature.VectorSizeHint;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The declarative half of the feature step: checks the training table against the job, finds the
 * target, and builds the Spark ML pipeline that turns columns into one feature vector. The
 * pipeline is fitted on the training split only and saved with the run, so evaluation now and
 * scoring later apply exactly the same transform. Everything here is a pure function of the
 * settings and the data it is given.
 */
public final class FeatureStep {

  /** More classes than this is almost certainly a mistaken label column. */
  static final int MAX_CLASSES = 10_000;

  private FeatureStep() {}

  /**
   * Fails (exit code 3) on a label or feature column the table does not have, or whose type
   * cannot serve its role, naming the key, the column and what the table has.
   */
  public static void checkColumns(StructType schema, FeatureSettings f) {
    List<String> problems = new ArrayList<>();
    Set<String> names = Arrays.stream(schema.fieldNames()).collect(Collectors.toSet());
    String columns = String.join(", ", schema.fieldNames());
    checkPresent("features.label", List.of(f.label()), names, columns, problems);
    checkPresent("features.categorical", f.categorical(), names, columns, problems);
    checkPresent("features.numeric", f.numeric(), names, columns, problems);
    checkPresent("features.vectors", f.vectors(), names, columns, problems);
    checkPresent("features.hashed.columns", f.hashedColumns(), names, columns, problems);
    if (!problems.isEmpty()) {
      // The data does not have what the job names: a data error, whichever side the typo is on.
      throw new DataException(String.join(System.lineSeparator(), problems));
    }
    for (String c : f.numeric()) {
      DataType type = schema.apply(c).dataType();
      if (!(type instanceof NumericType) && !(type instanceof BooleanType)) {
        problems.add("Column '" + c + "' (features.numeric) is " + type.simpleString()
            + ", not a number: cast it in features.sql or list it in features.categorical"
            + CsvColumns.fix(schema.apply(c)).map(fix -> "; " + fix).orElse(""));
      }
    }
    for (String c : f.vectors()) {
      DataType type = schema.apply(c).dataType();
      boolean numericArray = type instanceof ArrayType a && a.elementType() instanceof NumericType;
      if (!numericArray && !type.equals(SQLDataTypes.VectorType())) {
        problems.add("Column '" + c + "' (features.vectors) is " + type.simpleString()
            + ", not a vector or an array of numbers");
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join(System.lineSeparator(), problems));
    }
  }

  private static void checkPresent(String key, List<String> wanted, Set<String> names,
      String columns, List<String> problems) {
    for (String c : wanted) {
      if (!names.contains(c)) {
        problems.add("Cannot use column '" + c + "' from " + key
            + ": the training table has no such column (it has: " + columns + ")");
      }
    }
  }

  /**
   * Decides classification or regression and the classes, from the label column of the whole
   * table (so a class that happens to fall only in the test split still has an index). Runs two
   * small Spark jobs: a null count and a bounded distinct.
   */
  public static Target inspectTarget(Dataset<Row> table, FeatureSettings f) {
    String label = f.label();
    DataType type = table.schema().apply(label).dataType();
    Row counts = table.agg(count(lit(1)), count(col(label))).first();
    long rows = counts.getLong(0);
    long nulls = rows - counts.getLong(1);
    if (rows == 0) {
      throw new DataException("The training table is empty: check source.path, source.filter and features.sql");
    }
    if (nulls > 0) {
      throw new DataException("Label column '" + label + "' has " + nulls + " null values of " + rows
          + " rows: drop them with source.filter = \"" + label + " IS NOT NULL\"");
    }
    boolean numeric = type instanceof NumericType;
    boolean classification = switch (f.task()) {
      case CLASSIFICATION -> true;
      case REGRESSION -> false;
      case AUTO -> !numeric || (isIntegral(type) && distinct(table, label, f.autoMaxClasses()).size() <= f.autoMaxClasses());
    };
    if (!classification) {
      if (!numeric) {
        throw new DataException("Label column '" + label + "' is " + type.simpleString()
            + ": regression needs a numeric label (features.task = regression)"
            + CsvColumns.fix(table.schema().apply(label)).map(fix -> "; " + fix).orElse(""));
      }
      long notFinite = table.filter(functions.isnan(col(label))
          .or(functions.abs(col(label).cast(DataTypes.DoubleType)).equalTo(Double.POSITIVE_INFINITY))).count();
      if (notFinite > 0) {
        throw new DataException("Label column '" + label + "' has " + notFinite
            + " NaN or infinite values: a regression target must be finite");
      }
      return new Target(label, false, List.of(), false);
    }
    List<String> values = distinct(table, label, MAX_CLASSES);
    if (values.size() > MAX_CLASSES) {
      throw new DataException("Label column '" + label + "' has more than " + MAX_CLASSES
          + " distinct values: too many classes for classification (features.task)");
    }
    if (values.size() < 2) {
      throw new DataException("Label column '" + label + "' has a single value '" + values.get(0)
          + "' in all " + rows + " rows: there is nothing to learn");
    }
    if (isIntegral(type) && isZeroToK(values)) {
      List<String> classes = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        classes.add(Integer.toString(i));
      }
      return new Target(label, true, classes, false);
    }
    return new Target(label, true, values.stream().sorted().toList(), true);
  }

  private static boolean isIntegral(DataType type) {
    return type.equals(DataTypes.ByteType) || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.IntegerType) || type.equals(DataTypes.LongType);
  }

  private static boolean isZeroToK(List<String> values) {
    long max = values.stream().mapToLong(Long::parseLong).max().orElse(-1);
    long min = values.stream().mapToLong(Long::parseLong).min().orElse(-1);
    return min == 0 && max == values.size() - 1;
  }

  /** Up to limit + 1 distinct non-null values, as strings. */
  private static List<String> distinct(Dataset<Row> table, String label, int limit) {
    List<Row> rows = table.select(col(label).cast(DataTypes.StringType)).distinct().limit(limit + 1).collectAsList();
    return rows.stream().map(r -> r.getString(0)).toList();
  }

  /**
   * The label as a double column: the class index (position in {@link Target#classes()}) or the
   * regression target. Pure SQL, so it needs no fitted state beyond the target.
   */
  public static Column labelColumn(Target target) {
    if (target.classification() && target.indexed()) {
      Column classes = functions.array(target.classes().stream().map(functions::lit).toArray(Column[]::new));
      return functions.array_position(classes, col(target.column()).cast(DataTypes.StringType))
          .minus(1).cast(DataTypes.DoubleType);
    }
    return col(target.column()).cast(DataTypes.DoubleType);
  }

  /**
   * Steps that must run before the pipeline, on training and scoring data alike: arrays of
   * numbers in features.vectors become ML vectors (Spark ML has no SQL function for that, so it
   * cannot be a saved pipeline stage).
   */
  public static Dataset<Row> prepare(Dataset<Row> table, FeatureSettings f) {
    Dataset<Row> out = table;
    for (String c : f.vectors()) {
      StructField field = out.schema().apply(c);
      if (field.dataType() instanceof ArrayType) {
        out = out.withColumn(c, array_to_vector(col(c).cast("array<double>")));
      }
    }
    return out;
  }

  /**
   * Checks the values of the training split in one pass, before anything is fitted: refuses a
   * categorical column with more than {@code features.max-categories} distinct values (indexing
   * it would collect every value to the driver and one-hot encode it into a vector as wide;
   * counted approximately, with HyperLogLog) and a numeric column holding infinite values (they
   * turn every model into NaN). NaN and null numbers are not refused: they are imputed.
   */
  public static void checkValues(Dataset<Row> train, FeatureSettings f) {
    List<Column> aggregates = new ArrayList<>();
    for (String c : f.categorical()) {
      aggregates.add(functions.approx_count_distinct(col(c), 0.05));
    }
    for (String c : f.numeric()) {
      Column infinite = functions.abs(col(c).cast(DataTypes.DoubleType)).equalTo(Double.POSITIVE_INFINITY);
      aggregates.add(functions.count(functions.when(infinite, 1)));
    }
    if (aggregates.isEmpty()) {
      return;
    }
    Row row = train.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < f.categorical().size(); i++) {
      long distinct = row.getLong(i);
      if (distinct > f.maxCategories()) {
        problems.add("Column '" + f.categorical().get(i) + "' (features.categorical) has about " + distinct
            + " distinct values, more than features.max-categories = " + f.maxCategories()
            + ": list it in features.hashed.columns instead");
      }
    }
    for (int i = 0; i < f.numeric().size(); i++) {
      long infinite = row.getLong(f.categorical().size() + i);
      if (infinite > 0) {
        problems.add("Column '" + f.numeric().get(i) + "' (features.numeric) has " + infinite
            + " infinite values in the training split: filter or cap them in features.sql");
      }
    }
    if (!problems.isEmpty()) {
      throw new DataException(String.join(System.lineSeparator(), problems));
    }
  }

  /**
   * The size of each vector column, from its first row in {@code train}. The pipeline declares
   * them, so it can transform an empty split (the assembler otherwise needs a first row to learn
   * sizes) and rejects a row whose vector has another size.
   */
  public static Map<String, Integer> vectorSizes(Dataset<Row> train, FeatureSettings f) {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (String c : f.vectors()) {
      Row first = train.select(col(c)).filter(col(c).isNotNull()).first();
      sizes.put(c, first.<Vector>getAs(0).size());
    }
    return sizes;
  }

  /**
   * The unfitted feature pipeline; its output column {@link Columns#FEATURES} is the feature vector.
   *
   * @param vectorSizes the size of each vector column (see {@link #vectorSizes})
   */
  public static Pipeline pipeline(FeatureSettings f, Map<String, Integer> vectorSizes) {
    List<PipelineStage> stages = new ArrayList<>();
    for (String c : f.vectors()) {
      stages.add(new VectorSizeHint().setInputCol(c).setSize(vectorSizes.get(c)).setHandleInvalid("error"));
    }
    List<String> dense = new ArrayList<>();
    if (!f.numeric().isEmpty()) {
      // Cast first: Imputer and the assembler want doubles, and booleans are useful numbers too.
      String casts = f.numeric().stream()
          .map(c -> "CAST(" + quote(c) + " AS DOUBLE) AS " + quote(Columns.NUMERIC_PREFIX + c))
          .collect(Collectors.joining(", "));
      stages.add(new SQLTransformer().setStatement("SELECT *, " + casts + " FROM __THIS__"));
      String[] in = f.numeric().stream().map(c -> Columns.NUMERIC_PREFIX + c).toArray(String[]::new);
      String[] out = f.numeric().stream().map(c -> Columns.IMPUTED_PREFIX + c).toArray(String[]::new);
      stages.add(new Imputer().setInputCols(in).setOutputCols(out).setStrategy(f.imputeStrategy().configName()));
      dense.addAll(Arrays.asList(out));
    }
    dense.addAll(f.vectors());
    List<String> parts = new ArrayList<>();
    if (!dense.isEmpty()) {
      stages.add(new VectorAssembler().setInputCols(dense.toArray(String[]::new))
          .setOutputCol(Columns.DENSE).setHandleInvalid("error"));
      if (f.standardize()) {
        stages.add(new StandardScaler().setInputCol(Columns.DENSE).setOutputCol(Columns.SCALED)
            .setWithMean(true).setWithStd(true));
        parts.add(Columns.SCALED);
      } else {
        parts.add(Columns.DENSE);
      }
    }
    if (!f.categorical().isEmpty()) {
      String[] in = f.categorical().toArray(String[]::new);
      String[] idx = f.categorical().stream().map(c -> Columns.INDEX_PREFIX + c).toArray(String[]::new);
      String[] ohe = f.categorical().stream().map(c -> Columns.ONE_HOT_PREFIX + c).toArray(String[]::new);
      // The indexer's "keep" gives nulls and values never seen in training one extra index of
      // their own instead of failing evaluation or scoring; that index is part of the indexer's
      // output metadata, so the encoder sees it as a normal category (its own "keep" would add a
      // second, always-empty bucket). dropLast = false keeps the unseen bucket visible.
      stages.add(new StringIndexer().setInputCols(in).setOutputCols(idx).setHandleInvalid("keep")
          .setStringOrderType("frequencyDesc"));
      stages.add(new OneHotEncoder().setInputCols(idx).setOutputCols(ohe).setDropLast(false)
          .setHandleInvalid("error"));
      parts.addAll(Arrays.asList(ohe));
    }
    if (!f.hashedColumns().isEmpty()) {
      stages.add(new FeatureHasher().setInputCols(f.hashedColumns().toArray(String[]::new))
          .setOutputCol(Columns.HASHED).setNumFeatures(f.hashedNumFeatures()));
      parts.add(Columns.HASHED);
    }
    stages.add(new VectorAssembler().setInputCols(parts.toArray(String[]::new)).setOutputCol(FEATURES)
        .setHandleInvalid("error"));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
