package dev.jobq.metrics;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one attempt of one job ended, with how long its handler ran.
 *
 * @param duration from the attempt's start to its end by the queue's clock; null when the job
 *                 never reached a handler (no handler for its type, an unreadable payload)
 * @param error    the error of a failed or dead attempt; null otherwise
 */
public record AttemptOutcome(String queue, String jobId, String type, int attempt, Kind kind,
                             @Nullable Duration duration, @Nullable String error) {

    /** The four ways an attempt ends. */
    public enum Kind {
        /** The handler returned: the job is done. */
        COMPLETED,
        /** The handler threw or timed out; the job will run again. */
        FAILED,
        /** The job went to the dead letters. */
        DEAD,
        /** The worker shut down while the handler ran; the job was handed back for another worker. */
        RELEASED;

        /** The lower-case name, as metric tags and log lines show it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The duration, where the attempt reached a handler. */
    public Optional<Duration> handlerTime() {
        return Optional.ofNullable(duration);
    }
}
