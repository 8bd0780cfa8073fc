package dev.jobq.sqs;

import dev.jobq.JobQueueException;
import dev.jobq.spi.ProviderStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The counts SQS can give. Waiting is the queue's {@code ApproximateNumberOfMessages}; dead is the
 * dead-letter queue's messages (0 under {@code deadLetter: discard}, which keeps none). Delayed and
 * in flight are {@link ProviderStats#UNKNOWN}: SQS counts a job waiting out its retry backoff as "not
 * visible", the same as one a worker runs, so neither number can be told apart.
 */
final class QueueStatistics {

    private final SqsClient sqs;
    private final SqsQueue queue;
    private final Duration requestTimeout;
    /** The setting of {@code requestTimeout}, as its config names it, for the error of a read SQS does not answer. */
    private final String requestTimeoutKey;

    QueueStatistics(SqsClient sqs, SqsQueue queue, Duration requestTimeout, String requestTimeoutKey) {
        this.sqs = sqs;
        this.queue = queue;
        this.requestTimeout = requestTimeout;
        this.requestTimeoutKey = requestTimeoutKey;
    }

    ProviderStats read() {
        long waiting = count(queue.url(), queue.shownUrl(), QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
        String deadLetterUrl = queue.deadLetterUrl();
        long dead = deadLetterUrl == null ? 0 : count(deadLetterUrl, queue.shownDeadLetterUrl(),
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
        return new ProviderStats(waiting, ProviderStats.UNKNOWN, ProviderStats.UNKNOWN, dead);
    }

    /** {@code shownUrl}: {@code url} as errors show it ({@link SqsQueue#shownUrl(String)}). */
    private long count(String url, String shownUrl, QueueAttributeName... names) {
        Map<QueueAttributeName, String> attributes;
        try {
            attributes = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(List.of(names))).attributes();
        } catch (SdkException e) {
            throw new JobQueueException("reading the message counts of " + shownUrl + " for " + queue.label() + " failed: "
                    + QueueCalls.failureOf(e, requestTimeout, "", requestTimeoutKey), e);
        }
        long total = 0;
        for (QueueAttributeName name : names) {
            String count = attributes.getOrDefault(name, "0");
            long messages;
            try {
                messages = Long.parseLong(count);
            } catch (NumberFormatException e) {
                // A bare NumberFormatException named neither the queue nor the count.
                throw new JobQueueException(notACount(shownUrl, name, count), e);
            }
            if (messages < 0) {
                // Passed on, a count below zero (or -1, read as ProviderStats.UNKNOWN) in jobq stats and the metrics.
                throw new JobQueueException(notACount(shownUrl, name, count));
            }
            total += messages;
        }
        return total;
    }

    private String notACount(String shownUrl, QueueAttributeName name, String count) {
        return "reading the message counts of " + shownUrl + " for " + queue.label() + " failed: it answered "
                + "an " + name + " of " + IncomingMessages.answered(count) + ", not a number of messages as SQS answers (a "
                + "server or proxy that is not SQS?); check the endpoint";
    }
}
