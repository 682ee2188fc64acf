/**
 * The run registry: every committed run of an output root, listed without opening each one. The
 * run directories stay the truth; {@link dev.runway.registry.RunIndex} is a cache of one {@link
 * dev.runway.registry.RunEntry} per run, kept per job under the root and rebuilt from the
 * manifests on demand. No server: any Hadoop file system, S3 through S3A included.
 */
package dev.runway.registry;
