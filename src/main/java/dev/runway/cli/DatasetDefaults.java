package dev.runway.cli;

import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import java.util.List;

/** The {@code datasets.*} defaults of reference.conf, for commands that prepare data. */
final class DatasetDefaults {
  private DatasetDefaults() {}

  static ConfigReader reader() {
    return reader(List.of());
  }

  /** With command-line overrides, e.g. storage.s3a settings for an s3a:// output. */
  static ConfigReader reader(List<String> overrides) {
    return new ConfigReader(JobConfigLoader.load(null, overrides));
  }
}
