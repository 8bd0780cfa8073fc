package dev.jobq.sqs;

import dev.jobq.spi.Capabilities;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What the provider learned about its queue at start-up.
 *
 * @param name            the jobq queue name ("default", or a named queue)
 * @param url             the SQS queue URL
 * @param fifo            true for a FIFO queue
 * @param deadLetterUrl   where dead jobs are copied; null when they are discarded
 * @param lease           the visibility timeout of a delivery
 * @param maxMessageBytes the largest message the queue takes, body and attributes
 * @param maxReceives     the receives after which the queue's redrive policy moves a message to its DLQ
 *                        ({@code maxReceiveCount}); {@link Capabilities#UNLIMITED_ATTEMPTS} without one
 * @param deadLetterMaxBytes the largest message the dead-letter queue takes (its MaximumMessageSize), which a
 *                        dead-letter copy is held to: a message another producer sent may be larger than
 *                        {@code maxMessageBytes}, which a setting can lower below what the queues take
 */
record SqsQueue(String name, String url, boolean fifo, @Nullable String deadLetterUrl, Duration lease,
                int maxMessageBytes, int maxReceives, int deadLetterMaxBytes) {

    /** A queue without a redrive policy, whose dead-letter queue takes what it takes. */
    SqsQueue(String name, String url, boolean fifo, @Nullable String deadLetterUrl, Duration lease,
             int maxMessageBytes) {
        this(name, url, fifo, deadLetterUrl, lease, maxMessageBytes, Capabilities.UNLIMITED_ATTEMPTS, maxMessageBytes);
    }

    /** How log lines and errors name the queue. */
    String label() {
        return "SQS queue '" + UntrustedText.escape(name) + "' (" + Secrets.maskUrl(url) + ")";
    }
}
