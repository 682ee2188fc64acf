package dev.runway.cli;

import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import java.util.List;

/** The {@code datasets.*} defaults of reference.conf, for commands that prepare data. */
final class DatasetDefaults {
  private DatasetDefaults() {}

  static ConfigReader reader() {
    return new ConfigReader(JobConfigLoader.load(null, List.of()));
  }
}
