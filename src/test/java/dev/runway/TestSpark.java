package dev.runway;

import org.apache.spark.sql.SparkSession;

/**
 * The test JVM's one Spark session: local[2], UI off, driver on loopback, few shuffle partitions.
 * Starting Spark costs seconds, so every test class shares it; it stops when the JVM exits.
 */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("runway-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.ui.showConsoleProgress", "false")
          // As tune starts its applications: concurrent trials each get a pool.
          .config("spark.scheduler.mode", "FAIR")
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }
}
