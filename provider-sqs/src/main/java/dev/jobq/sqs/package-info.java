/**
 * The {@code sqs} provider: jobs on an Amazon SQS queue (standard or FIFO) through the AWS SDK for
 * Java v2. {@link dev.jobq.sqs.SqsProviderFactory} is the public entry point; everything else is
 * the delivery machinery behind it: settings, the start-up checks of the queue and its dead-letter
 * queue, batched sends, deletes and visibility changes, leases tracked per receipt, and the copy of
 * dead and unreadable messages to the dead-letter queue.
 */
@NullMarked
package dev.jobq.sqs;

import org.jspecify.annotations.NullMarked;
