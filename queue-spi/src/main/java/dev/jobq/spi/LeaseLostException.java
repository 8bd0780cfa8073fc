package dev.jobq.spi;

import dev.jobq.JobQueueException;

/**
 * Thrown by {@link QueueProvider#extendLease} when the provider no longer holds the delivery: its lease
 * ran out and the job may already be running again elsewhere (SQS: {@code ReceiptHandleIsInvalid}). The
 * worker then cancels the attempt ({@code JobContext.isCancelled()} turns true and the handler's thread
 * is interrupted, as at a timeout) and sends no more heartbeats for it; the message says why, for the log.
 *
 * <p>Thrown too by {@link QueueProvider#acknowledge} and {@link QueueProvider#fail} where the provider can tell
 * that the lease ran out unnoticed (no heartbeat came between: a clock step, a long pause): the settle is not
 * made, and the worker logs a WARN and neither announces nor counts the attempt's outcome, since the job's
 * other delivery settles it ({@link Feature#SETTLE_DETECTS_LOST_LEASE}).
 *
 * <p>The worker repeats the message in those WARNs {@linkplain LoggableThrowables#oneLine as one line}: its line breaks
 * and control characters escaped, cut after {@link LoggableThrowables#MAX_MESSAGE_CHARS} characters.
 */
public final class LeaseLostException extends JobQueueException {

    public LeaseLostException(String message) {
        super(message);
    }

    public LeaseLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
