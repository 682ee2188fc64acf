package dev.runway.error;

/** See {@link ExitCode#TRAINING}. */
public class TrainingException extends RunwayException {
  public TrainingException(String message) {
    super(ExitCode.TRAINING, message);
  }

  public TrainingException(String message, Throwable cause) {
    super(ExitCode.TRAINING, message, cause);
  }
}
