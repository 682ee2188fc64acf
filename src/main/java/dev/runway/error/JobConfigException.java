package dev.runway.error;

/** See {@link ExitCode#CONFIG}. */
public class JobConfigException extends RunwayException {
  public JobConfigException(String message) {
    super(ExitCode.CONFIG, message);
  }

  public JobConfigException(String message, Throwable cause) {
    super(ExitCode.CONFIG, message, cause);
  }
}
