package dev.jobq.sqs;

import dev.jobq.spi.Capabilities;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What the provider learned about its queue at start-up, and how log lines and errors name it. A class, not a record:
 * the URLs as they are shown are worked out once here, not in each of the some fifty lines that name the queue.
 */
final class SqsQueue {

    /** The characters of a queue's URL that an error or a log line repeats ({@link #shownUrl(String)}). */
    static final int URL_CHARS = IncomingMessages.SHOWN_CHARS;

    private final String name;
    private final String url;
    private final boolean fifo;
    private final @Nullable String deadLetterUrl;
    private final Duration lease;
    private final int maxMessageBytes;
    private final int maxReceives;
    private final int deadLetterMaxBytes;
    private final String shownUrl;
    private final String label;
    private final @Nullable String shownDeadLetterUrl;

    /**
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
    SqsQueue(String name, String url, boolean fifo, @Nullable String deadLetterUrl, Duration lease,
             int maxMessageBytes, int maxReceives, int deadLetterMaxBytes) {
        this.name = name;
        this.url = url;
        this.fifo = fifo;
        this.deadLetterUrl = deadLetterUrl;
        this.lease = lease;
        this.maxMessageBytes = maxMessageBytes;
        this.maxReceives = maxReceives;
        this.deadLetterMaxBytes = deadLetterMaxBytes;
        this.shownUrl = shownUrl(url);
        this.label = "SQS queue '" + UntrustedText.escape(name) + "' (" + shownUrl + ")";
        this.shownDeadLetterUrl = deadLetterUrl == null ? null : shownUrl(deadLetterUrl);
    }

    /** A queue without a redrive policy, whose dead-letter queue takes what it takes. */
    SqsQueue(String name, String url, boolean fifo, @Nullable String deadLetterUrl, Duration lease,
             int maxMessageBytes) {
        this(name, url, fifo, deadLetterUrl, lease, maxMessageBytes, Capabilities.UNLIMITED_ATTEMPTS, maxMessageBytes);
    }

    String name() {
        return name;
    }

    String url() {
        return url;
    }

    boolean fifo() {
        return fifo;
    }

    @Nullable String deadLetterUrl() {
        return deadLetterUrl;
    }

    Duration lease() {
        return lease;
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    int maxReceives() {
        return maxReceives;
    }

    int deadLetterMaxBytes() {
        return deadLetterMaxBytes;
    }

    /** How log lines and errors name the queue: its name escaped, its URL {@linkplain #shownUrl(String) shown}. */
    String label() {
        return label;
    }

    /** The queue's URL as log lines and errors show it ({@link #shownUrl(String)}). */
    String shownUrl() {
        return shownUrl;
    }

    /** The dead-letter queue's URL as log lines and errors show it ({@link #shownUrl(String)}); null when there is none. */
    @Nullable String shownDeadLetterUrl() {
        return shownDeadLetterUrl;
    }

    /** The label: the URLs are never shown here otherwise than masked. */
    @Override
    public String toString() {
        return label;
    }

    /**
     * A queue's URL (or the endpoint) as an error or a log line repeats it: {@linkplain Secrets#maskUrl masked}, escaped,
     * and cut after {@value #URL_CHARS} characters with its length said, as {@link Settings#shownUnquoted} says a
     * value, at a length that keeps any SQS URL whole (a name of up to 80 characters after a VPC endpoint's host). A
     * 100,000-character queueUrl, given or answered by a server for a queueName (which may then hold a line break),
     * was repeated whole.
     */
    static String shownUrl(String url) {
        String masked = Secrets.maskUrl(url);
        return masked.length() <= URL_CHARS ? UntrustedText.escape(masked)
                : UntrustedText.escape(masked, URL_CHARS) + " (" + masked.length() + " characters)";
    }
}
