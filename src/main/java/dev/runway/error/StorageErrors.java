package dev.runway.error;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.util.Optional;

/**
 * Recognizes, anywhere in an exception chain, the storage failures users meet first: an endpoint
 * that cannot be reached, a bucket that does not exist, credentials that are refused, a disk or
 * quota that is full. Classes are matched by name, so this works where hadoop-aws is not on the
 * classpath.
 */
public final class StorageErrors {
  private StorageErrors() {}

  private enum Kind {
    NO_BUCKET,
    DENIED,
    UNREACHABLE,
    NO_SPACE
  }

  /** What went wrong; {@link #reason()} is the part of the message after "Cannot ...: ". */
  private record Cause(Kind kind, String detail) {
    String reason() {
      return switch (kind) {
        case NO_BUCKET -> "the bucket does not exist";
        case DENIED ->
          "access denied (check the credentials: storage.s3a.access-key and secret-key, which"
              + " S3_ACCESS_KEY and S3_SECRET_KEY set, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)";
        case UNREACHABLE ->
          "the storage endpoint cannot be reached: " + detail + " (check storage.s3a.endpoint)";
        case NO_SPACE -> "no space left (disk full or quota exceeded: " + detail + ")";
      };
    }
  }

  /** A one-line {@link StorageException} naming {@code location} and the cause, if it is one of these. */
  public static Optional<StorageException> classify(Throwable e, String location) {
    return cause(e)
        .map(c -> new StorageException(
            switch (c.kind()) {
              case NO_BUCKET -> "Cannot use " + location + ": " + c.reason();
              case DENIED -> "Cannot access " + location + ": " + c.reason();
              // Said the other way round: the endpoint, not the location, is what failed.
              case UNREACHABLE ->
                "Cannot reach the storage endpoint for " + location + ": " + c.detail()
                    + " (check storage.s3a.endpoint)";
              case NO_SPACE -> "Cannot write " + location + ": " + c.reason();
            },
            e));
  }

  /** The same, for a failure met while doing {@code step} ("write the run to s3a://..."). */
  public static Optional<StorageException> duringStep(Throwable e, String step) {
    return cause(e).map(c -> new StorageException("Cannot " + step + ": " + c.reason(), e));
  }

  private static Optional<Cause> cause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (is(t, "org.apache.hadoop.fs.s3a.UnknownStoreException")) {
        return Optional.of(new Cause(Kind.NO_BUCKET, ""));
      }
      if (t instanceof AccessDeniedException
          || is(t, "org.apache.hadoop.fs.s3a.auth.NoAuthWithAWSException")
          || is(t, "org.apache.hadoop.security.AccessControlException")) {
        return Optional.of(new Cause(Kind.DENIED, ""));
      }
      if (outOfSpace(t)) {
        // The deepest such exception says it best: outer ones wrap it in "Job aborted due to...".
        Throwable deepest = t;
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
          deepest = outOfSpace(c) ? c : deepest;
        }
        return Optional.of(new Cause(Kind.NO_SPACE, Messages.firstLine(deepest.getMessage())));
      }
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SocketTimeoutException
          || is(t, "org.apache.http.conn.ConnectTimeoutException")) {
        return Optional.of(new Cause(
            Kind.UNREACHABLE,
            t.getMessage() == null
                ? t.getClass().getSimpleName()
                : Messages.firstLine(t.getMessage())));
      }
    }
    return Optional.empty();
  }

  /**
   * ENOSPC and EDQUOT reach Java as IOExceptions carrying the C library's text; HDFS has its own
   * quota exceptions. A task's failure reaches the driver as a SparkException whose message holds
   * the executor's exception, so the text is matched on any exception of the chain.
   */
  private static boolean outOfSpace(Throwable t) {
    String m = String.valueOf(t.getMessage());
    return m.contains("No space left on device")
        || m.contains("Disk quota exceeded")
        || is(t, "org.apache.hadoop.hdfs.protocol.QuotaExceededException");
  }

  private static boolean is(Throwable t, String className) {
    for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals(className)) {
        return true;
      }
    }
    return false;
  }
}
