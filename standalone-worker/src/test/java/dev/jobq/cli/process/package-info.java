/**
 * The process-level tests and their harness: {@link dev.jobq.cli.process.JobqProcess} starts the
 * shaded {@code jobq.jar} (or {@code local-sqs.jar}) as a child JVM and follows its output
 * ({@link dev.jobq.cli.process.OutputLines}); {@link dev.jobq.cli.process.JarBuilder} makes
 * {@code --handlers} jars; the real servers are ElasticMQ ({@link dev.jobq.cli.process.LocalSqsServer},
 * one per test class) and PostgreSQL ({@link dev.jobq.cli.process.Postgres}); workers journal their
 * handler runs to files ({@link dev.jobq.cli.process.RunJournal}). The tests ({@code *IT}, run by
 * failsafe after {@code package}) check signals, exit statuses, draining, crash recovery, the
 * scheduler, health and metrics, and the README's SQS flow.
 */
@NullMarked
package dev.jobq.cli.process;

import org.jspecify.annotations.NullMarked;
