package dev.jobq.internal.runtime;

import dev.jobq.Backoff;
import java.time.Duration;

/**
 * A backoff built by {@link Backoff}'s factories, named by the factory and its arguments ({@code Backoff.fixed(10s)})
 * where a message names it ({@link UserCode#describe}): the factory's lambda was named "a lambda in dev.jobq.Backoff",
 * a class no user wrote, in the log lines of a backoff that misbehaved or blocked (one made with {@code withJitter}).
 */
public final class DescribedBackoff implements Backoff {

    private final String description;
    private final Backoff delays;

    /** @param description how a message names it; made where it is built, never when it is asked */
    public DescribedBackoff(String description, Backoff delays) {
        this.description = description;
        this.delays = delays;
    }

    @Override
    public Duration delay(int failedAttempt) {
        return delays.delay(failedAttempt);
    }

    @Override
    public String toString() {
        return description;
    }
}
