/**
 * Example job handlers with their payload records, the same code the {@code jobq demo} command, the
 * README snippets and the process-level tests run: a quick email sender, a call that fails its first
 * attempts and then succeeds, a task that always fails and ends in the dead letters, and a report
 * that reports its progress. Every handler is deterministic: what fails is decided by the attempt
 * number, never by chance, so a run can be checked job by job. A job enqueued without a payload is dead
 * at once, naming the payload to give, rather than retried into the same NullPointerException.
 * {@link dev.jobq.examples.DemoHandlers} registers them all on a queue.
 */
@NullMarked
package dev.jobq.examples;

import org.jspecify.annotations.NullMarked;
