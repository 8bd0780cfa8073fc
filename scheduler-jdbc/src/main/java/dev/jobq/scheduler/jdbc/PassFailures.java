package dev.jobq.scheduler.jdbc;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.LoggableThrowables;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firing thread's failed passes, logged as a worker's failed receives are: the first failure of an
 * outage at WARN with its stack trace, then one WARN line every {@link #REPEAT} while passes keep failing
 * (each failure at DEBUG), and an INFO line, naming how long firing was down, once a pass works again.
 * A pass is tried again after 1 s, 2 s, 4 s … at most {@code pollInterval} apart, so a line per failure
 * was about two a second at a 200 ms poll interval through a database outage. Durations are measured on
 * {@link System#nanoTime()}, which a stepped wall clock does not move. Logged as {@link FiringLoop}.
 * Touched by the firing thread only.
 */
final class PassFailures {

    private static final Logger log = LoggerFactory.getLogger(FiringLoop.class);
    static final Duration REPEAT = Duration.ofSeconds(30);

    private final String database;
    private final LongSupplier nanoTime;
    private int failures;
    private long since;
    private long lastWarned;
    private Instant sinceInstant = Instant.EPOCH;

    PassFailures(String database) {
        this(database, System::nanoTime);
    }

    /** @param nanoTime {@link System#nanoTime()}, or a test's clock */
    PassFailures(String database, LongSupplier nanoTime) {
        this.database = database;
        this.nanoTime = nanoTime;
    }

    /** Failed passes in a row so far, 0 while passes work. */
    int failures() {
        return failures;
    }

    /**
     * A pass failed, the first of an outage at {@code at} on the scheduler's clock; the next is tried
     * after {@code pause}.
     */
    void failed(Throwable e, Duration pause, Instant at) {
        long now = nanoTime.getAsLong();
        if (failures++ == 0) {
            since = now;
            sinceInstant = at;
            lastWarned = now;
            log.warn("scheduler: a pass over {} failed, trying again in {} ms (later failures: a line every {} "
                    + "while they go on): {}", database, pause.toMillis(), DurationFormat.format(REPEAT),
                    FiringLoop.reason(e), LoggableThrowables.loggable(e));
        } else if (now - lastWarned >= REPEAT.toNanos()) {
            lastWarned = now;
            log.warn("scheduler: passes over {} keep failing: {} in a row over {} (since {}), trying again in {} ms: {}",
                    database, failures, over(now), sinceInstant, pause.toMillis(), FiringLoop.reason(e));
        } else {
            log.debug("scheduler: a pass over {} failed ({} in a row), trying again in {} ms: {}", database,
                    failures, pause.toMillis(), FiringLoop.reason(e), LoggableThrowables.loggable(e));
        }
    }

    /** A pass worked: ends an outage, if there was one, with an INFO line. */
    void succeeded() {
        if (failures == 0) {
            return;
        }
        log.info("scheduler: passes over {} work again, after {} failed in a row over {} (down since {})", database,
                failures, over(nanoTime.getAsLong()), sinceInstant);
        failures = 0;
    }

    private String over(long now) {
        return DurationFormat.format(Duration.ofNanos(now - since).truncatedTo(ChronoUnit.SECONDS));
    }
}
