package dev.runway.error;

/** See {@link ExitCode#DATA}. */
public class DataException extends RunwayException {
  public DataException(String message) {
    super(ExitCode.DATA, message);
  }

  public DataException(String message, Throwable cause) {
    super(ExitCode.DATA, message, cause);
  }
}
