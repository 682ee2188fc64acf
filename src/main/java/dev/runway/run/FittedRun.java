package dev.runway.run;

import static dev.runway.features.Columns.FEATURES;
import static dev.runway.features.Columns.LABEL;
import static dev.runway.features.Columns.quote;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;

import dev.runway.artifacts.Json;
import dev.runway.artifacts.RunDirectory;
import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import dev.runway.config.JobSettings;
import dev.runway.config.JobSettings.SourceSettings.Malformed;
import dev.runway.error.JobConfigException;
import dev.runway.error.StorageException;
import dev.runway.features.FeaturePipeline;
import dev.runway.features.SqlFeatures;
import dev.runway.features.Target;
import dev.runway.features.TargetInference;
import dev.runway.profile.ReferenceProfile;
import dev.runway.train.ModelLoader;
import dev.runway.train.TrainedModel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * A committed run that can be applied to new rows: the one way every command after training
 * (score, evaluate, and later compare, drift, reports) loads a run and applies it. Loading checks
 * the run against its manifest first, then reads the typed records training saved; applying runs
 * the whole fitted transform on rows of the source's shape, in training's order: the job's SQL
 * statements, the array conversion, the fitted feature pipeline, the model.
 */
public final class FittedRun {
  private final RunDirectory dir;
  private final ManifestHeader header;
  private final String manifestSha256;
  private final JobSettings settings;
  private final Target target;
  private final InputContract contract;
  private final PipelineModel pipeline;
  private final TrainedModel model;
  private final SparkSession spark;
  /** How the command named the run, when through an alias; else null. */
  private final OutputLineage.AliasReference alias;

  private FittedRun(
      SparkSession spark,
      RunDirectory dir,
      ManifestHeader header,
      String manifestSha256,
      JobSettings settings,
      Target target,
      InputContract contract,
      PipelineModel pipeline,
      TrainedModel model,
      OutputLineage.AliasReference alias) {
    this.spark = spark;
    this.dir = dir;
    this.header = header;
    this.manifestSha256 = manifestSha256;
    this.settings = settings;
    this.target = target;
    this.contract = contract;
    this.pipeline = pipeline;
    this.model = model;
    this.alias = alias;
  }

  /**
   * Loads the run at {@code uri}. A run that is missing, uncommitted or does not match its
   * manifest is refused with exit code 5 (as {@code verify} would); a run committed by a runway
   * that did not yet save what applying needs is refused with exit code 2 (retrain it).
   *
   * @param overrides {@code --set} overrides of the run's saved job ({@code source.*} to read an
   *     input differently) and of reference.conf ({@code storage.*})
   * @param scoringBatch rows per minibatch when a network scores
   */
  public static FittedRun load(
      SparkSession spark, String uri, List<String> overrides, int scoringBatch) {
    RunDirectory dir = RunDirectory.at(spark.sparkContext().hadoopConfiguration(), uri);
    if (!dir.exists()) {
      throw new StorageException("Cannot load run " + dir.uri() + ": no such directory");
    }
    List<String> problems = dir.verify();
    if (!problems.isEmpty()) {
      throw new StorageException(
          "Run " + dir.uri() + " is not valid: " + String.join("; ", problems));
    }
    Map<String, Object> manifest = dir.manifest();
    ManifestHeader header = ManifestHeader.of(manifest);
    if (!ManifestHeader.RUN.equals(header.format())) {
      throw new JobConfigException("Cannot load " + dir.uri() + " as a run: it is a "
          + header.format() + " output, not a training run (" + ManifestHeader.RUN + ")");
    }
    if (!dir.has(RunFiles.TARGET)
        || !dir.has(RunFiles.INPUT_CONTRACT)
        || header.modelFormat() == null) {
      throw new JobConfigException(
          "Run " + dir.uri() + " was committed by runway " + header.projectVersion()
              + ", before runs saved " + RunFiles.TARGET + " and " + RunFiles.INPUT_CONTRACT
              + ": retrain it to score or evaluate with it");
    }
    ConfigReader r = new ConfigReader(JobConfigLoader.loadSaved(
        dir.readText(RunFiles.JOB), dir.resolve(RunFiles.JOB), overrides));
    JobSettings settings = JobSettings.read(r);
    r.throwIfProblems();
    Target target = record(dir, RunFiles.TARGET, Target.class);
    InputContract contract = record(dir, RunFiles.INPUT_CONTRACT, InputContract.class);
    PipelineModel pipeline = PipelineModel.load(dir.resolve(RunFiles.FEATURE_PIPELINE));
    TrainedModel model = ModelLoader.load(
        spark,
        header.modelFormat(),
        dir.resolve(RunFiles.MODEL),
        target.classification(),
        scoringBatch);
    return new FittedRun(
        spark,
        dir,
        header,
        dir.sha256(RunDirectory.MANIFEST),
        settings,
        target,
        contract,
        pipeline,
        model,
        null);
  }

  /** The same run, named through {@code alias}: outputs record the alias in their lineage. */
  public FittedRun namedBy(OutputLineage.AliasReference alias) {
    return new FittedRun(
        spark, dir, header, manifestSha256, settings, target, contract, pipeline, model, alias);
  }

  private static <T> T record(RunDirectory dir, String file, Class<T> type) {
    try {
      return Json.read(dir.readText(file), type);
    } catch (IllegalArgumentException e) {
      throw new JobConfigException("Cannot read " + dir.resolve(file) + ": " + e.getMessage(), e);
    }
  }

  /**
   * The run's predictions for {@code input}, rows of the training source's shape: its columns,
   * then the internal prediction columns ({@link dev.runway.features.Columns}). The input's schema
   * is checked against the run's input contract first (exit code 3 naming the columns).
   *
   * @param labelled true when the input has the label (evaluation): the label's source columns
   *     are then required and {@link dev.runway.features.Columns#LABEL} is added
   * @param inputName how messages name the input (its URI)
   */
  public Dataset<Row> apply(Dataset<Row> input, boolean labelled, String inputName) {
    return predict(table(input, labelled, inputName));
  }

  /**
   * {@link #apply}, except that an input column whose type changed is converted to the trained
   * type as far as its values allow ({@link InputContract#conformTolerantly}) instead of refused:
   * for drift, which reports the change as drift of that column.
   */
  public Dataset<Row> applyTolerantly(Dataset<Row> input, boolean labelled, String inputName) {
    return predict(
        build(contract.conformTolerantly(input, labelled, inputName), labelled, inputName));
  }

  private Dataset<Row> predict(Dataset<Row> table) {
    // The pipeline's intermediate columns (indexes, one-hot, hashed and scaled vectors) serve
    // nothing past the feature vector: dropped before the model. Spark ML models never compute
    // them anyway, but a network scores in mapPartitions, which Spark cannot prune columns
    // through: each of them was built and converted to a Row and back for every row scored
    // (README, "Scoring speed").
    Column[] kept = Stream.concat(Arrays.stream(table.columns()), Stream.of(FEATURES))
        .map(c -> col(quote(c)))
        .toArray(Column[]::new);
    return model.predict(pipeline.transform(table).select(kept));
  }

  /** The training table of {@code input}: its rows after the SQL statements and the array conversion. */
  public Dataset<Row> table(Dataset<Row> input, boolean labelled, String inputName) {
    return build(contract.conform(input, labelled, inputName), labelled, inputName);
  }

  private Dataset<Row> build(Dataset<Row> conformed, boolean labelled, String inputName) {
    Dataset<Row> table = FeaturePipeline.prepare(
        SqlFeatures.build(spark, conformed, settings.features()), settings.features());
    table = finite(table, inputName);
    return labelled ? table.withColumn(LABEL, TargetInference.labelColumn(target)) : table;
  }

  /**
   * Infinite numeric feature values follow {@code source.malformed}, like rows that do not parse:
   * drop leaves the row out, fail stops the command naming the column (checked as rows stream
   * past, with no extra pass over the data). NaN and null are not malformed: the fitted imputer
   * fills them, as in training.
   */
  private Dataset<Row> finite(Dataset<Row> table, String inputName) {
    boolean drop = settings.source().malformed() == Malformed.DROP;
    Dataset<Row> out = table;
    for (String c : settings.features().numeric()) {
      Column value = col(quote(c));
      Column infinite = abs(value.cast(DataTypes.DoubleType)).equalTo(Double.POSITIVE_INFINITY);
      if (drop) {
        out = out.filter(functions.not(functions.coalesce(infinite, lit(false))));
      } else {
        out = out.withColumn(
            c,
            when(
                    infinite,
                    raise_error(
                        lit(
                            "Column '" + c + "' of " + inputName
                                + " has an infinite value: filter or cap it, or set source.malformed = drop")))
                .otherwise(value));
      }
    }
    return out;
  }

  public RunDirectory directory() {
    return dir;
  }

  public String uri() {
    return dir.uri();
  }

  public String runId() {
    return header.runId();
  }

  public String job() {
    return header.job();
  }

  /** The alias the run was named by, if it was. */
  public Optional<OutputLineage.AliasReference> alias() {
    return Optional.ofNullable(alias);
  }

  public ManifestHeader header() {
    return header;
  }

  /** SHA-256 of the run's manifest: names exactly this content of the run in lineage. */
  public String manifestSha256() {
    return manifestSha256;
  }

  /** The run's job settings as saved, with the overrides it was loaded with. */
  public JobSettings settings() {
    return settings;
  }

  public Target target() {
    return target;
  }

  public InputContract contract() {
    return contract;
  }

  /**
   * The reference profile training saved ({@value RunFiles#PROFILE}). A run committed before runs
   * saved one is refused with exit code 2 (retrain it).
   */
  public ReferenceProfile profile() {
    if (!dir.has(RunFiles.PROFILE)) {
      throw new JobConfigException("Run " + dir.uri() + " was committed by runway "
          + header.projectVersion() + ", before runs saved " + RunFiles.PROFILE
          + ": retrain it to check drift against it");
    }
    return record(dir, RunFiles.PROFILE, ReferenceProfile.class);
  }

  public TrainedModel model() {
    return model;
  }
}
