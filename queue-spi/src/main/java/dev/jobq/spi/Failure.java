package dev.jobq.spi;

import java.time.Duration;
import java.util.Objects;

/** What the core decided about a failed delivery: run it again later, or dead-letter it. */
public sealed interface Failure {

    /** The error that ended the attempt: exception class and message, or a reason. */
    String error();

    /** Make the job visible again after {@code delay}; the next delivery is the next attempt. */
    record RetryAfter(Duration delay, String error) implements Failure {
        public RetryAfter {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(error, "error");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retry delay must be ≥ 0, got " + delay);
            }
        }
    }

    /**
     * Move the job to the dead letters with its error and attempt count. The live copy is removed
     * only after the dead-letter copy is written.
     */
    record Dead(String error) implements Failure {
        public Dead {
            Objects.requireNonNull(error, "error");
        }
    }

    static Failure retryAfter(Duration delay, String error) {
        return new RetryAfter(delay, error);
    }

    static Failure dead(String error) {
        return new Dead(error);
    }
}
