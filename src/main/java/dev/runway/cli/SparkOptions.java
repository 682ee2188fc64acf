package dev.runway.cli;

import dev.runway.config.StorageSettings;
import dev.runway.error.JobConfigException;
import java.util.List;
import java.util.Map;
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
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null) {
      builder.master(master);
    } else if (!new SparkConf().contains("spark.master")) {
      throw new JobConfigException("No Spark master: run through scripts/run (local mode) or"
          + " scripts/submit / spark-submit, or pass --master");
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
