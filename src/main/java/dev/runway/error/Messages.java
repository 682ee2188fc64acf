package dev.runway.error;

/** One-line messages out of exception chains. */
public final class Messages {
  private Messages() {}

  /** The first line of a (possibly multi-line, possibly null) message, at most 300 characters. */
  public static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /**
   * The first line of the innermost cause's message: Spark wraps the real reason (a file that
   * is not Parquet, a refused connection) in several layers of "Job aborted due to stage failure".
   */
  public static String rootLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String line = firstLine(root.getMessage());
    return line.isEmpty() ? root.getClass().getSimpleName() : line;
  }
}
