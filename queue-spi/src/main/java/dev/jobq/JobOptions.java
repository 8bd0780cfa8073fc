package dev.jobq;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The options a job carries on the wire (DESIGN §5): how many runs it gets in all, how long each
 * may take, its priority, its deduplication key and the queue it belongs to.
 *
 * @param maxAttempts      total runs including the first; 1 means no retry
 * @param timeout          the limit of one attempt; the handler is interrupted past it
 * @param priority         lower runs first; 0 is the default
 * @param deduplicationKey while a job of the queue with this key is waiting, delayed (its delay or a retry's
 *                         backoff) or running, whatever its type, enqueueing again returns it (SQS FIFO: within
 *                         SQS's 5-minute window, and in another process SQS drops the duplicate but the enqueue
 *                         returns its own id; docs/sqs.md)
 * @param queue            the named queue; {@value #DEFAULT_QUEUE} unless set
 */
public record JobOptions(int maxAttempts, Duration timeout, int priority, @Nullable String deduplicationKey, String queue) {

    public static final String DEFAULT_QUEUE = "default";
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_PRIORITY = 0;
    /**
     * The longest queue name a queue may be configured with: what the scheduler's table holds, so that a
     * queue takes delayed and scheduled jobs as it takes jobs for now.
     */
    public static final int MAX_QUEUE_NAME = 255;

    private static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    private static final Duration MAX_TIMEOUT = Duration.ofMillis(Long.MAX_VALUE);

    private static final JobOptions DEFAULTS =
            new JobOptions(DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT, DEFAULT_PRIORITY, null, DEFAULT_QUEUE);

    public JobOptions {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be ≥ 1, got " + maxAttempts);
        }
        checkTimeout(Objects.requireNonNull(timeout, "timeout"));
        Objects.requireNonNull(queue, "queue");
        if (queue.isBlank()) {
            throw new IllegalArgumentException("queue must not be blank");
        }
        if (deduplicationKey != null && deduplicationKey.isBlank()) {
            throw new IllegalArgumentException("deduplicationKey must not be blank; leave it unset instead");
        }
    }

    /**
     * A timeout travels in whole milliseconds ({@code timeoutMs}, docs/wire-format.md): one under a
     * millisecond would be written as 0, which every worker refuses to read, and one whose
     * milliseconds do not fit in a long cannot be written at all.
     */
    static void checkTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (timeout.compareTo(MIN_TIMEOUT) < 0) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, got " + timeout + ": it travels in whole "
                    + "milliseconds, and 0 ms is no timeout a worker accepts");
        }
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be at most " + Long.MAX_VALUE + " ms, got " + timeout
                    + ": it travels in whole milliseconds, as a long; for no practical limit give a long one, such "
                    + "as Duration.ofDays(365) (on SQS at most 11h59m)");
        }
    }

    /** The shared default options: 3 attempts, 30 s timeout, priority 0, queue "default". */
    public static JobOptions defaults() {
        return DEFAULTS;
    }

    /** True when these are exactly the defaults, so callers can share one instance. */
    public boolean isDefault() {
        return equals(DEFAULTS);
    }
}
