package dev.runway.cli;

import dev.runway.config.StorageSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/** {@code --set} for commands without a job file: overrides of reference.conf (storage keys, say). */
final class OverrideOptions {
  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a reference.conf key, e.g. storage.s3a.endpoint for s3a:// paths (repeatable).")
  List<String> overrides = new ArrayList<>();

  /** Hadoop settings from reference.conf's storage keys with these overrides, without Spark. */
  Configuration hadoop() {
    return StorageSettings.configuration(StorageSettings.fromCommandLine(overrides));
  }
}
