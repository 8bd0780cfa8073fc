package dev.jobq.internal.config;

import java.time.Duration;

/** The accepted ranges of the core's durations, shared by the file and the environment overrides. */
final class Limits {

    static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(1);
    static final Duration MAX_POLL_INTERVAL = Duration.ofHours(1);
    static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofDays(1);
    static final Duration MAX_BACKOFF = Duration.ofDays(365);

    private Limits() {
    }
}
