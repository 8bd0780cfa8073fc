/**
 * The {@code jobq} command line (picocli): {@link dev.jobq.cli.JobqCommand} is the entry point of
 * the standalone-worker jar and holds one subcommand per task: {@code run} (the worker,
 * {@code dev.jobq.cli.run}, with health and metrics from {@code dev.jobq.cli.http}), the operations
 * commands ({@code dev.jobq.cli.admin}) and {@code demo}. Commands write their results to stdout and
 * logs to stderr, and exit 0 on success, 1 when the work failed and 2 on bad usage or configuration.
 */
@NullMarked
package dev.jobq.cli;

import org.jspecify.annotations.NullMarked;
