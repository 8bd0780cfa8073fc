package dev.jobq.internal.config;

import dev.jobq.Backoff;
import dev.jobq.JobOptions;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The accepted ranges of the core's durations, shared by the file, the environment overrides and
 * {@link dev.jobq.JobQueueBuilder}, so that a value one of them rejects is not accepted by another.
 */
public final class Limits {

    public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(1);
    public static final Duration MAX_POLL_INTERVAL = Duration.ofHours(1);
    public static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofDays(1);
    static final Duration MAX_BACKOFF = Backoff.MAX_DELAY;
    /**
     * The most handlers one worker runs at once: beyond what one process runs usefully, and within what the worker
     * counts (twice its concurrency, in an int) and starts at once (on SQS a poll loop per ten permits: ten thousand
     * here, where 2^30 asked for a hundred million threads).
     */
    public static final int MAX_CONCURRENCY = 100_000;

    /** What a refusal of a queue name with a control character says to do. */
    public static final String QUEUE_NAME_CONTROL_FIX = "name the queue without line breaks, tabs or other control "
            + "characters, such as \"reports\"";

    private Limits() {
    }

    /** The builder's {@code concurrency}, checked with the file's rule. */
    public static int requireConcurrency(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be ≥ 1, got " + concurrency);
        }
        if (concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be ≤ " + MAX_CONCURRENCY + ", got " + concurrency
                    + "; for more handlers at once, run more worker processes");
        }
        return concurrency;
    }

    /** The builder's {@code pollInterval}, checked with the file's rule. */
    public static Duration requirePollInterval(Duration pollInterval) {
        return requireWithin("pollInterval", pollInterval, MIN_POLL_INTERVAL, MAX_POLL_INTERVAL,
                "it is the longest a receive waits before the worker looks again; below 1ms an idle worker polls "
                        + "in a hot loop");
    }

    /** The builder's {@code shutdownTimeout}, checked with the file's rule. */
    public static Duration requireShutdownTimeout(Duration shutdownTimeout) {
        return requireWithin("shutdownTimeout", shutdownTimeout, Duration.ZERO, MAX_SHUTDOWN_TIMEOUT,
                "use Duration.ZERO to release running jobs at once on close()");
    }

    /**
     * Whether a queue name has a control character (C0, DEL, C1), which the file's {@code queues:} and the builder
     * refuse alike, as enqueue refuses such a job type: the name was taken, and {@code jobq config check} and each
     * "(configured: …)" printed it raw, a newline starting a line of their own. A bidirectional override (U+202E) is
     * taken, as in a job type, and escaped where those show the name.
     */
    public static boolean hasControlCharacter(String queueName) {
        for (int i = 0; i < queueName.length(); i++) {
            if (Character.isISOControl(queueName.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** The builder's {@code workerQueues}: each queue listed once, as the file requires. */
    public static List<String> requireDistinctQueues(List<String> queues) {
        String repeated = firstRepeated(queues);
        if (repeated != null) {
            throw new IllegalArgumentException("workerQueues lists "
                    + UntrustedText.singleQuote(repeated, JobOptions.MAX_QUEUE_NAME) + " twice; list each queue once, "
                    + "in the order they are served");
        }
        return queues;
    }

    /** The first queue listed a second time, or null when each is listed once (also for {@code jobq run --queues}). */
    public static @Nullable String firstRepeated(List<String> queues) {
        Set<String> seen = new HashSet<>();
        for (String queue : queues) {
            if (!seen.add(queue)) {
                return queue;
            }
        }
        return null;
    }

    private static Duration requireWithin(String name, Duration value, Duration min, Duration max, String why) {
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + " must be ≥ " + DurationFormat.format(min) + ", got "
                    + DurationFormat.formatExact(value) + ": " + why);
        }
        if (value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be ≤ " + DurationFormat.format(max) + ", got "
                    + DurationFormat.formatExact(value));
        }
        return value;
    }
}
