package dev.runway.compare;

import dev.runway.error.JobConfigException;
import dev.runway.run.OutputLineage.AliasReference;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * A {@code --run} argument that names a run through an alias: {@code alias:NAME@JOB_DIR_URI}, e.g.
 * {@code alias:champion@s3a://bucket/runs/churn}. An alias belongs to one job's directory, and a
 * scheduler passes the run as one variable: so both go in one string.
 */
public record AliasedRun(String alias, String jobDir) {
  public static final String PREFIX = "alias:";

  /** The alias named by {@code runArgument}; empty when it is a plain run URI. */
  public static Optional<AliasedRun> parse(String runArgument) {
    if (!runArgument.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = runArgument.substring(PREFIX.length());
    int at = rest.indexOf('@');
    if (at < 0 || at == rest.length() - 1) {
      throw new JobConfigException("Cannot use --run " + runArgument + ": name the job directory"
          + " the alias belongs to, as alias:NAME@JOB_DIR_URI (e.g."
          + " alias:champion@s3a://bucket/runs/churn)");
    }
    return Optional.of(
        new AliasedRun(Aliases.checkName(rest.substring(0, at)), rest.substring(at + 1)));
  }

  /**
   * Where the alias points now, as lineage records it; an unset alias is a usage error (exit
   * code 2) naming the alias and the directory.
   */
  public AliasReference resolve(Configuration hadoop) {
    Aliases aliases = Aliases.at(hadoop, jobDir, Aliases.DEFAULT_LEASE);
    AliasState state = aliases
        .resolve(alias)
        .orElseThrow(() -> new JobConfigException("Cannot use --run " + PREFIX + alias + "@"
            + jobDir + ": alias " + alias + " is not set in " + aliases.jobDir()));
    return new AliasReference(alias, aliases.jobDir(), state.seq(), state.runUri());
  }
}
