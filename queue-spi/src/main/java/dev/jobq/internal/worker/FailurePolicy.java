package dev.jobq.internal.worker;

import dev.jobq.Backoff;
import dev.jobq.NonRetryableJobException;
import dev.jobq.spi.Failure;
import java.time.Duration;

/** Decides what a failed attempt becomes: a retry after the backoff, or a dead letter. */
final class FailurePolicy {

    private FailurePolicy() {
    }

    /**
     * @param attempt     the attempt that failed, 1-based
     * @param maxAttempts the job's total attempts
     */
    static Failure decide(Throwable error, int attempt, int maxAttempts, Backoff backoff) {
        String text = describe(error);
        if (error instanceof NonRetryableJobException) {
            return Failure.dead("not retryable: " + text);
        }
        if (attempt >= maxAttempts) {
            return Failure.dead(text + " (attempt " + attempt + " of " + maxAttempts + ")");
        }
        Duration delay = backoff.delay(attempt);
        return Failure.retryAfter(delay.isNegative() ? Duration.ZERO : delay, text);
    }

    /** A timed-out attempt: retried like any failure while attempts remain. */
    static Failure timedOut(Duration timeout, int attempt, int maxAttempts, Backoff backoff) {
        String text = "timed out after " + dev.jobq.spi.DurationFormat.format(timeout);
        if (attempt >= maxAttempts) {
            return Failure.dead(text + " (attempt " + attempt + " of " + maxAttempts + ")");
        }
        return Failure.retryAfter(backoff.delay(attempt), text);
    }

    /** "IllegalStateException: the message", with the root cause when it says more. */
    static String describe(Throwable error) {
        String own = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != error) {
            own += " (caused by " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
        }
        return own;
    }
}
