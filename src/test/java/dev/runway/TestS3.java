package dev.runway;

import java.net.URI;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.options.ListContainerOptions;

/**
 * A real S3 server for the test JVM: s3proxy on 127.0.0.1 with jclouds' in-memory backend
 * (its filesystem backend makes multi-object deletes take tens of seconds). Started once.
 */
public final class TestS3 {
  public static final String ACCESS_KEY = "runway-test-access";
  public static final String SECRET_KEY = "runway-test-secret-5c1a9e";

  private static S3Proxy proxy;
  private static BlobStore store;
  private static int port;

  private TestS3() {}

  public static synchronized String endpoint() {
    if (proxy == null) {
      BlobStoreContext context = ContextBuilder.newBuilder("transient")
          .credentials(ACCESS_KEY, SECRET_KEY)
          .overrides(new Properties())
          .build(BlobStoreContext.class);
      store = context.getBlobStore();
      serve(0);
    }
    return "http://127.0.0.1:" + port;
  }

  /** Starts a server for the store on {@code port} (0: any free one). */
  private static void serve(int port) {
    try {
      proxy = S3Proxy.builder()
          .blobStore(store)
          .endpoint(URI.create("http://127.0.0.1:" + port))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
          .build();
      proxy.start();
      while (!"STARTED".equals(proxy.getState())) {
        Thread.sleep(10);
      }
      TestS3.port = proxy.getPort();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start s3proxy", e);
    }
  }

  /** Stops the server (the stored objects stay): clients now get "connection refused". */
  public static synchronized void stop() throws Exception {
    endpoint();
    proxy.stop();
  }

  /** Serves the same objects again, on the same endpoint. */
  public static synchronized void restart() {
    serve(port);
  }

  /**
   * Waits until {@code key} exists in {@code bucket}, polling the store every few milliseconds;
   * fails if {@code writer} ends first or five minutes pass.
   */
  public static void awaitKey(String bucket, String key, Process writer)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!keys(bucket, key).contains(key)) {
      if (!writer.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(key + " never appeared in " + bucket + " while the process ran");
      }
      Thread.sleep(5);
    }
  }

  /** The keys in {@code bucket} under {@code prefix}, read from the server's store directly. */
  public static synchronized List<String> keys(String bucket, String prefix) {
    endpoint();
    return store.list(bucket, ListContainerOptions.Builder.prefix(prefix).recursive()).stream()
        .map(m -> m.getName())
        .toList();
  }

  /** Creates a bucket (if missing). */
  public static void bucket(String name) {
    endpoint();
    store.createContainerInLocation(null, name);
  }

  /** Hadoop settings for test code's own S3A clients on this server. */
  public static Configuration hadoop() {
    Configuration conf = new Configuration();
    conf.set("fs.s3a.endpoint", endpoint());
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set("fs.s3a.access.key", ACCESS_KEY);
    conf.set("fs.s3a.secret.key", SECRET_KEY);
    conf.set(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return conf;
  }

  /** The --set overrides that point a job at this server with the test credentials. */
  public static List<String> settings() {
    return List.of(
        "storage.s3a.endpoint=\"" + endpoint() + "\"",
        "storage.s3a.region=us-east-1",
        "storage.s3a.path-style-access=true",
        "storage.s3a.access-key=" + ACCESS_KEY,
        "storage.s3a.secret-key=" + SECRET_KEY);
  }
}
