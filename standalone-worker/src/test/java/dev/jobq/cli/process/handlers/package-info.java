/**
 * Handlers and a provider that process-level tests put into a {@code --handlers} jar for child
 * {@code jobq} processes: handlers that work until the test opens a {@link dev.jobq.cli.process.handlers.Gate}, hold until
 * released, or record their runs (in a {@link
 * dev.jobq.cli.process.handlers.RunLog} file per worker), and a memory provider that starts with jobs.
 */
@NullMarked
package dev.jobq.cli.process.handlers;

import org.jspecify.annotations.NullMarked;
