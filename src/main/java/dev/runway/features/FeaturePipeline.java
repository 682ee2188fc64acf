package dev.runway.features;

import static dev.runway.features.Columns.FEATURES;
import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.col;

import dev.runway.config.JobSettings.FeatureSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NumericAttribute;
import org.apache.spark.ml.feature.FeatureHasher;
import org.apache.spark.ml.feature.Imputer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.feature.VectorSizeHint;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;

/**
 * The Spark ML pipeline that turns the feature columns into one feature vector,
 * {@link Columns#FEATURES}. It is fitted on the training split only and saved with the run, so
 * evaluation now and scoring later apply exactly the same transform. A pure function of the
 * settings and the data it is given.
 */
public final class FeaturePipeline {

  private FeaturePipeline() {}

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
      stages.add(new VectorSizeHint()
          .setInputCol(c)
          .setSize(vectorSizes.get(c))
          .setHandleInvalid("error"));
    }
    List<String> dense = new ArrayList<>();
    if (!f.numeric().isEmpty()) {
      // Cast first: Imputer and the assembler want doubles, and booleans are useful numbers too.
      String casts = f.numeric().stream()
          .map(c -> "CAST(" + Columns.quote(c) + " AS DOUBLE) AS "
              + Columns.quote(Columns.NUMERIC_PREFIX + c))
          .collect(Collectors.joining(", "));
      stages.add(new SQLTransformer().setStatement("SELECT *, " + casts + " FROM __THIS__"));
      String[] in =
          f.numeric().stream().map(c -> Columns.NUMERIC_PREFIX + c).toArray(String[]::new);
      String[] out =
          f.numeric().stream().map(c -> Columns.IMPUTED_PREFIX + c).toArray(String[]::new);
      stages.add(new Imputer()
          .setInputCols(in)
          .setOutputCols(out)
          .setStrategy(f.imputeStrategy().configName()));
      dense.addAll(Arrays.asList(out));
    }
    dense.addAll(f.vectors());
    List<String> parts = new ArrayList<>();
    if (!dense.isEmpty()) {
      // One vector column is already the dense vector. VectorAssembler would copy it element by
      // element through boxed callbacks: on Fashion-MNIST's 784 pixels that was the largest
      // share of fitting the scaler and transforming the splits.
      String denseColumn =
          dense.size() == 1 && f.numeric().isEmpty() ? dense.get(0) : Columns.DENSE;
      if (denseColumn.equals(Columns.DENSE)) {
        stages.add(new VectorAssembler()
            .setInputCols(dense.toArray(String[]::new))
            .setOutputCol(Columns.DENSE)
            .setHandleInvalid("error"));
      }
      if (f.standardize()) {
        stages.add(new StandardScaler()
            .setInputCol(denseColumn)
            .setOutputCol(Columns.SCALED)
            .setWithMean(true)
            .setWithStd(true));
        parts.add(Columns.SCALED);
      } else {
        parts.add(denseColumn);
      }
    }
    if (!f.categorical().isEmpty()) {
      String[] in = f.categorical().toArray(String[]::new);
      String[] idx =
          f.categorical().stream().map(c -> Columns.INDEX_PREFIX + c).toArray(String[]::new);
      String[] ohe =
          f.categorical().stream().map(c -> Columns.ONE_HOT_PREFIX + c).toArray(String[]::new);
      // The indexer's "keep" gives nulls and values never seen in training one extra index of
      // their own instead of failing evaluation or scoring; that index is part of the indexer's
      // output metadata, so the encoder sees it as a normal category (its own "keep" would add a
      // second, always-empty bucket). dropLast = false keeps the unseen bucket visible.
      stages.add(new StringIndexer()
          .setInputCols(in)
          .setOutputCols(idx)
          .setHandleInvalid("keep")
          .setStringOrderType("frequencyDesc"));
      stages.add(new OneHotEncoder()
          .setInputCols(idx)
          .setOutputCols(ohe)
          .setDropLast(false)
          .setHandleInvalid("error"));
      parts.addAll(Arrays.asList(ohe));
    }
    if (!f.hashedColumns().isEmpty()) {
      stages.add(new FeatureHasher()
          .setInputCols(f.hashedColumns().toArray(String[]::new))
          .setOutputCol(Columns.HASHED)
          .setNumFeatures(f.hashedNumFeatures()));
      parts.add(Columns.HASHED);
    }
    if (parts.size() == 1) {
      // Nothing to put together: the one part is the feature vector, under its own name. (Its
      // inputs were checked on the way: the size hint rejects a null or wrong-sized vector, the
      // imputer fills numbers, the encoders and the hasher never give null.)
      stages.add(new SQLTransformer()
          .setStatement("SELECT *, " + Columns.quote(parts.get(0)) + " AS "
              + Columns.quote(FEATURES) + " FROM __THIS__"));
    } else {
      stages.add(new VectorAssembler()
          .setInputCols(parts.toArray(String[]::new))
          .setOutputCol(FEATURES)
          .setHandleInvalid("error"));
    }
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /**
   * The name of each position of the feature vector, read from the fitted pipeline: a numeric
   * column by its name, a vector column's element as {@code pixels[3]}, a category as {@code
   * color=red} (and {@code color=(other)} for the bucket of unseen values and nulls), a hashed
   * bucket as {@code hashed[17]}. The order is {@link #pipeline}'s. Spark's own attribute names
   * cannot serve: the scaler drops them, and they carry the pipeline's internal column names.
   */
  public static List<String> featureNames(PipelineModel fitted, FeatureSettings f) {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    Map<String, String[]> labels = new LinkedHashMap<>();
    int hashed = 0;
    for (Transformer stage : fitted.stages()) {
      if (stage instanceof VectorSizeHint hint) {
        sizes.put(hint.getInputCol(), hint.getSize());
      } else if (stage instanceof StringIndexerModel indexer) {
        String[] in = indexer.getInputCols();
        for (int i = 0; i < in.length; i++) {
          labels.put(in[i], indexer.labelsArray()[i]);
        }
      } else if (stage instanceof FeatureHasher hasher) {
        hashed = hasher.getNumFeatures();
      }
    }
    List<String> names = new ArrayList<>(f.numeric());
    for (String c : f.vectors()) {
      for (int i = 0; i < sizes.get(c); i++) {
        names.add(c + "[" + i + "]");
      }
    }
    for (String c : f.categorical()) {
      for (String value : labels.get(c)) {
        names.add(c + "=" + value);
      }
      names.add(c + "=(other)");
    }
    for (int i = 0; i < hashed; i++) {
      names.add("hashed[" + i + "]");
    }
    return names;
  }

  /**
   * {@code vectors} with {@code names} as the ML attributes of its feature vector, where Spark ML
   * models and trainers look for them.
   */
  public static Dataset<Row> named(Dataset<Row> vectors, List<String> names) {
    Attribute[] attributes = new Attribute[names.size()];
    for (int i = 0; i < attributes.length; i++) {
      attributes[i] = NumericAttribute.defaultAttr().withName(names.get(i)).withIndex(i);
    }
    return vectors.withMetadata(FEATURES, new AttributeGroup(FEATURES, attributes).toMetadata());
  }
}
