/**
 * B5: jobs through {@code provider-sqs} against ElasticMQ started inside the fork, against a raw
 * AWS SDK loop (SendMessageBatch, ReceiveMessage, DeleteMessageBatch) at the same concurrency; and
 * enqueue with and without batching.
 */
@NullMarked
package dev.jobq.bench.sqs;

import org.jspecify.annotations.NullMarked;
