package dev.runway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import dev.runway.error.JobConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Layers a job's configuration: reference.conf (every default), then the job file, then each
 * {@code --set key=value} in order, and resolves substitutions ({@code ${?ENV}} included).
 * Syntax errors and unresolved substitutions become {@link JobConfigException}s naming the file
 * and line; key-level checks happen later in {@link ConfigReader}.
 */
public final class JobConfigLoader {
  private JobConfigLoader() {}

  /**
   * Loads a job.
   *
   * @param jobLocation a local path or Hadoop URI of the job file, or null for defaults only
   * @param overrides {@code key=value} strings, HOCON syntax on the right of the first '='
   */
  public static LoadedConfig load(String jobLocation, List<String> overrides) {
    Config reference = ConfigFactory.parseResources(JobConfigLoader.class.getClassLoader(), "reference.conf");
    Config user = ConfigFactory.empty();
    if (jobLocation != null) {
      user = parseJobFile(jobLocation);
    }
    List<String> sets = new ArrayList<>();
    for (String override : overrides) {
      user = parseOverride(override).withFallback(user);
      sets.add(override);
    }
    try {
      Config resolved = user.withFallback(reference).resolve(ConfigResolveOptions.defaults());
      return new LoadedConfig(reference, user, resolved, jobLocation);
    } catch (ConfigException e) {
      throw new JobConfigException(oneLine(e.getMessage()), e);
    }
  }

  private static Config parseJobFile(String location) {
    ConfigParseOptions options = ConfigParseOptions.defaults().setAllowMissing(false);
    try {
      URI uri = URI.create(location.replace(" ", "%20"));
      if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
        Path path = uri.getScheme() == null ? Path.of(location) : Path.of(uri);
        if (!Files.isRegularFile(path)) {
          throw new JobConfigException("Cannot read job file " + location + ": no such file");
        }
        // parseFile keeps the file name in every origin and resolves includes next to it.
        return ConfigFactory.parseFile(path.toFile(), options);
      }
      return ConfigFactory.parseString(readRemote(uri), options.setOriginDescription(location));
    } catch (ConfigException e) {
      throw new JobConfigException(oneLine(e.getMessage()), e);
    } catch (IllegalArgumentException e) {
      throw new JobConfigException("Cannot read job file " + location + ": " + e.getMessage(), e);
    }
  }

  private static String readRemote(URI uri) {
    try (FileSystem fs = FileSystem.newInstance(uri, new Configuration());
        InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new JobConfigException("Cannot read job file " + uri + ": " + oneLine(String.valueOf(e.getMessage())), e);
    }
  }

  private static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new JobConfigException("Cannot apply --set " + override + ": expected key=value");
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1).trim();
    // Parsed as HOCON so lists and objects work; a bare word stays a string.
    String text = key + " = " + (value.isEmpty() ? "\"\"" : value);
    try {
      return ConfigFactory.parseString(
          text, ConfigParseOptions.defaults().setOriginDescription("--set " + override));
    } catch (ConfigException e) {
      throw new JobConfigException("Cannot apply --set " + override + ": " + oneLine(e.getMessage()), e);
    }
  }

  /** Typesafe Config's message on one line, its "file: 12: ..." origins as "file:12: ...". */
  static String oneLine(String message) {
    return message.replaceAll("\\s*\\R\\s*", " ").replaceFirst("^(\\S+): (\\d+): ", "$1:$2: ").trim();
  }
}
