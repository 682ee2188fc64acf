package dev.runway.error;

/**
 * A failure the user can act on. Its message is the one line printed on stderr, so it must name
 * the cause (key, file and line, column, path); the exit code tells a scheduler what kind of
 * failure it was without parsing text.
 */
public class RunwayException extends RuntimeException {
  private final ExitCode exitCode;

  public RunwayException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public RunwayException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
