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
  STORAGE(5),
  /**
   * A JVM ran out of memory (heap, or native memory for ND4J). The same number Spark exits with
   * when it kills an executor (or a local-mode driver) over an OutOfMemoryError, so every
   * out-of-memory reads alike whoever noticed it first.
   */
  MEMORY(52);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
