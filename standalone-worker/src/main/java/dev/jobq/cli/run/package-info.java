/**
 * {@code jobq run}, the standalone worker: {@link dev.jobq.cli.run.RunCommand} opens the queue with
 * the handler modules found, starts the worker (and the scheduler when enabled), logs one line per
 * finished attempt, serves health and metrics, and drains on the first TERM or INT
 * ({@link dev.jobq.cli.run.OsSignals}); a second one exits at once.
 */
@NullMarked
package dev.jobq.cli.run;

import org.jspecify.annotations.NullMarked;
