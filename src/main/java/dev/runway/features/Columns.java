package dev.runway.features;

/**
 * The one home of the columns runway adds to a user's rows. They all start with an underscore,
 * which a user's SQL rarely produces, and scoring outputs never show them: they are renamed to
 * {@code prediction} and {@code probability_<class>} there.
 */
public final class Columns {
  /** Which split a row belongs to: "train", "validation" or "test". */
  public static final String SPLIT = "_split";
  /** A non-test row's fold, 0 to folds - 1 (k-fold only). */
  public static final String FOLD = "_fold";
  /** The assembled feature vector. */
  public static final String FEATURES = "_features";
  /** The label as a double: a class index for classification, the target for regression. */
  public static final String LABEL = "_label";
  /** Predicted class index or value. */
  public static final String PREDICTION = "_prediction";
  /** Class probabilities (classification only), a vector indexed like the classes. */
  public static final String PROBABILITY = "_probability";
  /** Raw scores (classification only), used for AUC. */
  public static final String RAW = "_raw";
  /** A row's stable key in evaluation outputs: a hash of its values unless a key column is named. */
  public static final String ROW_KEY = "_row_key";

  /** Intermediate columns of the feature pipeline. */
  static final String DENSE = "_dense";

  static final String SCALED = "_scaled";
  static final String HASHED = "_hashed";
  static final String NUMERIC_PREFIX = "_num_";
  static final String IMPUTED_PREFIX = "_imp_";
  static final String INDEX_PREFIX = "_idx_";
  static final String ONE_HOT_PREFIX = "_ohe_";

  private Columns() {}

  /**
   * {@code column} as Spark SQL and {@code col()} read a name literally: in backticks, any
   * backtick doubled. A name with a dot, space or backtick otherwise reads as a nested field or
   * fails to parse.
   */
  public static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
