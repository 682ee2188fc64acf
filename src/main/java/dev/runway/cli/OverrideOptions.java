package dev.runway.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --set} for commands without a job file: overrides of reference.conf (storage keys, say). */
final class OverrideOptions {
  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a reference.conf key, e.g. storage.s3a.endpoint for s3a:// paths (repeatable).")
  List<String> overrides = new ArrayList<>();
}
