/**
 * The {@code jobq} command line (picocli): {@link dev.jobq.cli.JobqCommand} is the entry point of
 * the standalone-worker jar and holds one subcommand per task. So far that is {@code demo}; the
 * worker ({@code run}) and the operations commands join it as their issues land. Commands write
 * their results to stdout and logs to stderr, and exit 0 on success, 1 when the work failed and
 * 2 on bad usage.
 */
@NullMarked
package dev.jobq.cli;

import org.jspecify.annotations.NullMarked;
