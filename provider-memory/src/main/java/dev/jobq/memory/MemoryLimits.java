package dev.jobq.memory;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one memory queue, checked at once.
 *
 * @param maxHistorySize  completed jobs kept for {@code getJob}
 * @param maxDeadLetters  dead letters kept; the oldest is dropped beyond it
 * @param leaseDuration   how long a delivery stays invisible to other receivers unless settled or extended
 * @param maxPayloadBytes the largest payload accepted, in UTF-8 bytes
 */
record MemoryLimits(int maxHistorySize, int maxDeadLetters, Duration leaseDuration, int maxPayloadBytes) {

    /**
     * The shortest lease heartbeats can keep: the worker extends a lease every third of it but at most
     * every 50 ms, looking every 20 ms. A shorter one ran out under a running handler, whose job was
     * then delivered again and ran twice or more at once (a 60 ms lease ran a 600 ms job three times).
     */
    static final Duration MIN_LEASE = Duration.ofMillis(250);
    static final Duration MAX_LEASE = Duration.ofDays(1);

    static final MemoryLimits DEFAULTS = new MemoryLimits(MemoryProviderFactory.DEFAULT_MAX_HISTORY_SIZE,
            MemoryProviderFactory.DEFAULT_MAX_DEAD_LETTERS, MemoryProviderFactory.DEFAULT_LEASE_DURATION,
            MemoryProviderFactory.DEFAULT_MAX_PAYLOAD_BYTES);

    MemoryLimits {
        if (maxHistorySize < 0) {
            throw new IllegalArgumentException("maxHistorySize must be ≥ 0, got " + maxHistorySize);
        }
        if (maxDeadLetters < 0) {
            throw new IllegalArgumentException("maxDeadLetters must be ≥ 0, got " + maxDeadLetters);
        }
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        if (leaseDuration.compareTo(MIN_LEASE) < 0 || leaseDuration.compareTo(MAX_LEASE) > 0) {
            throw new IllegalArgumentException("leaseDuration must be between 250ms and 1 day, got " + leaseDuration);
        }
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be ≥ 1, got " + maxPayloadBytes);
        }
    }
}
