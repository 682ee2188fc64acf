package dev.runway.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How a command finds its job: a job file plus command-line overrides. */
final class JobOptions {
  @Option(
      names = "--job",
      paramLabel = "PATH_OR_URI",
      description = "Job file (HOCON): a local path or any Hadoop URI.")
  String job;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one job key (repeatable); HOCON syntax after '='.")
  List<String> overrides = new ArrayList<>();
}
