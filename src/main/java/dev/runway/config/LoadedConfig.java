package dev.runway.config;

import com.typesafe.config.Config;

/**
 * A job's configuration as loaded: the defaults, what the user set (job file and overrides,
 * unresolved), and the resolved result that settings are read from.
 *
 * @param reference reference.conf alone
 * @param user the job file with the overrides on top, before resolution
 * @param resolved user over reference, substitutions resolved
 * @param jobLocation the job file as given, or null
 */
public record LoadedConfig(Config reference, Config user, Config resolved, String jobLocation) {}
