package dev.runway;

import dev.runway.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs the command line in-process on the shared test session and captures what it prints. */
public final class Cli {
  /**
   * What one command printed and returned.
   *
   * @param code exit code
   * @param out standard output
   * @param err standard error
   */
  public record Result(int code, String out, String err) {
    public List<String> outLines() {
      return out.lines().toList();
    }

    public List<String> errLines() {
      return err.lines().toList();
    }
  }

  private Cli() {}

  public static Result run(String... args) {
    TestSpark.session();
    List<String> all = new ArrayList<>(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(
        new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }
}
