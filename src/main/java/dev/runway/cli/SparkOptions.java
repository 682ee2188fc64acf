package dev.runway.cli;

import dev.runway.config.StorageSettings;
import dev.runway.error.JobConfigException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The Spark master for commands that need a session. scripts/run passes {@code --master local[*]};
 * spark-submit sets the master itself, so a job file never names one.
 */
final class SparkOptions {
  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (scripts/run sets local mode; leave unset under spark-submit).")
  String master;

  /**
   * A session for a command without a job file: only the storage settings its {@code --set}
   * gives (and the credential variables) reach Hadoop.
   */
  SparkSession session(String appName, List<String> sets) {
    return session(appName, Map.of(), StorageSettings.fromCommandLine(sets));
  }

  /**
   * Creates (or joins) the session, applying the job's Spark settings and its Hadoop settings
   * (made by {@link StorageSettings}, the same ones every command uses).
   */
  SparkSession session(
      String appName, Map<String, String> sparkConf, Map<String, String> hadoopConf) {
    requireMaster();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null) {
      builder.master(master);
    }
    sparkConf.forEach(builder::config);
    StorageSettings.asSparkConf(hadoopConf).forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    // getOrCreate ignores static settings of a session that already exists (tests share one);
    // the Hadoop ones still matter, so apply them directly too.
    hadoopConf.forEach((k, v) -> spark.sparkContext().hadoopConfiguration().set(k, v));
    useCloudCommitters(spark);
    return spark;
  }

  /**
   * The Hadoop configuration {@link #session(String, Map, Map)} would give, without starting
   * Spark ({@link StorageSettings#configuration(Map, Map)}): for a command's first question,
   * whether its output is committed already. A scheduler's retry of a finished task then answers
   * in the time a JVM takes to start, and on a cluster asks the resource manager for no
   * executors. With a session already running in this JVM (tests), its configuration is the base.
   */
  Configuration hadoop(Map<String, String> sparkConf, Map<String, String> hadoopConf) {
    requireMaster();
    scala.Option<SparkSession> running = SparkSession.getDefaultSession();
    if (!running.isDefined()) {
      return StorageSettings.configuration(sparkConf, hadoopConf);
    }
    Configuration conf = new Configuration(running.get().sparkContext().hadoopConfiguration());
    hadoopConf.forEach(conf::set);
    return conf;
  }

  /** {@link #hadoop(Map, Map)} for a command without a job file (see {@link #session(String, List)}). */
  Configuration hadoop(List<String> sets) {
    return hadoop(Map.of(), StorageSettings.fromCommandLine(sets));
  }

  /** The same refusal with or without a session: a command needs a master to run at all. */
  private void requireMaster() {
    if (master == null && !new SparkConf().contains("spark.master")) {
      throw new JobConfigException("No Spark master: run through scripts/run (local mode) or"
          + " scripts/submit / spark-submit, or pass --master");
    }
  }

  /**
   * Spark's own commit protocol renames task output into place, which S3 can only imitate by
   * copying, slowly and not atomically. Spark's hadoop-cloud module binds Parquet writes to
   * Hadoop's committer factories instead (the S3A magic committer for s3a://, the classic one
   * elsewhere). Used when the module is on the classpath (scripts/run and scripts/submit have it;
   * on a cluster it ships with Spark builds that include hadoop-cloud).
   */
  private static void useCloudCommitters(SparkSession spark) {
    try {
      Class.forName(CLOUD_PROTOCOL, false, SparkOptions.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return;
    }
    spark.conf().set("spark.sql.sources.commitProtocolClass", CLOUD_PROTOCOL);
    spark
        .conf()
        .set(
            "spark.sql.parquet.output.committer.class",
            "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");
  }

  private static final String CLOUD_PROTOCOL =
      "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol";
}
