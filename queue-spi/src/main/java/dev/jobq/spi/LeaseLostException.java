package dev.jobq.spi;

import dev.jobq.JobQueueException;

/**
 * Thrown by {@link QueueProvider#extendLease} when the provider no longer holds the delivery: its lease
 * ran out and the job may already be running again elsewhere (SQS: {@code ReceiptHandleIsInvalid}). The
 * worker then cancels the attempt ({@code JobContext.isCancelled()} turns true and the handler's thread
 * is interrupted, as at a timeout) and sends no more heartbeats for it; the message says why, for the log.
 */
public final class LeaseLostException extends JobQueueException {

    public LeaseLostException(String message) {
        super(message);
    }

    public LeaseLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
