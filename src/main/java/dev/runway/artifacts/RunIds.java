package dev.runway.artifacts;

import dev.runway.error.JobConfigException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Run ids: generated ones sort by start time; given ones must be safe as a directory name. */
public final class RunIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  /** e.g. 20261127T081500Z-3fa2c1: UTC time to the second, then random hex against collisions. */
  public static String generate(Instant now) {
    byte[] suffix = new byte[3];
    RANDOM.nextBytes(suffix);
    return STAMP.format(now) + "-" + HexFormat.of().formatHex(suffix);
  }

  /**
   * Checks a user-given run id. Hadoop paths cannot hold ':' in a name, so an Airflow run id
   * ("scheduled__2026-11-27T00:00:00+00:00") must be passed with those characters replaced.
   */
  public static String check(String runId) {
    if (!VALID.matcher(runId).matches() || runId.contains("..")) {
      throw new JobConfigException("Cannot use --run-id " + runId + ": use 1 to 128 letters, digits"
          + " and . _ - (starting with a letter or digit)");
    }
    return runId;
  }
}
