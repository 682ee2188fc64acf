package dev.runway.compare;

import dev.runway.error.JobConfigException;
import dev.runway.run.OutputLineage.AliasReference;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * A {@code --run} argument that names a run through an alias: {@code alias:NAME@ROOT_URI}, e.g.
 * {@code alias:champion@s3a://bucket/runs}. An alias belongs to one output root, and a
 * scheduler passes the run as one variable: so both go in one string.
 */
public record AliasedRun(String alias, String root) {
  public static final String PREFIX = "alias:";

  /** The alias named by {@code runArgument}; empty when it is a plain run URI. */
  public static Optional<AliasedRun> parse(String runArgument) {
    if (!runArgument.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = runArgument.substring(PREFIX.length());
    int at = rest.indexOf('@');
    if (at < 0 || at == rest.length() - 1) {
      throw new JobConfigException("Cannot use --run " + runArgument + ": name the output root"
          + " the alias belongs to, as alias:NAME@ROOT_URI (e.g."
          + " alias:champion@s3a://bucket/runs)");
    }
    return Optional.of(
        new AliasedRun(Aliases.checkName(rest.substring(0, at)), rest.substring(at + 1)));
  }

  /**
   * Where the alias points now, as lineage records it; an unset alias is a usage error (exit
   * code 2) naming the alias and the directory.
   */
  public AliasReference resolve(Configuration hadoop) {
    Aliases aliases = Aliases.at(hadoop, root, Aliases.DEFAULT_LEASE);
    AliasState state = aliases
        .resolve(alias)
        .orElseThrow(() -> new JobConfigException("Cannot use --run " + PREFIX + alias + "@" + root
            + ": alias " + alias + " is not set in " + aliases.root()));
    return new AliasReference(alias, aliases.root(), state.seq(), state.runUri());
  }
}
