package dev.runway.cli;

import dev.runway.artifacts.Json;
import dev.runway.compare.Aliases;
import dev.runway.config.ConfigReader;
import dev.runway.registry.RunDiff;
import dev.runway.registry.RunEntry;
import dev.runway.registry.RunIndex;
import dev.runway.registry.RunQuery;
import dev.runway.registry.RunSummary;
import dev.runway.registry.RunTable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The run registry, with no Spark and no server: list the committed runs of an output root from
 * its index, show one, diff two, rebuild the index from the manifests.
 */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "Browse committed runs: list (from the index), show, diff, reindex.",
    subcommands = {
      RunsCommand.ListRuns.class,
      RunsCommand.Show.class,
      RunsCommand.Diff.class,
      RunsCommand.Reindex.class
    })
final class RunsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: runs list, runs show, runs diff or runs reindex");
  }

  /** Where runs are and how to reach them: --root (default output.root) and --set storage.*. */
  static final class Storage {
    @Option(
        names = "--root",
        paramLabel = "URI",
        description = "Output root holding the job directories (default: output.root).")
    String root;

    @Mixin
    OverrideOptions settings;

    Configuration hadoop() {
      return settings.hadoop();
    }

    String root() {
      if (root != null) {
        return root;
      }
      ConfigReader r = DatasetDefaults.reader(settings.overrides);
      String value = r.string("output.root");
      r.throwIfProblems();
      return value;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List committed runs from the index: a table, or JSON lines with --format json.")
  static final class ListRuns implements Callable<Integer> {
    @Mixin
    Storage storage;

    @Option(names = "--job", paramLabel = "NAME", description = "Only this job's runs.")
    String job;

    @Option(
        names = "--where",
        paramLabel = "CONDITIONS",
        description = "e.g. 'test.accuracy > 0.88 and model_type = neural-network'.")
    String where;

    @Option(
        names = "--sort",
        paramLabel = "FIELD",
        description = "e.g. -test.accuracy (descending) or started_at.")
    String sort;

    @Option(names = "--limit", paramLabel = "N", description = "At most N runs.")
    Integer limit;

    @Option(
        names = "--format",
        paramLabel = "table|json",
        description = "table (default) or json (one JSON line per run).")
    String format = "table";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      if (!format.equals("table") && !format.equals("json")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--format must be table or json, not '" + format + "'");
      }
      if (limit != null && limit < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--limit must be at least 1, not " + limit);
      }
      var filter = RunQuery.where(where);
      var order = RunQuery.sort(sort);
      Configuration hadoop = storage.hadoop();
      String root = storage.root();
      RunIndex index = RunIndex.of(hadoop, root);
      List<RunEntry> runs = new ArrayList<>();
      List<String> jobs = job != null ? List.of(job) : index.jobs();
      for (String j : jobs) {
        index.entries(j).stream().filter(filter).forEach(runs::add);
      }
      runs.sort(order);
      List<RunEntry> shown = limit == null ? runs : runs.subList(0, Math.min(limit, runs.size()));
      Map<String, List<String>> aliases =
          Aliases.at(hadoop, index.root(), Aliases.DEFAULT_LEASE).byRun();
      PrintWriter out = spec.commandLine().getOut();
      if (format.equals("json")) {
        for (RunEntry e : shown) {
          Map<String, Object> line = Json.parse(Json.line(e));
          line.put("aliases", aliases.getOrDefault(e.uri(), List.of()));
          line.put("status", "committed");
          out.println(Json.line(line));
        }
      } else {
        out.print(RunTable.of(shown, aliases));
        if (runs.isEmpty() && (job == null ? jobs : index.jobs()).isEmpty()) {
          out.println("(no index under " + index.root() + ": scripts/run runs reindex --root "
              + root + " --job NAME builds one from the runs there)");
        }
      }
      out.flush();
      return Main.ok();
    }
  }

  /** What show and diff share: storage settings, and --format text|json for what they print. */
  static final class Printed {
    @Mixin
    OverrideOptions settings;

    @Option(names = "--format", paramLabel = "text|json", description = "text (default) or json.")
    String format = "text";

    void print(CommandSpec spec, Object json, String text) {
      if (!format.equals("text") && !format.equals("json")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--format must be text or json, not '" + format + "'");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(format.equals("json") ? Json.line(json) + System.lineSeparator() : text);
      out.flush();
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "One run: config highlights, metrics per split, timings, input files.")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_URI", description = "The run directory.")
    String run;

    @Mixin
    Printed printed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      Configuration hadoop = printed.settings.hadoop();
      RunSummary summary = RunSummary.of(hadoop, run).withOutputs(hadoop);
      printed.print(spec, summary, summary.text());
      return Main.ok();
    }
  }

  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      description = "Two runs: resolved-config differences, metric deltas, and whether they read"
          + " the same data.")
  static final class Diff implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_A", description = "The first run directory.")
    String a;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The second run directory.")
    String b;

    @Mixin
    Printed printed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      Configuration hadoop = printed.settings.hadoop();
      RunDiff diff = RunDiff.of(RunSummary.of(hadoop, a), RunSummary.of(hadoop, b));
      printed.print(spec, diff, diff.text());
      return Main.ok();
    }
  }

  @Command(
      name = "reindex",
      mixinStandardHelpOptions = true,
      description = "Rebuild the index of a job (or of every job under the root) from the"
          + " manifests of its committed runs.")
  static final class Reindex implements Callable<Integer> {
    @Mixin
    Storage storage;

    @Option(names = "--job", paramLabel = "NAME", description = "Only this job (default: all).")
    String job;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      RunIndex index = RunIndex.of(storage.hadoop(), storage.root());
      Map<String, Object> line = new LinkedHashMap<>();
      Map<String, Integer> runs = new LinkedHashMap<>();
      for (String j : job != null ? List.of(job) : index.jobDirectories()) {
        runs.put(j, index.reindex(j).size());
      }
      line.put("status", "reindexed");
      line.put("root", index.root());
      line.put("runs", runs);
      spec.commandLine().getOut().println(Json.line(line));
      return Main.ok();
    }
  }
}
