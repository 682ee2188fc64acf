package dev.runway.error;

/** One-line messages out of exception chains. */
public final class Messages {
  private Messages() {}

  /**
   * The first line of the innermost cause's message: Spark wraps the real reason (a file that
   * is not Parquet, a refused connection) in several layers of "Job aborted due to stage failure".
   */
  public static String rootLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    String line = message.strip().lines().findFirst().orElse(root.getClass().getSimpleName());
    return line.length() > 400 ? line.substring(0, 400) + "..." : line;
  }
}
