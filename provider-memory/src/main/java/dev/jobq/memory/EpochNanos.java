package dev.jobq.memory;

import java.time.Duration;
import java.time.Instant;

/**
 * Instants as epoch nanoseconds in a {@code long}, with saturating arithmetic: a delay of any
 * length (even {@link dev.jobq.spi.Capabilities#UNLIMITED_DELAY}) ends at {@link Long#MAX_VALUE},
 * "never", instead of overflowing into the past. Covers the years 1677 to 2262 exactly.
 */
final class EpochNanos {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The first instant there is in epoch nanoseconds. */
    static final Instant FIRST = toInstant(Long.MIN_VALUE);
    /** The last instant there is in epoch nanoseconds. */
    static final Instant LAST = toInstant(Long.MAX_VALUE);

    private EpochNanos() {
    }

    /**
     * {@code instant} in epoch nanoseconds, exactly.
     *
     * @throws ArithmeticException outside {@link #FIRST} to {@link #LAST}: saturated, a clock past 2262 would read as
     *                             "never", the end of every lease and of every delay however long
     */
    static long of(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
        } catch (ArithmeticException outsideRangeOrFirstSecond) {
            // In FIRST's second the seconds alone are below Long.MIN_VALUE, their nanoseconds not yet added: count
            // from the next second instead. Beyond the range this overflows as well, and throws.
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond() + 1, NANOS_PER_SECOND),
                    instant.getNano() - NANOS_PER_SECOND);
        }
    }

    static Instant toInstant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, NANOS_PER_SECOND),
                Math.floorMod(epochNanos, NANOS_PER_SECOND));
    }

    static long plus(long epochNanos, Duration duration) {
        return plus(epochNanos, nanos(duration));
    }

    static long plus(long a, long b) {
        long sum = a + b;
        // Overflow only when both have the same sign and the sum's sign differs.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /** {@code a - b}, saturated as {@link #plus(long, long)} is. */
    static long minus(long a, long b) {
        long difference = a - b;
        // Overflow only when the two have different signs and the difference's sign is not a's.
        if (((a ^ b) & (a ^ difference)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return difference;
    }

    static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
