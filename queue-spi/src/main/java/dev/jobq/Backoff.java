package dev.jobq;

import dev.jobq.internal.runtime.DescribedBackoff;
import dev.jobq.internal.runtime.UserCode;
import dev.jobq.spi.DurationFormat;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

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
 *
 * <p>A log line names a backoff of the factories by the factory and its arguments ({@code Backoff.fixed(10s)}, with
 * {@code .withJitter(0.2)}), and a lambda by the class it was written in.
 */
@FunctionalInterface
public interface Backoff {

    Duration DEFAULT_BASE = Duration.ofSeconds(1);
    Duration DEFAULT_CAP = Duration.ofHours(1);
    /** The default jitter: up to this fraction of the delay is added, never subtracted. */
    double DEFAULT_JITTER = 0.2;
    /**
     * The longest delay the factories take (and the config file's {@code worker.backoff}): a retry further
     * off than a year is a job for the scheduler, or for a dead letter and a redrive.
     */
    Duration MAX_DELAY = Duration.ofDays(365);

    /**
     * The wait before the next attempt. Called by the worker after each failed attempt, from any of its
     * threads. A job type's own policy that throws or returns null is replaced for that retry by the worker's
     * default backoff ({@code JobQueueBuilder.backoff}, {@code worker.backoff}), and the worker's default that
     * does by {@link #defaultBackoff()} (each logged as an error naming it); a negative delay means at once.
     *
     * @param failedAttempt the attempt that just failed, 1-based
     */
    Duration delay(int failedAttempt);

    /**
     * The default: 1 s · 2^(attempt−1), capped at 1 h, plus up to 20 % jitter; an attempt below 1 counts as the first
     * (1 s plus its jitter), as in {@link #exponential}.
     */
    static Backoff defaultBackoff() {
        return new DescribedBackoff("Backoff.defaultBackoff()",
                exponential(DEFAULT_BASE, DEFAULT_CAP).withJitter(DEFAULT_JITTER));
    }

    /** No wait at all: retries run as soon as a worker is free. */
    static Backoff none() {
        return new DescribedBackoff("Backoff.none()", failedAttempt -> Duration.ZERO);
    }

    /**
     * The same wait after every failed attempt.
     *
     * @throws IllegalArgumentException if {@code delay} is negative or longer than {@link #MAX_DELAY}
     */
    static Backoff fixed(Duration delay) {
        requireNotNegative("delay", delay);
        return new DescribedBackoff("Backoff.fixed(" + DurationFormat.format(delay) + ")", failedAttempt -> delay);
    }

    /**
     * {@code base · 2^(failedAttempt−1)}, never more than {@code cap}; an attempt below 1 counts as the first (the
     * base).
     *
     * @throws IllegalArgumentException if either is negative or longer than {@link #MAX_DELAY}, or
     *                                  {@code cap} is shorter than {@code base}
     */
    static Backoff exponential(Duration base, Duration cap) {
        requireNotNegative("base", base);
        requireNotNegative("cap", cap);
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap must be ≥ base, got base " + base + " and cap " + cap);
        }
        String description = "Backoff.exponential(" + DurationFormat.format(base) + ", " + DurationFormat.format(cap)
                + ")";
        return new DescribedBackoff(description, failedAttempt -> {
            int shift = Math.max(1, failedAttempt) - 1; // failedAttempt - 1 overflowed for Integer.MIN_VALUE: the cap
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
        });
    }

    /**
     * One delay per failed attempt; past the end of the list the last delay repeats, and an attempt below 1 counts as
     * the first.
     *
     * @throws IllegalArgumentException if the list is empty, or a delay is negative or longer than
     *                                  {@link #MAX_DELAY} (naming its index)
     */
    static Backoff list(Duration... delays) {
        Objects.requireNonNull(delays, "delays must not be null; give at least one delay");
        if (delays.length == 0) {
            throw new IllegalArgumentException("Backoff.list needs at least one delay");
        }
        for (int i = 0; i < delays.length; i++) {
            requireNotNegative("delay at index " + i, delays[i]);
        }
        List<Duration> copy = List.of(delays);
        String named = copy.stream().limit(5).map(DurationFormat::format).collect(Collectors.joining(", "));
        String description = "Backoff.list(" + named + (copy.size() > 5 ? ", … " + copy.size() + " delays in all" : "")
                + ")";
        return new DescribedBackoff(description,
                failedAttempt -> copy.get(Math.min(Math.max(failedAttempt, 1), copy.size()) - 1));
    }

    /**
     * This policy plus a random extra of up to {@code fraction} of its delay. Jitter only adds, so a
     * retry never comes sooner than the base policy says. A negative delay, and one too long to count in
     * milliseconds (only a custom policy gives one), is answered as it is.
     *
     * @throws IllegalArgumentException if {@code fraction} is not between 0 and 1
     */
    default Backoff withJitter(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("jitter fraction must be between 0 and 1, got " + fraction);
        }
        Backoff base = this;
        String description = base instanceof DescribedBackoff ? base + ".withJitter(" + fraction + ")"
                : UserCode.describe(base) + ", withJitter(" + fraction + ")"; // not its toString(): user code
        return new DescribedBackoff(description, failedAttempt -> {
            Duration delay = base.delay(failedAttempt);
            if (delay == null || delay.isNegative() || delay.getSeconds() > Long.MAX_VALUE / 4000) {
                // null or negative goes to the worker, which replaces it or retries at once (a WARN naming it); one
                // far below zero or above threw from toMillis here, taken by the worker for a backoff that threw
                return delay;
            }
            long millis = delay.toMillis();
            long extra = millis == 0 ? 0 : (long) (ThreadLocalRandom.current().nextDouble() * fraction * millis);
            return delay.plusMillis(extra);
        });
    }

    private static void requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, () -> name + " must not be null");
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be ≥ 0, got " + value);
        }
        if (value.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(name + " must be ≤ " + DurationFormat.format(MAX_DELAY)
                    + " (Backoff.MAX_DELAY), got " + DurationFormat.formatExact(value) + "; a retry that far off is a "
                    + "job for the scheduler, or for a dead letter and a redrive");
        }
    }
}
