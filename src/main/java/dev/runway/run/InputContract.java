package dev.runway.run;

import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.runway.config.JobSettings.FeatureSettings;
import dev.runway.error.DataException;
import dev.runway.features.Columns;
import dev.runway.features.SqlFeatures;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;
import scala.collection.JavaConverters;

/**
 * What rows a run can be applied to, saved with the run as {@value RunFiles#INPUT_CONTRACT}: the
 * source columns its SQL statements and feature pipeline read, with their types as trained on;
 * the source columns only the label needs (absent when scoring); and the training table's schema.
 * Scoring checks an input's schema against it before reading a row, so a missing column or a
 * wrong type fails in a second with the columns named, not as an analysis error deep in Spark.
 *
 * @param features source columns the feature vector is computed from
 * @param label source columns that only the label is computed from
 * @param trainingTable the training table's schema (DDL), after the SQL statements
 */
// Jackson puts renamed record components first unless told the order: keep the file's order.
@JsonPropertyOrder({"features", "label", "training_table"})
public record InputContract(
    List<Field> features,
    List<Field> label,
    @JsonProperty("training_table") String trainingTable) {

  /** One source column: its name and its Spark SQL type (as {@link DataType#sql()} writes it). */
  public record Field(String name, String type) {
    DataType dataType() {
      return DataType.fromDDL(type);
    }
  }

  /**
   * The contract of a job over a source of schema {@code source}. Which columns are read is
   * Spark's own answer: the statements run over an empty source of that schema, and the columns
   * that survive column pruning under the feature (or label) columns are the ones read. The
   * statements' temp views are replaced by empty ones: call this after training used them.
   */
  public static InputContract of(
      SparkSession spark, StructType source, FeatureSettings f, String labelColumn) {
    // An RDD the optimizer cannot see is empty (an empty local relation would be folded away,
    // and with it the very projections that say which columns are read).
    JavaRDD<Row> none = JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD();
    Dataset<Row> empty = spark.createDataFrame(none, source);
    Dataset<Row> table = SqlFeatures.build(spark, empty, f);
    List<String> featureColumns = f.inputColumns();
    Set<String> forFeatures = read(table.selectExpr(quoted(featureColumns)));
    Set<String> forLabel = read(table.selectExpr(quoted(List.of(labelColumn))));
    List<Field> features = new ArrayList<>();
    List<Field> label = new ArrayList<>();
    for (StructField field : source.fields()) {
      Field typed = new Field(field.name(), field.dataType().sql());
      if (forFeatures.contains(field.name())) {
        features.add(typed);
      } else if (forLabel.contains(field.name())) {
        label.add(typed);
      }
    }
    return new InputContract(features, label, table.schema().toDDL());
  }

  private static String[] quoted(List<String> columns) {
    return columns.stream().map(Columns::quote).toArray(String[]::new);
  }

  /** Names of the leaf relation's columns that the optimized plan of {@code ds} still reads. */
  private static Set<String> read(Dataset<Row> ds) {
    LogicalPlan plan = ds.queryExecution().optimizedPlan();
    Map<ExprId, String> leafColumns = new LinkedHashMap<>();
    Set<ExprId> referenced = new HashSet<>();
    walk(plan, leafColumns, referenced, true);
    Set<String> out = new HashSet<>();
    leafColumns.forEach((id, name) -> {
      if (referenced.contains(id)) {
        out.add(name);
      }
    });
    return out;
  }

  private static void walk(
      LogicalPlan node, Map<ExprId, String> leaves, Set<ExprId> referenced, boolean top) {
    List<LogicalPlan> children = JavaConverters.seqAsJavaList(node.children());
    if (children.isEmpty()) {
      for (Attribute a : JavaConverters.seqAsJavaList(node.output())) {
        leaves.put(a.exprId(), a.name());
      }
      if (top) {
        // The plan is the relation itself: every column is the output.
        leaves.keySet().forEach(referenced::add);
      }
      return;
    }
    for (Attribute a : JavaConverters.seqAsJavaList(node.references().toSeq())) {
      referenced.add(a.exprId());
    }
    if (top) {
      // Columns passed through unchanged are read too, though no expression refers to them.
      for (Attribute a : JavaConverters.seqAsJavaList(node.output())) {
        referenced.add(a.exprId());
      }
    }
    children.forEach(c -> walk(c, leaves, referenced, false));
  }

  /**
   * Checks an input's schema against the contract, before any row is read: every feature column
   * present with a type that casts safely to the trained one (numbers and booleans among
   * themselves, anything to a string, dates and timestamps among themselves); with {@code
   * labelled}, the label's columns too. Extra columns are fine. Fails with exit code 3, naming
   * every problem column.
   *
   * @return the input with each contract column cast to its trained type, extra columns as they are,
   *     and (when not labelled) each label-only column added as a typed null
   */
  public Dataset<Row> conform(Dataset<Row> input, boolean labelled, String inputName) {
    return conform(input, labelled, inputName, false);
  }

  /**
   * A contract column whose type in an input differs from the one the run was trained on.
   *
   * @param column the source column
   * @param was its type in training
   * @param now its type in the input
   * @param converts whether every value converts to the trained type ({@link #conform} accepts it)
   */
  public record TypeChange(String column, String was, String now, boolean converts) {
    public String describe() {
      return "source column " + column + " is " + now + ", the run was trained on " + was
          + (converts ? "" : " (values that do not convert count as missing)");
    }
  }

  /** The contract columns (the label's too with {@code labelled}) whose type in {@code input} changed. */
  public List<TypeChange> typeChanges(StructType input, boolean labelled) {
    Map<String, StructField> present = new LinkedHashMap<>();
    for (StructField f : input.fields()) {
      present.put(f.name().toLowerCase(Locale.ROOT), f);
    }
    List<Field> checked = new ArrayList<>(features);
    if (labelled) {
      checked.addAll(label);
    }
    List<TypeChange> out = new ArrayList<>();
    for (Field want : checked) {
      StructField have = present.get(want.name().toLowerCase(Locale.ROOT));
      if (have != null && !have.dataType().sql().equalsIgnoreCase(want.type())) {
        out.add(new TypeChange(
            want.name(),
            want.type().toLowerCase(Locale.ROOT),
            have.dataType().sql().toLowerCase(Locale.ROOT),
            castsSafely(have.dataType(), want.dataType())));
      }
    }
    return out;
  }

  /**
   * {@link #conform}, except that a column of a type that does not convert safely is converted
   * anyway instead of refused: a string parsed as the number or date it should be (values that do
   * not parse become null), any other type replaced by nulls. For drift, which reports such a
   * change (see {@link #typeChanges}) instead of failing on it.
   */
  public Dataset<Row> conformTolerantly(Dataset<Row> input, boolean labelled, String inputName) {
    return conform(input, labelled, inputName, true);
  }

  private Dataset<Row> conform(
      Dataset<Row> input, boolean labelled, String inputName, boolean tolerant) {
    List<String> missing = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    Map<String, StructField> present = new LinkedHashMap<>();
    for (StructField f : input.schema().fields()) {
      present.put(f.name().toLowerCase(Locale.ROOT), f);
    }
    List<Field> required = new ArrayList<>(features);
    if (labelled) {
      required.addAll(label);
    }
    Dataset<Row> out = input;
    for (Field want : required) {
      StructField have = present.get(want.name().toLowerCase(Locale.ROOT));
      if (have == null) {
        missing.add(want.name() + " " + want.type().toLowerCase(Locale.ROOT));
      } else if (have.dataType().sql().equalsIgnoreCase(want.type())) {
        // The type the run was trained on, as the contract wrote it. Compared as written: a
        // user-defined type (Spark ML's vectors) writes its storage struct, whose parsed form
        // differs from the type's own in nullability alone; such a column must stay a vector.
        continue;
      } else if (!castsSafely(have.dataType(), want.dataType()) && tolerant) {
        Column value = have.dataType() instanceof StringType && simple(want.dataType())
            ? out.col(Columns.quote(have.name())).cast(want.dataType())
            : lit(null).cast(want.dataType());
        out = out.withColumn(have.name(), value);
      } else if (!castsSafely(have.dataType(), want.dataType())) {
        wrong.add(want.name() + " is " + have.dataType().sql().toLowerCase(Locale.ROOT)
            + ", the run was trained on " + want.type().toLowerCase(Locale.ROOT));
      } else if (!have.dataType().equals(want.dataType())) {
        out =
            out.withColumn(have.name(), out.col(Columns.quote(have.name())).cast(want.dataType()));
      }
    }
    if (!missing.isEmpty() || !wrong.isEmpty()) {
      List<String> parts = new ArrayList<>();
      if (!missing.isEmpty()) {
        parts.add(
            "missing column" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing));
      }
      if (!wrong.isEmpty()) {
        parts.add("wrong type" + (wrong.size() == 1 ? ": " : "s: ") + String.join("; ", wrong));
      }
      throw new DataException(
          "Input " + inputName + " does not fit the run: " + String.join("; ", parts));
    }
    if (!labelled) {
      for (Field l : label) {
        if (!present.containsKey(l.name().toLowerCase(Locale.ROOT))) {
          out = out.withColumn(l.name(), lit(null).cast(l.dataType()));
        }
      }
    }
    return out;
  }

  static boolean castsSafely(DataType from, DataType to) {
    if (from.equals(to)) {
      return true;
    }
    if (to instanceof StringType) {
      return simple(from);
    }
    boolean fromNumber = from instanceof NumericType || from instanceof BooleanType;
    boolean toNumber = to instanceof NumericType || to instanceof BooleanType;
    if (fromNumber && toNumber) {
      return true;
    }
    boolean fromTime = from instanceof DateType || from instanceof TimestampType;
    boolean toTime = to instanceof DateType || to instanceof TimestampType;
    if (fromTime && toTime) {
      return true;
    }
    // Arrays of numbers (vector columns) cast elementwise.
    if (from instanceof ArrayType a && to instanceof ArrayType b) {
      return castsSafely(a.elementType(), b.elementType());
    }
    return false;
  }

  private static boolean simple(DataType t) {
    return t instanceof NumericType
        || t instanceof BooleanType
        || t instanceof StringType
        || t instanceof DateType
        || t instanceof TimestampType;
  }
}
