package dev.jobq.cli.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.jobq.QueueStats;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code GET /health}, written as JSON:
 * {@code {"status":"healthy","worker":{...},"queues":[...],"problems":[]}}. {@link HealthCheck}
 * says how the status is decided.
 *
 * @param problems why the status is not healthy, one sentence each; empty when healthy
 */
public record HealthReport(Status status, Worker worker, List<QueueHealth> queues, List<String> problems) {

    public static final int OK = 200;
    public static final int SERVICE_UNAVAILABLE = 503;

    /** The overall verdict. */
    public enum Status {
        HEALTHY, DEGRADED, UNHEALTHY;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** HTTP 200 for healthy and degraded (keep routing work here, but look), 503 for unhealthy. */
    public int httpStatus() {
        return status == Status.UNHEALTHY ? SERVICE_UNAVAILABLE : OK;
    }

    /**
     * The worker.
     *
     * @param state     starting, running, stopping or stopped
     * @param startedAt ISO-8601, null before it started
     */
    public record Worker(String state, int activeHandlers, int concurrency, List<String> queues,
                         List<String> handlerTypes, @Nullable String startedAt) {
    }

    /**
     * One queue's stats ({@link dev.jobq.QueueStats}); -1 where the provider cannot tell. When the
     * provider's stats could not be read, {@code error} says why, and its numbers are -1 while this
     * process's own counts (active, completed, failed, ...) are still given.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QueueHealth(String queue, long waiting, long delayed, long active, long completed, long failed,
                              long dead, double throughputPerSecond, double successRate, long averageDurationMillis,
                              long peakActive, long inFlight, @Nullable String error) {

        /** The stats as read. */
        public static QueueHealth of(QueueStats s) {
            return new QueueHealth(s.queue(), s.waiting(), s.delayed(), s.active(), s.completed(), s.failed(),
                    s.dead(), s.throughputPerSecond(), s.successRate(), s.averageDuration().toMillis(),
                    s.peakActive(), s.inFlight(), null);
        }

        /** A queue whose stats could not be read, and why. */
        public static QueueHealth unreadable(String queue, String error) {
            return new QueueHealth(queue, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, error);
        }

        /** A queue whose provider's stats could not be read, and why, with what this process counted on it. */
        public static QueueHealth unreadable(QueueStats countedHere, String error) {
            QueueHealth counted = of(countedHere);
            return new QueueHealth(counted.queue(), counted.waiting(), counted.delayed(), counted.active(),
                    counted.completed(), counted.failed(), counted.dead(), counted.throughputPerSecond(),
                    counted.successRate(), counted.averageDurationMillis(), counted.peakActive(), counted.inFlight(),
                    error);
        }
    }
}
