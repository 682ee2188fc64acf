package dev.runway.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.Cli;
import dev.runway.TestData;
import dev.runway.config.TuneSettings;
import dev.runway.job.JobDefinition;
import dev.runway.train.nn.NeuralNetworkTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tune section is checked before Spark starts: each mistake exits 2 with the key and the
 * line, every mistake at once; and the space's values are checked as the job checks them.
 */
class TuneSettingsTest {
  @TempDir
  Path dir;

  /** A job file: the MLP with {@code tune} appended, so line numbers are known. */
  private Path job(String tune) throws Exception {
    Path file = dir.resolve("tune.conf");
    String mlp = TestData.repo().resolve("conf/jobs/fashion-mnist-mlp.conf").toString();
    Files.writeString(file, "include file(\"" + mlp + "\")\n" + tune);
    return file;
  }

  private Cli.Result tune(Path job, String... sets) {
    List<String> args = new ArrayList<>(List.of(
        "tune",
        "--job",
        job.toString(),
        "--master",
        "local[2]",
        "--set",
        "output.root=\"" + dir.resolve("runs") + "\""));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void everyMistakeInTheSpaceIsReportedWithItsKeyAndLine() throws Exception {
    Path job = job(String.join(
        "\n",
        "tune {",
        "  sampling = grid",
        "  space {",
        "    \"model.neural-network.learning-rat\" { log-range = [0.001, 0.1], count = 3 }",
        "    \"model.random-forest.num-trees\" { values = [10, 20] }",
        "    \"source.path\" { values = [a, b] }",
        "    \"model.neural-network.dropout\" { range = [0.5, 0.1] }",
        "    \"model.neural-network.l2\" { log-range = [0, 0.1], count = 2 }",
        "    \"train.batch-size\" { values = [32], int-range = [16, 64] }",
        "    \"model.neural-network.activation\" { valuse = [relu] }",
        "    \"train.averaging-frequency\" { range = [5, 50] }",
        "    \"train.epochs\" { values = [1, 2] }",
        "  }",
        "}"));
    Cli.Result r = tune(job);
    assertEquals(2, r.code(), r.err());
    String err = r.err();
    String at = job.getFileName().toString();
    for (String expected : List.of(
        "tune.space.\"model.neural-network.learning-rat\"",
        "the job has no key model.neural-network.learning-rat; did you mean"
            + " model.neural-network.learning-rate?",
        at + ":5",
        "tune.space.\"model.random-forest.num-trees\"",
        "has no effect on model.type = neural-network",
        at + ":6",
        "a tuned key must be a model.*, train.* or features.* key",
        at + ":7",
        "low must be below high",
        at + ":8",
        "a log-range needs a low end above 0",
        "set exactly one of values, range, log-range or int-range",
        "unknown key; did you mean values?",
        "grid sampling needs the number of points of a range",
        "train.epochs is the budget of tune.halving: it cannot be searched too")) {
      assertTrue(err.contains(expected), "missing <" + expected + "> in:\n" + err);
    }
    assertTrue(!Files.exists(dir.resolve("runs")), "nothing is written");
  }

  @Test
  void aValueTheJobRefusesNamesTheDimensionAndItsLine() throws Exception {
    Path job = job(String.join(
        "\n",
        "tune.space {",
        "  \"model.neural-network.learning-rate\" { values = [0.01, -1] }",
        "}"));
    Cli.Result r = tune(job);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("tune.space.\"model.neural-network.learning-rate\""), r.err());
    assertTrue(r.err().contains(job.getFileName() + ":3"), r.err());
    assertTrue(r.err().contains("the value -1 is not valid"), r.err());
  }

  @Test
  void anEmptySpaceAndBadHalvingAreConfigErrors() throws Exception {
    Cli.Result r = tune(
        job(""),
        "tune.halving.min-budget=20",
        "tune.halving.reduction-factor=1",
        "tune.sampling=grd");
    assertEquals(2, r.code(), r.err());
    for (String expected : List.of(
        "tune.space is empty",
        "tune.halving.min-budget",
        "must not exceed tune.halving.max-budget (15)",
        "tune.halving.reduction-factor",
        "tune.sampling",
        "did you mean grid?")) {
      assertTrue(r.err().contains(expected), "missing <" + expected + "> in:\n" + r.err());
    }
  }

  @Test
  void theSpaceIsReadInKeyOrder() throws Exception {
    TuneDefinition def = TuneDefinition.load(
        job(String.join(
                "\n",
                "tune.space {",
                "  \"train.batch-size\" { values = [64, 128] }",
                "  \"model.neural-network.learning-rate\" { log-range = [0.001, 0.1] }",
                "}"))
            .toString(),
        List.of());
    assertEquals(
        List.of("model.neural-network.learning-rate", "train.batch-size"),
        def.settings().space().stream().map(TuneSettings.Dimension::key).toList());
    assertEquals(20, def.trials().size());
    assertEquals(List.of(1, 5, 15), def.budgets());
  }

  @Test
  void aNetworkTrialLeftToTheSlotsGetsItsShareAndNothingElseDoes() throws Exception {
    Path job = job(String.join(
        "\n",
        "tune {",
        "  sampling = grid",
        "  space { \"train.workers\" { values = [0, 3] } }",
        "}"));
    TuneDefinition def = TuneDefinition.load(job.toString(), List.of());
    Trial auto = def.trials().get(0);
    Trial three = def.trials().get(1);
    assertEquals(1, workers(def.trialJob(auto, 1, 1)));
    assertEquals(0, workers(def.trialJob(auto, 1, 0)), "concurrency 1: the job's own 0");
    assertEquals(3, workers(def.trialJob(three, 1, 1)), "a trial's own workers stay");
    // An MLlib job has no workers to share: its trials' jobs are as the space says.
    TuneDefinition lr = TuneDefinition.load(
        job.toString(),
        List.of(
            "model.type=logistic-regression",
            "tune.space={\"model.logistic-regression.reg-param\":{values=[0.0]}}"));
    Trial t = lr.trials().get(0);
    assertEquals(lr.trialJob(t, 5).resolvedConfig(), lr.trialJob(t, 5, 1).resolvedConfig());
  }

  private static int workers(JobDefinition job) {
    return ((NeuralNetworkTrainer) job.trainer()).settings().workers();
  }
}
