package dev.runway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.config.JobSettings.FeatureSettings.ImputeStrategy;
import dev.runway.config.JobSettings.FeatureSettings.Task;
import dev.runway.config.JobSettings.SourceSettings.Format;
import dev.runway.config.JobSettings.SourceSettings.Malformed;
import dev.runway.config.JobSettings.SplitSettings.Method;
import dev.runway.error.ExitCode;
import dev.runway.error.JobConfigException;
import dev.runway.job.JobDefinition;
import dev.runway.train.nn.NetworkSpec.Updater;
import dev.runway.train.nn.NeuralNetworkTrainer;
import dev.runway.train.nn.TrainSettings;
import dev.runway.train.nn.TrainSettings.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and validating job files: every kind of mistake, its message and where it was made. */
class JobConfigTest {
  @TempDir
  Path dir;

  private static final String VALID = """
      job.name = demo
      source { path = "data/x.csv", format = csv }
      features {
        label = y
        numeric = [a, b]
      }
      """;

  private Path job(String text) throws IOException {
    Path file = dir.resolve("job.conf");
    Files.writeString(file, text);
    return file;
  }

  private JobConfigException invalid(String text, String... sets) throws IOException {
    Path file = job(text);
    JobConfigException e = assertThrows(
        JobConfigException.class, () -> JobDefinition.load(file.toString(), List.of(sets)));
    assertEquals(ExitCode.CONFIG, e.exitCode());
    return e;
  }

  @Test
  void validJobUsesDefaultsForEverythingItDoesNotSay() throws IOException {
    JobDefinition job = JobDefinition.load(job(VALID).toString(), List.of());
    assertEquals("demo", job.settings().name());
    assertEquals("logistic-regression", job.trainer().type());
    assertEquals(100, job.trainer().params().get("max-iter"));
    assertEquals(0.7, job.settings().split().train());
    assertEquals("runs", job.settings().outputRoot());
  }

  @Test
  void unknownKeyNamesFileLineAndSuggestsTheClosestKey() throws IOException {
    JobConfigException e = invalid(VALID + "model {\n  typ = random-forest\n}\n");
    assertEquals("Unknown key model.typ (job.conf:8); did you mean model.type?", relative(e));
  }

  @Test
  void misspelledSectionIsSuggestedToo() throws IOException {
    JobConfigException e = invalid(VALID + "featurs.numeric = [a]\n");
    assertTrue(
        relative(e).startsWith("Unknown key featurs (job.conf:7); did you mean features?"),
        relative(e));
  }

  @Test
  void wrongTypeNamesKeyValueAndLine() throws IOException {
    JobConfigException e = invalid(VALID + "split.seed = abc\n");
    assertEquals(
        "Cannot set split.seed = \"abc\" (job.conf:7): expected a whole number", relative(e));
  }

  @Test
  void aBlockSizeTakesUnitsAndIsBounded() throws IOException {
    String network = VALID + "model.type = neural-network\n";
    JobDefinition job =
        JobDefinition.load(job(network + "train.block-size = 8 MiB\n").toString(), List.of());
    assertEquals(8L << 20, ((NeuralNetworkTrainer) job.trainer()).settings().blockBytes());
    assertEquals(
        "Cannot set train.block-size = \"1k\" (job.conf:8): the size must be between 65536 and"
            + " 1073741824 bytes",
        relative(invalid(network + "train.block-size = 1k\n")));
    assertEquals(
        "Cannot set train.block-size = \"lots\" (job.conf:8): expected a size in bytes, e.g. 32 MiB",
        relative(invalid(network + "train.block-size = lots\n")));
  }

  @Test
  void adaptiveAveragingIsOnByDefaultAndItsLongestRoundIsNoShorterThanItsFirst()
      throws IOException {
    String network = VALID + "model.type = neural-network\n";
    TrainSettings settings = ((NeuralNetworkTrainer)
            JobDefinition.load(job(network).toString(), List.of()).trainer())
        .settings();
    assertEquals(0.5, settings.agreement());
    assertEquals(320, settings.maxAveragingFrequency());
    assertEquals(
        "Cannot set train.adaptive-averaging.max-frequency = 10 (job.conf:9): must be at least"
            + " train.averaging-frequency (40)",
        relative(invalid(network
            + "train.averaging-frequency = 40\n"
            + "train.adaptive-averaging.max-frequency = 10\n")));
  }

  @Test
  void aLayerListIsReadAndItsMistakesNameTheLayerAndLine() throws IOException {
    String network = VALID + "model.type = neural-network\n"
        + "model.neural-network.input-shape = [1, 28, 28]\n";
    JobDefinition job = JobDefinition.load(
        job(network
                + "model.neural-network.layers = [\n"
                + "  { type = convolution, filters = 8, kernel = [5, 3], padding = 1 }\n"
                + "  { type = pooling, kernel = 2, pool = avg }\n"
                + "  { type = batch-normalization }\n"
                + "  { type = dense, units = 32, activation = tanh }\n"
                + "  { type = dropout, rate = 0.25 }\n"
                + "]\n")
            .toString(),
        List.of());
    NeuralNetworkTrainer trainer = (NeuralNetworkTrainer) job.trainer();
    assertEquals(
        "CNN 1x28x28-conv5x3x8-avg2x2-bn-dense32-drop0.25-3", trainer.spec().describe(784, 3));
    assertEquals(List.of(1, 28, 28), trainer.spec().inputShape());

    // A kernel larger than what reaches it: the layer, the arithmetic and the list's line.
    assertEquals(
        "Cannot use model.neural-network.layers (job.conf:9): layer 3 (convolution) does not fit"
            + " its input: a kernel height of 9 is larger than the input height 6",
        relative(invalid(network
            + "model.neural-network.layers = [\n"
            + "  { type = convolution, filters = 8, kernel = 5 }\n"
            + "  { type = pooling, kernel = 4 }\n"
            + "  { type = convolution, filters = 8, kernel = 9 }\n"
            + "]\n")));
    // A mistyped key names the layer, its line and the keys it has.
    assertEquals(
        "Cannot set model.neural-network.layers[2].kernal = 2 (job.conf:11): a pooling layer has"
            + " no key kernal; its keys: kernel, pool, stride, type",
        relative(invalid(network
            + "model.neural-network.layers = [\n"
            + "  { type = convolution, filters = 8, kernel = 5 }\n"
            + "  { type = pooling, kernal = 2 }\n"
            + "]\n")));
    assertEquals(
        "Cannot set model.neural-network.layers[1].type = \"conv\" (job.conf:10): unknown layer"
            + " type \"conv\"; expected one of dense, convolution, pooling, batch-normalization, dropout,"
            + " flatten",
        relative(invalid(network + "model.neural-network.layers = [\n"
            + "  { type = conv, filters = 8 }\n"
            + "]\n")));
    assertEquals(
        "Cannot set model.neural-network.layers[1].kernel = [5,3,1] (job.conf:10): expected one"
            + " size for both sides, or [height, width]",
        relative(invalid(network
            + "model.neural-network.layers = [\n"
            + "  { type = convolution, filters = 8, kernel = [5, 3, 1] }\n"
            + "]\n")));
    assertEquals(
        "Cannot set model.neural-network.layers[1].units (job.conf:10): required",
        relative(invalid(
            network + "model.neural-network.layers = [\n" + "  { type = dense }\n" + "]\n")));
    assertEquals(
        "Cannot set model.neural-network.input-shape = [28,28] (job.conf:8): expected [channels,"
            + " height, width], e.g. [1, 28, 28]",
        relative(invalid(VALID + "model.type = neural-network\n"
            + "model.neural-network.input-shape = [28, 28]\n")));
  }

  @Test
  void augmentationNeedsAnImageAShiftSmallerThanItAndRunwaysEngine() throws IOException {
    String network = VALID + "model.type = neural-network\n";
    assertEquals(
        "Cannot set train.augment.horizontal-flip = true (job.conf:8): augments images: set"
            + " model.neural-network.input-shape, e.g. [1, 28, 28]",
        relative(invalid(network + "train.augment.horizontal-flip = true\n")));
    String image = network + "model.neural-network.input-shape = [1, 28, 28]\n";
    assertEquals(
        "Cannot set train.augment.max-shift = 28 (job.conf:9): must be smaller than the image (28"
            + " x 28 from model.neural-network.input-shape)",
        relative(invalid(image + "train.augment.max-shift = 28\n")));
    assertEquals(
        "Cannot set train.augment.max-shift = 2 (job.conf:10): works with train.engine ="
            + " parameter-averaging only",
        relative(invalid(image + "train.engine = dl4j-spark\ntrain.augment.max-shift = 2\n")));
    JobDefinition job = JobDefinition.load(
        job(image + "train.augment { horizontal-flip = true, max-shift = 2 }\n").toString(),
        List.of());
    assertEquals(
        Map.of("horizontal-flip", true, "max-shift", 2),
        ((Map<?, ?>) job.trainer().params().get("train")).get("augment"));
  }

  @Test
  void regularizationIsAutoByDefaultANumberOrAuto() throws IOException {
    JobDefinition job = JobDefinition.load(job(VALID).toString(), List.of());
    assertEquals("auto", job.trainer().params().get("reg-param"));
    assertEquals(
        List.of(0.0, 0.001, 0.01, 0.1), job.trainer().grid().orElseThrow().values());
    JobDefinition fixed = JobDefinition.load(
        job(VALID + "model.logistic-regression.reg-param = 0.05\n").toString(), List.of());
    assertTrue(fixed.trainer().grid().isEmpty());
    assertEquals(
        "Cannot set model.logistic-regression.reg-param = \"lots\" (job.conf:7): expected a number or auto",
        relative(invalid(VALID + "model.logistic-regression.reg-param = lots\n")));
    assertEquals(
        "Cannot set model.logistic-regression.reg-param-grid = [-1] (job.conf:7): expected a non-empty"
            + " list of numbers, each at least 0",
        relative(invalid(VALID + "model.logistic-regression.reg-param-grid = [-1]\n")));
  }

  @Test
  void kFoldSettingsAreChecked() throws IOException {
    JobDefinition job = JobDefinition.load(
        job(VALID + "split { method = k-fold, folds = 3, repeats = 2, key = a }\n")
            .toString(),
        List.of());
    assertEquals(3, job.settings().split().folds());
    assertEquals(2, job.settings().split().repeats());
    assertEquals("a", job.settings().split().key());
    assertEquals(
        "Cannot set split.folds = 1 (job.conf:7): the value must be between 2 and 100",
        relative(invalid(VALID + "split { method = k-fold, folds = 1 }\n")));
  }

  @Test
  void missingRequiredKeySaysHowToSetIt() throws IOException {
    JobConfigException e = invalid("source.path = x\nfeatures { label = y, numeric = [a] }\n");
    assertEquals(
        "Missing required key job.name: set it in the job file or with --set job.name=...",
        e.getMessage());
  }

  @Test
  void outOfRangeValueStatesTheRange() throws IOException {
    JobConfigException e = invalid(VALID + "model.logistic-regression.max-iter = -5\n");
    assertEquals(
        "Cannot set model.logistic-regression.max-iter = -5 (job.conf:7): the value must be"
            + " between 1 and 1000000",
        relative(e));
  }

  @Test
  void unknownEnumValueListsChoicesAndSuggests() throws IOException {
    JobConfigException e = invalid(VALID + "model.type = random-forrest\n");
    assertEquals(
        "Cannot set model.type = \"random-forrest\" (job.conf:7): must be one of logistic-regression,"
            + " random-forest, gradient-boosted-trees, linear-regression, neural-network; did you mean random-forest?",
        relative(e));
  }

  @Test
  void choicesAreParsedOnceAndWrittenOutAsTheJobFileSpellsThem() throws IOException {
    JobDefinition job = JobDefinition.load(
        job(VALID + "split.method = k-fold\nsource.malformed = drop\n"
                + "features.impute-strategy = median\nmodel.type = neural-network\n"
                + "model.neural-network.updater = sgd\ntrain.engine = dl4j-spark\n")
            .toString(),
        List.of());
    assertEquals(Method.K_FOLD, job.settings().split().method());
    assertTrue(job.settings().split().kFold());
    assertEquals(Format.CSV, job.settings().source().format());
    assertEquals(Malformed.DROP, job.settings().source().malformed());
    assertEquals(Task.AUTO, job.settings().features().task());
    assertEquals(ImputeStrategy.MEDIAN, job.settings().features().imputeStrategy());
    NeuralNetworkTrainer network = (NeuralNetworkTrainer) job.trainer();
    assertEquals(Updater.SGD, network.spec().updater());
    assertEquals(Engine.DL4J_SPARK, network.settings().engine());
    // What lineage.json records: the words of the job file, not the constants' names.
    assertEquals("k-fold", job.settings().split().method().configName());
    assertEquals("sgd", ((Map<?, ?>) network.params().get("network")).get("updater"));
    assertEquals("dl4j-spark", ((Map<?, ?>) network.params().get("train")).get("engine"));
    assertEquals(
        "auto",
        JobDefinition.load(job(VALID).toString(), List.of()).trainer().params().get("family"));
  }

  @Test
  void aMistypedChoiceNamesTheKeyTheChoicesAndTheClosestOne() throws IOException {
    JobConfigException e = invalid(
        VALID + "split.method = kfold\n",
        "model.type=neural-network",
        "model.neural-network.activation=Relu");
    assertEquals(
        "Cannot set split.method = \"kfold\" (job.conf:7): must be one of random, k-fold, column;"
            + " did you mean k-fold?" + System.lineSeparator()
            + "Cannot set model.neural-network.activation = \"Relu\" (--set model.neural-network.activation=Relu):"
            + " must be one of relu, leakyrelu, elu, tanh, sigmoid; did you mean relu?",
        relative(e));
  }

  @Test
  void unknownFormatIsRejected() throws IOException {
    JobConfigException e = invalid(VALID + "source.format = xlsx\n");
    assertTrue(
        relative(e)
            .startsWith(
                "Cannot set source.format = \"xlsx\" (job.conf:7): must be one of parquet, csv, json"),
        relative(e));
  }

  @Test
  void syntaxErrorNamesFileAndLine() throws IOException {
    JobConfigException e = invalid(VALID + "model {\n  type = \n");
    assertTrue(e.getMessage().contains("job.conf:9:"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void unresolvedSubstitutionNamesTheVariable() throws IOException {
    JobConfigException e = invalid(VALID + "output.root = ${RUNWAY_TEST_SURELY_UNSET_VAR}\n");
    assertTrue(e.getMessage().contains("RUNWAY_TEST_SURELY_UNSET_VAR"), e.getMessage());
    assertTrue(e.getMessage().contains("job.conf:7:"), e.getMessage());
  }

  @Test
  void optionalEnvironmentSubstitutionOverridesWhenSet() throws IOException {
    String home = System.getenv("HOME");
    JobDefinition job = JobDefinition.load(
        job(VALID + "output.root = \"/fallback\"\noutput.root = ${?HOME}\n"
                + "job.description = ${?RUNWAY_TEST_SURELY_UNSET_VAR}\n")
            .toString(),
        List.of());
    assertEquals(home, job.settings().outputRoot());
    assertEquals("", job.settings().description());
  }

  @Test
  void commandLineOverridesWinOverTheJobFileInOrder() throws IOException {
    JobDefinition job = JobDefinition.load(
        job(VALID + "model.type = random-forest\n").toString(),
        List.of(
            "model.type=gradient-boosted-trees",
            "split.seed=7",
            "split.seed=8",
            "features.categorical=[c, d]"));
    assertEquals("gradient-boosted-trees", job.trainer().type());
    assertEquals(8, job.settings().split().seed());
    assertEquals(List.of("c", "d"), job.settings().features().categorical());
  }

  @Test
  void badOverrideIsNamed() throws IOException {
    JobConfigException e = invalid(VALID, "model.max-iter=5");
    assertEquals("Unknown key model.max-iter (--set model.max-iter=5)", e.getMessage());
    JobConfigException noEquals = invalid(VALID, "model.type");
    assertEquals("Cannot apply --set model.type: expected key=value", noEquals.getMessage());
  }

  @Test
  void everyProblemIsReportedAtOnce() throws IOException {
    JobConfigException e = invalid("""
        job.name = "bad name"
        source { path = x, format = xml }
        features { label = y, numeric = [a], task = guess }
        split.fractions { train = 0.5, validation = 0.1, test = 0.1 }
        model.type = svm
        """);
    List<String> lines = e.getMessage().lines().toList();
    assertEquals(5, lines.size(), e.getMessage());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("Cannot set job.name")), e.getMessage());
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith("Cannot set source.format")), e.getMessage());
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith("Cannot set features.task")), e.getMessage());
    assertTrue(lines.stream().anyMatch(l -> l.contains("they must sum to 1")), e.getMessage());
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith("Cannot set model.type = \"svm\"")),
        e.getMessage());
  }

  @Test
  void splitFractionsMustSumToOne() throws IOException {
    JobConfigException e =
        invalid(VALID + "split.fractions { train = 0.8, validation = 0.1, test = 0.2 }\n");
    assertTrue(
        relative(e)
            .matches("Cannot split with fractions train=0.8, validation=0.1, test=0.2"
                + " \\(job.conf:\\d+\\): they must sum to 1"),
        relative(e));
  }

  @Test
  void sqlThatDoesNotParseIsCaughtWithoutData() throws IOException {
    JobConfigException e =
        invalid(VALID + "features.sql = [{ name = t, sql = \"SELEC a FROM source\" }]\n");
    assertTrue(
        relative(e).startsWith("Cannot parse features.sql[0] 't' (job.conf:7): "), relative(e));
    assertTrue(e.getMessage().contains("SELEC"), e.getMessage());
  }

  @Test
  void badSchemaAndFilterAreCaughtWithoutData() throws IOException {
    JobConfigException e = invalid(VALID + "source.schema = \"a INTT\"\nsource.filter = \"a >\"\n");
    List<String> lines = e.getMessage().lines().toList();
    assertEquals(2, lines.size(), e.getMessage());
    assertTrue(lines.get(0).startsWith("Cannot set source.schema = \"a INTT\""), e.getMessage());
    assertTrue(lines.get(1).startsWith("Cannot set source.filter = \"a >\""), e.getMessage());
  }

  @Test
  void openMapsTakeAnyKey() throws IOException {
    JobDefinition job = JobDefinition.load(
        job(VALID
                + "source.options { header = true, \"dateFormat\" = \"yyyy/MM/dd\" }\n"
                + "storage.hadoop { \"fs.s3a.endpoint\" = \"http://127.0.0.1:9000\" }\n"
                + "spark.conf { \"spark.sql.shuffle.partitions\" = 3 }\n")
            .toString(),
        List.of());
    assertEquals("true", job.settings().source().options().get("header"));
    assertEquals("http://127.0.0.1:9000", job.settings().hadoopConf().get("fs.s3a.endpoint"));
    assertEquals("3", job.settings().sparkConf().get("spark.sql.shuffle.partitions"));
  }

  @Test
  void savedConfigurationHasSecretsRedacted() throws IOException {
    JobDefinition job = JobDefinition.load(
        job(VALID
                + "storage.hadoop { \"fs.s3a.access.key\" = AKIAEXAMPLEKEY, \"fs.s3a.secret.key\" = s3cr3tValue }\n")
            .toString(),
        List.of());
    assertFalse(job.resolvedConfig().contains("AKIAEXAMPLEKEY"), job.resolvedConfig());
    assertFalse(job.resolvedConfig().contains("s3cr3tValue"), job.resolvedConfig());
    assertTrue(job.resolvedConfig().contains(Secrets.REDACTED));
    assertTrue(job.resolvedConfig().contains("max-iter"), "defaults are saved too");
  }

  @Test
  void featureColumnsAreRequiredAndLabelIsNotAFeature() throws IOException {
    JobConfigException e = invalid("job.name = j\nsource.path = x\nfeatures.label = y\n");
    assertTrue(e.getMessage().startsWith("No feature columns"), e.getMessage());
    JobConfigException both = invalid(VALID + "features.categorical = [y]\n");
    assertTrue(
        both.getMessage().startsWith("Cannot set features.label = \"y\""), both.getMessage());
  }

  @Test
  void intervalSettingsHaveDefaultsAndAreChecked() throws IOException {
    assertEquals(
        new JobSettings.EvaluateSettings(0.95, 1000, 200_000),
        JobDefinition.load(job(VALID).toString(), List.of()).settings().evaluate());
    assertEquals(
        "Cannot set evaluate.confidence = 95 (job.conf:7): the value must be between 0.5 and 0.999",
        relative(invalid(VALID + "evaluate.confidence = 95\n")));
    assertEquals(
        "Cannot set evaluate.bootstrap-replicates = 50 (job.conf:7): use 0 (no bootstrap intervals)"
            + " or at least 100",
        relative(invalid(VALID + "evaluate.bootstrap-replicates = 50\n")));
    assertEquals(
        "Cannot set evaluate.bootstrap-max-rows = 10 (job.conf:7): the value must be between 1000 and"
            + " 10000000",
        relative(invalid(VALID + "evaluate.bootstrap-max-rows = 10\n")));
    assertEquals(
        0,
        JobDefinition.load(job(VALID).toString(), List.of("evaluate.bootstrap-replicates=0"))
            .settings()
            .evaluate()
            .bootstrapReplicates());
  }

  @Test
  void missingJobFileIsAConfigError() {
    JobConfigException e = assertThrows(
        JobConfigException.class,
        () -> JobDefinition.load(dir.resolve("nope.conf").toString(), List.of()));
    assertTrue(e.getMessage().startsWith("Cannot read job file "), e.getMessage());
    assertTrue(e.getMessage().endsWith("nope.conf: no such file"), e.getMessage());
  }

  /** The message with the temp dir removed from origins, so expectations read naturally. */
  private String relative(JobConfigException e) {
    return e.getMessage().replace(dir.toString() + "/", "");
  }

  @Test
  void aJobNameCannotTakeTheOutputRootsOwnDirectories() throws IOException {
    JobConfigException e = invalid("""
        job.name = _index
        source.path = x
        features { label = y, numeric = [a] }
        """);
    assertTrue(
        e.getMessage().contains("job.name")
            && e.getMessage().contains("must not start with '_' or '.'"),
        e.getMessage());
  }
}
