/**
 * Handlers and a provider that process-level tests put into a {@code --handlers} jar for child
 * {@code jobq} processes: a handler that sleeps, and a memory provider that starts with jobs.
 */
@NullMarked
package dev.jobq.cli.process.handlers;

import org.jspecify.annotations.NullMarked;
