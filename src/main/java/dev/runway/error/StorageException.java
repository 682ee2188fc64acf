package dev.runway.error;

/** See {@link ExitCode#STORAGE}. */
public class StorageException extends RunwayException {
  public StorageException(String message) {
    super(ExitCode.STORAGE, message);
  }

  public StorageException(String message, Throwable cause) {
    super(ExitCode.STORAGE, message, cause);
  }
}
