package dev.jobq.sqs;

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
 */
record SqsQueue(String name, String url, boolean fifo, @Nullable String deadLetterUrl, Duration lease,
                int maxMessageBytes) {

    /** How log lines and errors name the queue. */
    String label() {
        return "SQS queue '" + name + "' (" + url + ")";
    }
}
