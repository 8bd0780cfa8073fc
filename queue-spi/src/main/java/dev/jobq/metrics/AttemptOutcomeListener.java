package dev.jobq.metrics;

import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link JobListener} that pairs each attempt's {@link JobEvent.Started} with how it ended
 * ({@link JobEvent.Completed}, {@link JobEvent.Failed}, {@link JobEvent.Dead},
 * {@link JobEvent.Released}) and hands one {@link AttemptOutcome} per ending to its consumer, on
 * the thread of the event. Thread-safe. Other events are ignored.
 *
 * <p>An attempt that started but whose ending never came as an event (its provider failed to record
 * the failure, so the job comes back after its lease) stays remembered; when {@link #MAX_TRACKED}
 * attempts are remembered at once, all are forgotten, and the attempts then running end with no
 * duration.
 */
public final class AttemptOutcomeListener implements JobListener {

    /** Started attempts remembered at most; a bound for attempts whose ending was never announced. */
    public static final int MAX_TRACKED = 100_000;

    private record AttemptKey(String jobId, int attempt) {
    }

    private final Consumer<AttemptOutcome> consumer;
    private final ConcurrentHashMap<AttemptKey, Instant> started = new ConcurrentHashMap<>();

    public AttemptOutcomeListener(Consumer<AttemptOutcome> consumer) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
    }

    @Override
    public void onEvent(JobEvent event) {
        switch (event) {
            case JobEvent.Started s -> {
                if (started.size() >= MAX_TRACKED) {
                    started.clear();
                }
                started.put(new AttemptKey(s.jobId(), s.attempt()), s.at());
            }
            case JobEvent.Completed c -> {
                started.remove(new AttemptKey(c.jobId(), c.attempt()));
                consumer.accept(new AttemptOutcome(c.queue(), c.jobId(), c.type(), c.attempt(),
                        AttemptOutcome.Kind.COMPLETED, c.duration(), null));
            }
            case JobEvent.Failed f -> consumer.accept(new AttemptOutcome(f.queue(), f.jobId(), f.type(), f.attempt(),
                    AttemptOutcome.Kind.FAILED, since(f.jobId(), f.attempt(), f.at()), f.error()));
            case JobEvent.Dead d -> consumer.accept(new AttemptOutcome(d.queue(), d.jobId(), d.type(), d.attempt(),
                    AttemptOutcome.Kind.DEAD, since(d.jobId(), d.attempt(), d.at()), d.error()));
            case JobEvent.Released r -> consumer.accept(new AttemptOutcome(r.queue(), r.jobId(), r.type(),
                    r.attempt(), AttemptOutcome.Kind.RELEASED, since(r.jobId(), r.attempt(), r.at()), null));
            default -> {
            }
        }
    }

    private @Nullable Duration since(String jobId, int attempt, Instant end) {
        Instant start = started.remove(new AttemptKey(jobId, attempt));
        if (start == null) {
            return null;
        }
        Duration duration = Duration.between(start, end);
        return duration.isNegative() ? Duration.ZERO : duration;
    }
}
