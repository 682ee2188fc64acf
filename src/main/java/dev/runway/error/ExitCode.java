package dev.runway.error;

/** Process exit codes: the contract with schedulers and scripts, documented in the README. */
public enum ExitCode {
  OK(0),
  /** Command-line usage or job configuration error: fix the job, do not retry. */
  CONFIG(2),
  /** The input data is missing, unreadable or does not fit the job. */
  DATA(3),
  /** Training itself failed, e.g. the loss became NaN. */
  TRAINING(4),
  /** Reading or writing storage failed (permissions, endpoint, bucket, disk). */
  STORAGE(5);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
