package dev.runway.cli;

import dev.runway.config.ConfigReader;
import dev.runway.config.JobConfigLoader;
import dev.runway.config.JobSettings;
import java.util.List;

/** The {@code datasets.*} defaults of reference.conf, for commands that prepare data. */
final class DatasetDefaults {
  private DatasetDefaults() {}

  static ConfigReader reader() {
    return reader(List.of());
  }

  /**
   * With command-line overrides, e.g. storage.s3a settings for an s3a:// output; a key that
   * reference.conf does not know is reported (with the closest one) like in a job.
   */
  static ConfigReader reader(List<String> overrides) {
    ConfigReader r = new ConfigReader(JobConfigLoader.load(null, overrides));
    r.checkUnknownKeys(JobSettings.OPEN_MAPS);
    return r;
  }
}
