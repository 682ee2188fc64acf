package dev.runway;

import java.net.URI;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for the test JVM: s3proxy on 127.0.0.1 with jclouds' in-memory backend
 * (its filesystem backend makes multi-object deletes take tens of seconds). Started once.
 */
public final class TestS3 {
  public static final String ACCESS_KEY = "runway-test-access";
  public static final String SECRET_KEY = "runway-test-secret-5c1a9e";

  private static S3Proxy proxy;
  private static BlobStore store;

  private TestS3() {}

  public static synchronized String endpoint() {
    if (proxy == null) {
      try {
        BlobStoreContext context = ContextBuilder.newBuilder("transient")
            .credentials(ACCESS_KEY, SECRET_KEY).overrides(new Properties()).build(BlobStoreContext.class);
        store = context.getBlobStore();
        proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
          Thread.sleep(10);
        }
      } catch (Exception e) {
        throw new IllegalStateException("cannot start s3proxy", e);
      }
    }
    return "http://127.0.0.1:" + proxy.getPort();
  }

  /** Creates a bucket (if missing). */
  public static void bucket(String name) {
    endpoint();
    store.createContainerInLocation(null, name);
  }

  /** Hadoop settings for test code's own S3A clients on this server. */
  public static org.apache.hadoop.conf.Configuration hadoop() {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    conf.set("fs.s3a.endpoint", endpoint());
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.set("fs.s3a.path.style.access", "true");
    conf.set("fs.s3a.connection.ssl.enabled", "false");
    conf.set("fs.s3a.access.key", ACCESS_KEY);
    conf.set("fs.s3a.secret.key", SECRET_KEY);
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return conf;
  }

  /** The --set overrides that point a job at this server with the test credentials. */
  public static List<String> settings() {
    return List.of("storage.s3a.endpoint=\"" + endpoint() + "\"", "storage.s3a.region=us-east-1",
        "storage.s3a.path-style-access=true", "storage.s3a.access-key=" + ACCESS_KEY,
        "storage.s3a.secret-key=" + SECRET_KEY);
  }
}
