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

    private EpochNanos() {
    }

    static long of(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
        } catch (ArithmeticException outsideRange) {
            return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
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

    static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
