package dev.runway.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code storage.s3a} section, and the fs.s3a.* Hadoop settings it stands for. A pure
 * translation: nothing here touches the network.
 */
public final class S3aSettings {
  private static final String PATH_STYLE = "path-style-access";
  private static final List<String> BUCKET_KEYS =
      List.of("endpoint", "region", PATH_STYLE, "access-key", "secret-key", "session-token");

  private S3aSettings() {}

  /** Hadoop settings for {@code storage.s3a}, including every per-bucket override. */
  static Map<String, String> read(ConfigReader r) {
    Map<String, String> hadoop = new LinkedHashMap<>();
    Map<String, String> base = new LinkedHashMap<>();
    for (String key : BUCKET_KEYS) {
      if (!key.equals(PATH_STYLE)) {
        base.put(key, r.string("storage.s3a." + key));
      }
    }
    // false is Hadoop's own default: saying nothing leaves a cluster's
    // spark.hadoop.fs.s3a.path.style.access (spark-defaults.conf) in force.
    if (r.bool("storage.s3a." + PATH_STYLE)) {
      base.put(PATH_STYLE, "true");
    }
    translate(base, "fs.s3a.", hadoop);
    Map<String, String> buckets = r.openMap("storage.s3a.buckets");
    Map<String, Map<String, String>> byBucket = new LinkedHashMap<>();
    buckets.forEach((path, value) -> {
      int dot = path.lastIndexOf('.');
      String bucket = dot < 0 ? path : path.substring(0, dot);
      String key = dot < 0 ? "" : path.substring(dot + 1);
      if (dot < 0 || !BUCKET_KEYS.contains(key)) {
        r.problem("Unknown key storage.s3a.buckets." + path + " (" + r.where("storage.s3a.buckets")
            + "): a bucket takes " + String.join(", ", BUCKET_KEYS));
      } else {
        byBucket.computeIfAbsent(bucket, b -> new LinkedHashMap<>()).put(key, value);
      }
    });
    byBucket.forEach(
        (bucket, values) -> translate(values, "fs.s3a.bucket." + bucket + ".", hadoop));
    return hadoop;
  }

  /** The fs.s3a.* settings (under {@code prefix}) for one set of values; empty values say nothing. */
  static void translate(Map<String, String> values, String prefix, Map<String, String> into) {
    String endpoint = values.getOrDefault("endpoint", "");
    if (!endpoint.isEmpty()) {
      into.put(prefix + "endpoint", endpoint);
      if (endpoint.startsWith("http://")) {
        into.put(prefix + "connection.ssl.enabled", "false");
      }
    }
    putIfSet(values, "region", prefix + "endpoint.region", into);
    if (values.containsKey(PATH_STYLE)) {
      into.put(prefix + "path.style.access", values.get(PATH_STYLE));
    }
    String accessKey = values.getOrDefault("access-key", "");
    if (!accessKey.isEmpty()) {
      into.put(prefix + "access.key", accessKey);
      putIfSet(values, "secret-key", prefix + "secret.key", into);
      boolean temporary = !values.getOrDefault("session-token", "").isEmpty();
      putIfSet(values, "session-token", prefix + "session.token", into);
      // Only the given keys: with explicit credentials the provider chain must not pick others.
      into.put(
          prefix + "aws.credentials.provider",
          temporary
              ? "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider"
              : "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    }
  }

  private static void putIfSet(
      Map<String, String> values, String key, String hadoopKey, Map<String, String> into) {
    String v = values.getOrDefault(key, "");
    if (!v.isEmpty()) {
      into.put(hadoopKey, v);
    }
  }
}
