package dev.runway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import dev.runway.error.JobConfigException;
import dev.runway.error.StorageErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
    Config reference =
        ConfigFactory.parseResources(JobConfigLoader.class.getClassLoader(), "reference.conf");
    Config sets = ConfigFactory.empty();
    for (String override : overrides) {
      sets = parseOverride(override).withFallback(sets);
    }
    Config given = sets;
    Config user = jobLocation == null
        ? sets
        : sets.withFallback(parseJobFile(jobLocation, () -> storageFor(reference, given)));
    try {
      Config resolved = user.withFallback(reference).resolve(ConfigResolveOptions.defaults());
      return new LoadedConfig(reference, user, resolved, jobLocation);
    } catch (ConfigException e) {
      throw new JobConfigException(oneLine(e.getMessage()), e);
    }
  }

  /**
   * {@code base} with {@code values} set over it, keys being paths ("train.epochs"): a tune's
   * trial, derived without reading the job file again. {@code origin} names the values in messages.
   */
  public static LoadedConfig with(LoadedConfig base, Map<String, ?> values, String origin) {
    try {
      Config user = ConfigFactory.parseMap(values, origin).withFallback(base.user());
      Config resolved =
          user.withFallback(base.reference()).resolve(ConfigResolveOptions.defaults());
      return new LoadedConfig(base.reference(), user, resolved, base.jobLocation());
    } catch (ConfigException e) {
      throw new JobConfigException(oneLine(e.getMessage()), e);
    }
  }

  /**
   * Loads the job a committed run saved ({@code job.conf}, given as text) for applying the run:
   * its storage section is dropped (it was redacted when saved, and where the run is applied is
   * not where it trained), so storage comes from reference.conf, the environment variables it
   * reads and {@code overrides}, as for any command without a job file.
   */
  public static LoadedConfig loadSaved(String text, String origin, List<String> overrides) {
    Config reference =
        ConfigFactory.parseResources(JobConfigLoader.class.getClassLoader(), "reference.conf");
    Config sets = ConfigFactory.empty();
    for (String override : overrides) {
      sets = parseOverride(override).withFallback(sets);
    }
    try {
      Config saved = ConfigFactory.parseString(
              text, ConfigParseOptions.defaults().setOriginDescription(origin))
          .withoutPath("storage");
      Config user = sets.withFallback(saved);
      Config resolved = user.withFallback(reference).resolve(ConfigResolveOptions.defaults());
      return new LoadedConfig(reference, user, resolved, origin);
    } catch (ConfigException e) {
      throw new JobConfigException(oneLine(e.getMessage()), e);
    }
  }

  /**
   * Hadoop settings for reading a job file from a remote store: reference.conf's (with the
   * environment variables it reads) and what storage keys the command line gives. The job file's
   * own cannot be known before it is read.
   */
  private static Configuration storageFor(Config reference, Config sets) {
    try {
      Config resolved = sets.withFallback(reference).resolve();
      ConfigReader r = new ConfigReader(new LoadedConfig(reference, sets, resolved, null));
      return StorageSettings.configuration(StorageSettings.read(r));
    } catch (ConfigException e) {
      // A broken override (or storage value) is reported with the rest once the job is loaded.
      return StorageSettings.configuration(Map.of());
    }
  }

  private static Config parseJobFile(String location, Supplier<Configuration> storage) {
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
      return ConfigFactory.parseString(
          readRemote(uri, storage.get()), options.setOriginDescription(location));
    } catch (ConfigException e) {
      throw new JobConfigException(oneLine(e.getMessage()), e);
    } catch (IllegalArgumentException e) {
      throw new JobConfigException("Cannot read job file " + location + ": " + e.getMessage(), e);
    }
  }

  private static String readRemote(URI uri, Configuration storage) {
    try (FileSystem fs = FileSystem.newInstance(uri, storage);
        InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw StorageErrors.classify(e, "job file " + uri)
          .map(RuntimeException.class::cast)
          .orElseGet(() -> new JobConfigException(
              "Cannot read job file " + uri + ": " + oneLine(String.valueOf(e.getMessage())), e));
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
      throw new JobConfigException(
          "Cannot apply --set " + override + ": " + oneLine(e.getMessage()), e);
    }
  }

  /** Typesafe Config's message on one line, its "file: 12: ..." origins as "file:12: ...". */
  static String oneLine(String message) {
    return message
        .replaceAll("\\s*\\R\\s*", " ")
        .replaceFirst("^(\\S+): (\\d+): ", "$1:$2: ")
        .trim();
  }
}
