package dev.jobq;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before the next attempt after attempt {@code n} failed. Implementations must be
 * thread-safe. Build one with the static factories; any lambda also works as a custom policy.
 *
 * <pre>{@code
 * Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1))   // the default, with jitter
 * Backoff.fixed(Duration.ofSeconds(10))
 * Backoff.list(Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(10))
 * failedAttempt -> Duration.ofSeconds(failedAttempt * 30L)          // custom
 * }</pre>
 */
@FunctionalInterface
public interface Backoff {

    Duration DEFAULT_BASE = Duration.ofSeconds(1);
    Duration DEFAULT_CAP = Duration.ofHours(1);
    /** The default jitter: up to this fraction of the delay is added, never subtracted. */
    double DEFAULT_JITTER = 0.2;

    /**
     * The wait before the next attempt.
     *
     * @param failedAttempt the attempt that just failed, 1-based
     */
    Duration delay(int failedAttempt);

    /** The default: 1 s · 2^(attempt−1), capped at 1 h, plus up to 20 % jitter. */
    static Backoff defaultBackoff() {
        return exponential(DEFAULT_BASE, DEFAULT_CAP).withJitter(DEFAULT_JITTER);
    }

    /** No wait at all: retries run as soon as a worker is free. */
    static Backoff none() {
        return failedAttempt -> Duration.ZERO;
    }

    static Backoff fixed(Duration delay) {
        requireNotNegative("delay", delay);
        return failedAttempt -> delay;
    }

    /** {@code base · 2^(failedAttempt−1)}, never more than {@code cap}. */
    static Backoff exponential(Duration base, Duration cap) {
        requireNotNegative("base", base);
        requireNotNegative("cap", cap);
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap must be ≥ base, got base " + base + " and cap " + cap);
        }
        return failedAttempt -> {
            int shift = Math.max(0, failedAttempt - 1);
            if (shift >= 62) {
                return cap;
            }
            long factor = 1L << shift;
            try {
                Duration delay = base.multipliedBy(factor);
                return delay.compareTo(cap) > 0 ? cap : delay;
            } catch (ArithmeticException overflow) {
                return cap;
            }
        };
    }

    /** One delay per failed attempt; past the end of the list the last delay repeats. */
    static Backoff list(Duration... delays) {
        if (delays.length == 0) {
            throw new IllegalArgumentException("Backoff.list needs at least one delay");
        }
        List<Duration> copy = List.of(delays);
        copy.forEach(d -> requireNotNegative("delay", d));
        return failedAttempt -> copy.get(Math.min(Math.max(failedAttempt, 1), copy.size()) - 1);
    }

    /**
     * This policy plus a random extra of up to {@code fraction} of its delay. Jitter only adds, so a
     * retry never comes sooner than the base policy says.
     */
    default Backoff withJitter(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("jitter fraction must be between 0 and 1, got " + fraction);
        }
        Backoff base = this;
        return failedAttempt -> {
            Duration delay = base.delay(failedAttempt);
            long millis = delay.toMillis();
            long extra = millis <= 0 ? 0 : (long) (ThreadLocalRandom.current().nextDouble() * fraction * millis);
            return delay.plusMillis(extra);
        };
    }

    private static void requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be ≥ 0, got " + value);
        }
    }
}
