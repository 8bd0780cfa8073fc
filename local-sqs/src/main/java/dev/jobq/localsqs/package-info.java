/**
 * A local SQS endpoint for development and tests, without Docker: {@link dev.jobq.localsqs.LocalSqs}
 * starts ElasticMQ in the JVM and creates a queue with its dead-letter queue;
 * {@link dev.jobq.localsqs.LocalSqsCommand} is the {@code local-sqs} command that runs one until
 * Ctrl-C and prints a {@code jobq.yaml} for it ({@link dev.jobq.localsqs.ConfigSnippet}). A
 * development tool: no jobq module depends on it except in test scope.
 */
@NullMarked
package dev.jobq.localsqs;

import org.jspecify.annotations.NullMarked;
