package dev.runway.error;

import java.util.Optional;

/**
 * Recognizes, anywhere in an exception chain, the storage failures users meet first: an endpoint
 * that cannot be reached, a bucket that does not exist, credentials that are refused. Classes are
 * matched by name, so this works where hadoop-aws is not on the classpath.
 */
public final class StorageErrors {
  private StorageErrors() {}

  /** A one-line {@link StorageException} naming {@code location} and the cause, if it is one of these. */
  public static Optional<StorageException> classify(Throwable e, String location) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (is(t, "org.apache.hadoop.fs.s3a.UnknownStoreException")) {
        return Optional.of(new StorageException("Cannot use " + location + ": the bucket does not exist", e));
      }
      if (t instanceof java.nio.file.AccessDeniedException
          || is(t, "org.apache.hadoop.fs.s3a.auth.NoAuthWithAWSException")
          || is(t, "org.apache.hadoop.security.AccessControlException")) {
        return Optional.of(new StorageException("Cannot access " + location + ": access denied (check the"
            + " credentials: storage.s3a.access-key and secret-key, or AWS_ACCESS_KEY_ID and"
            + " AWS_SECRET_ACCESS_KEY)", e));
      }
      if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
          || t instanceof java.net.NoRouteToHostException || t instanceof java.net.SocketTimeoutException
          || is(t, "org.apache.http.conn.ConnectTimeoutException")) {
        String reason = t.getMessage() == null ? t.getClass().getSimpleName()
            : t.getMessage().lines().findFirst().orElse("");
        return Optional.of(new StorageException("Cannot reach the storage endpoint for " + location + ": "
            + reason + " (check storage.s3a.endpoint)", e));
      }
    }
    return Optional.empty();
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
