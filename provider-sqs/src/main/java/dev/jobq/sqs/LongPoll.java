package dev.jobq.sqs;

import dev.jobq.JobQueueException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One ReceiveMessage call. A poll cut short by the provider's {@code close()} (which aborts it) or
 * by an interrupt of the receiving thread answers empty, the interrupt flag set again where the SDK
 * cleared it; any other failure is an exception naming the queue.
 */
final class LongPoll {

    private final SqsClient receiver;
    private final SqsQueue queue;

    LongPoll(SqsClient receiver, SqsQueue queue) {
        this.receiver = receiver;
        this.queue = queue;
    }

    /**
     * Receives up to {@code max} (≤ 10) messages, waiting up to {@code waitSeconds} for the first.
     *
     * @return the messages, or empty when the poll was aborted or interrupted
     */
    Optional<List<Message>> poll(int max, int waitSeconds, BooleanSupplier closing) {
        try {
            return Optional.of(receiver.receiveMessage(r -> r.queueUrl(queue.url())
                    .maxNumberOfMessages(max)
                    .waitTimeSeconds(waitSeconds)
                    .visibilityTimeout((int) queue.lease().toSeconds())
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
                            MessageSystemAttributeName.MESSAGE_GROUP_ID)
                    .messageAttributeNames("All")).messages());
        } catch (SdkException e) {
            if (isInterrupt(e)) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            if (closing.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                return Optional.empty();
            }
            throw new JobQueueException("receiving from " + queue.label() + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean isInterrupt(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof AbortedException || cause instanceof InterruptedException
                    || cause instanceof ClosedByInterruptException
                    || (cause instanceof InterruptedIOException && !(cause instanceof java.net.SocketTimeoutException))) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
