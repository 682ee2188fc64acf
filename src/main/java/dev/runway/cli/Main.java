package dev.runway.cli;

import dev.runway.artifacts.BuildInfo;
import dev.runway.config.Suggestions;
import dev.runway.error.ExitCode;
import dev.runway.error.Messages;
import dev.runway.error.OutOfMemory;
import dev.runway.error.RunwayException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The runway command line. It only parses, delegates to a command, and maps failures to exit
 * codes: a {@link RunwayException} prints its message (one line per problem) on stderr and
 * exits with its code, and its stack trace goes to the log, never to the terminal.
 */
@Command(
    name = "runway",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Runs Spark training jobs described by one HOCON file.",
    subcommands = {
      ValidateCommand.class,
      TrainCommand.class,
      TuneCommand.class,
      ScoreCommand.class,
      EvaluateCommand.class,
      CompareCommand.class,
      PromoteCommand.class,
      DriftCommand.class,
      RunsCommand.class,
      ReportCommand.class,
      VerifyCommand.class,
      PrepareFashionMnistCommand.class,
      GenerateSyntheticCommand.class,
      BenchCommand.class,
      BenchScoreCommand.class,
      BenchRunsCommand.class,
      BenchScaleCommand.class,
      ScanCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success (also: the run id was already committed)",
      "2:usage or job configuration error",
      "3:input data error",
      "4:training failed",
      "5:storage error",
      "52:out of memory (heap or native): the line names the setting to raise"
    })
public final class Main implements Runnable {
  /** Where stack traces go: the log file, not the terminal (see conf/log4j2.properties). */
  private static final Logger FAILURES = LoggerFactory.getLogger("dev.runway.failures");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    stopSpark();
    System.exit(code);
  }

  /** Runs a command line with the given streams and returns the exit code (tests call this). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((e, given) -> usageError(e, err));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof RunwayException r) {
        FAILURES.error("{} failed: {}", commandLine.getCommandName(), r.getMessage(), r);
        r.getMessage().lines().forEach(line -> err.println("error: " + line));
        err.flush();
        return r.exitCode().code();
      }
      // Out of memory anywhere in the failure (a Spark job's failure carries its task's error
      // as text): the memory line and its exit code, whichever command ran.
      Optional<OutOfMemory> memory = OutOfMemory.of(e, "run " + commandLine.getCommandName());
      if (memory.isPresent()) {
        return outOfMemory(memory.get(), e, err);
      }
      FAILURES.error("{} failed unexpectedly", commandLine.getCommandName(), e);
      err.println("error: unexpected " + e.getClass().getSimpleName() + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
          + " (stack trace in the log)");
      err.flush();
      return 1;
    });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) {
      // An Error escapes picocli; what failed to allocate is garbage now, so reporting it works.
      return outOfMemory(
          OutOfMemory.of(e, "run " + (args.length > 0 ? args[0] : "runway")).orElseThrow(), e, err);
    }
  }

  private static int outOfMemory(OutOfMemory memory, Throwable e, PrintWriter err) {
    FAILURES.error("{}", memory.getMessage(), e);
    err.println("error: " + memory.getMessage());
    err.flush();
    return memory.exitCode().code();
  }

  /**
   * A command line picocli cannot parse (unknown option, missing value, missing command): like
   * every failure, one {@code error:} line per cause, with picocli's suggestion and where the
   * options are listed; the usage code. Picocli reports a missing required option before an
   * unknown one, though the unknown one (a typo of the required, often) is what to fix first.
   */
  private static int usageError(CommandLine.ParameterException e, PrintWriter err) {
    CommandLine command = e.getCommandLine();
    String help = " (" + command.getCommandSpec().qualifiedName() + " --help lists the options)";
    List<String> unmatched = command.getUnmatchedArguments();
    if (!(e instanceof CommandLine.UnmatchedArgumentException) && !unmatched.isEmpty()) {
      err.println("error: "
          + describe(new CommandLine.UnmatchedArgumentException(command, unmatched)) + help);
    }
    err.println("error: " + describe(e) + help);
    err.flush();
    return ExitCode.CONFIG.code();
  }

  private static String describe(CommandLine.ParameterException e) {
    List<String> suggestions = e instanceof CommandLine.UnmatchedArgumentException unmatched
        ? suggestions(unmatched)
        : List.of();
    return Messages.firstLine(e.getMessage()).strip()
        + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?");
  }

  /**
   * A mistyped command gets the closest command by edit distance ("trian": train). Picocli's own
   * suggestions share letter pairs and stop at three, so one more command ("drift") pushed
   * "train" out of the answer for "trian"; options keep picocli's.
   */
  private static List<String> suggestions(CommandLine.UnmatchedArgumentException e) {
    List<String> unmatched = e.getUnmatched();
    Map<String, CommandLine> commands = e.getCommandLine().getSubcommands();
    if (!unmatched.isEmpty() && !commands.isEmpty() && !unmatched.get(0).startsWith("-")) {
      Optional<String> closest = Suggestions.closest(unmatched.get(0), commands.keySet());
      if (closest.isPresent()) {
        return List.of(closest.get());
      }
    }
    return e.getSuggestions();
  }

  /**
   * Stops the session before the JVM exits. Left to the shutdown hooks, Spark stops while its
   * asynchronous work (removing cached blocks, cleaning shuffles, event queues) is still being
   * handed to thread pools that are shutting down, and each refusal prints a
   * RejectedExecutionException stack trace on stderr after a successful run.
   */
  private static void stopSpark() {
    SparkSession.getDefaultSession().foreach(session -> {
      session.stop();
      return null;
    });
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"runway " + BuildInfo.version() + " (" + BuildInfo.gitCommit() + ")"};
    }
  }

  static int ok() {
    return ExitCode.OK.code();
  }
}
