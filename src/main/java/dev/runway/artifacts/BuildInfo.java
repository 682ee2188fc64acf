package dev.runway.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project's version and git commit, baked in by the build (see pom.xml). */
public final class BuildInfo {
  private static final Properties PROPS = load();

  private BuildInfo() {}

  public static String version() {
    return value("version");
  }

  /** The commit the jar was built from, or "unknown" when built outside a git checkout. */
  public static String gitCommit() {
    return value("git.commit");
  }

  private static String value(String key) {
    String v = PROPS.getProperty(key, "");
    // An unfiltered placeholder means the build did not know the value.
    return v.isBlank() || v.startsWith("${") ? "unknown" : v;
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/runway/build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Build facts are informative only; a run must not fail for want of them.
    }
    return p;
  }
}
