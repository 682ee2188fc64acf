package dev.runway.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * The one place a command's Hadoop file-system settings are made: {@code storage.s3a} translated
 * to fs.s3a.* (see {@link S3aSettings}), then {@code storage.hadoop} on top. Every command builds
 * its storage access from these settings, whether it reads a job file, verifies a run without
 * Spark, or starts a session (where they become {@code spark.hadoop.*} keys, so executors get
 * them too); without a session, on the configuration the session would start from.
 */
public final class StorageSettings {
  private StorageSettings() {}

  /** The Hadoop settings of a loaded configuration; problems are collected in {@code r}. */
  public static Map<String, String> read(ConfigReader r) {
    Map<String, String> hadoop = new LinkedHashMap<>(S3aSettings.read(r));
    hadoop.putAll(r.openMap("storage.hadoop"));
    return Collections.unmodifiableMap(hadoop);
  }

  /**
   * The Hadoop settings a command has before any job file is read: reference.conf (with the
   * environment variables it reads, S3_ACCESS_KEY and S3_SECRET_KEY) and the command line's
   * {@code --set} overrides. Unknown keys and bad values fail with every problem at once.
   */
  public static Map<String, String> fromCommandLine(List<String> overrides) {
    ConfigReader r = new ConfigReader(JobConfigLoader.load(null, overrides));
    r.checkUnknownKeys(JobSettings.OPEN_MAPS);
    Map<String, String> hadoop = read(r);
    r.throwIfProblems();
    return hadoop;
  }

  /**
   * A Hadoop configuration for storage access before (or without) a Spark session: what a driver's
   * SparkContext would start from, then {@code settings} on top. See {@link #configuration(Map,
   * Map)}.
   */
  public static Configuration configuration(Map<String, String> settings) {
    return configuration(Map.of(), settings);
  }

  /**
   * The Hadoop configuration a session started with {@code sparkConf} and these storage
   * {@code settings} would have, built without one, the way SparkContext builds its own
   * (SparkHadoopUtil, internal to Spark but unchanged since 1.x): core-site.xml, then the
   * {@code spark.hadoop.*} keys, which spark-submit puts in system properties from its --conf and
   * spark-defaults.conf, then {@code settings}. A cluster's S3 endpoint or credentials provider
   * often lives in spark-defaults.conf alone; a job file on s3a://, a committed-run check before
   * the session, and verify, runs and report under spark-submit must reach the same store the
   * session would. (A file system Hadoop caches from this configuration is the one the session
   * later gets, too.)
   */
  public static Configuration configuration(
      Map<String, String> sparkConf, Map<String, String> settings) {
    SparkConf spark = new SparkConf();
    sparkConf.forEach(spark::set);
    asSparkConf(settings).forEach(spark::set);
    Configuration conf = SparkHadoopUtil.get().newConfiguration(spark);
    settings.forEach(conf::set);
    return conf;
  }

  /** The same settings as Spark keys, which reach the driver's and every executor's configuration. */
  public static Map<String, String> asSparkConf(Map<String, String> settings) {
    Map<String, String> spark = new LinkedHashMap<>();
    settings.forEach((k, v) -> spark.put("spark.hadoop." + k, v));
    return spark;
  }
}
