package dev.runway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The repository's scripts (or any command) as separate processes, for the process-level tests:
 * run from the repository root on the packaged jar, logging under target/it-logs.
 */
public final class Scripts {
  private Scripts() {}

  /**
   * scripts/lib.sh's default RUNWAY_JVM_OPTS on this machine, what users' jobs run with (G1
   * regions, huge pages where the kernel has them): asked of lib.sh, so the tests follow it.
   */
  private static final String DEFAULT_JVM_OPTS = defaultJvmOpts();

  private static String defaultJvmOpts() {
    try {
      Process p = new ProcessBuilder(
              "bash",
              "-c",
              "unset RUNWAY_JVM_OPTS; source scripts/lib.sh && printf %s \"$RUNWAY_JVM_OPTS\"")
          .directory(TestData.repo().toFile())
          .redirectErrorStream(true)
          .start();
      String opts = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || !opts.startsWith("-XX:")) {
        throw new IllegalStateException("scripts/lib.sh gave no RUNWAY_JVM_OPTS: " + opts);
      }
      return opts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * What a process printed and returned.
   *
   * @param code exit code
   * @param out stdout
   * @param err stderr
   */
  public record Result(int code, String out, String err) {
    public List<String> errLines() {
      return err.lines().toList();
    }
  }

  /** A started process whose output goes to files until {@link #await()}. */
  public record Started(Process process, Path out, Path err, String command) {
    public Result await() throws IOException, InterruptedException {
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish");
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }
  }

  /** Starts {@code command} (a leading scripts/... resolved in the repository) with {@code env} added. */
  public static Started start(Map<String, String> env, String... command) throws IOException {
    Path repo = TestData.repo();
    Path out = Files.createTempFile("runway-out", ".txt");
    Path err = Files.createTempFile("runway-err", ".txt");
    List<String> cmd = new ArrayList<>(List.of(command));
    if (cmd.get(0).startsWith("scripts/")) {
      cmd.set(0, repo.resolve(cmd.get(0)).toString());
    }
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(repo.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().put("RUNWAY_NO_BUILD", "1");
    pb.environment().put("RUNWAY_DRIVER_MEMORY", "2g");
    pb.environment().put("RUNWAY_LOG_DIR", repo.resolve("target/it-logs").toString());
    // Every process here is a short job in fresh JVMs on two cores, where C2's compiler threads
    // compete with the job for them: with C1 alone a cars-mpg train on the test cluster took
    // 25-28 s instead of 36-50 s (driver and executors), and the quickstart's epochs ran as fast.
    // No result depends on the JIT. (A cluster started from here passes it to its applications.)
    pb.environment().put("RUNWAY_JVM_OPTS", DEFAULT_JVM_OPTS + " -XX:TieredStopAtLevel=1");
    pb.environment().putAll(env);
    return new Started(pb.start(), out, err, String.join(" ", command));
  }

  /** Runs {@code command} to the end. */
  public static Result run(Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    return start(env, command).await();
  }

  public static Result run(String... command) throws IOException, InterruptedException {
    return run(Map.of(), command);
  }
}
