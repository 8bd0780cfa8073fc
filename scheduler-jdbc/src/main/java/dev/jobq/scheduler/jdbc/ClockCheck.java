package dev.jobq.scheduler.jdbc;

import dev.jobq.spi.DurationFormat;
import dev.jobq.testing.SettableClock;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the firing scheduler's clock with PostgreSQL's, when firing starts and then at most once every
 * {@link #EVERY} of elapsed time, and says so at WARN when they are more than {@link #TOLERANCE} apart (and
 * at INFO once they agree again). The scheduler fires by its own clock, as Quartz, db-scheduler and JobRunr
 * do, so a process whose clock runs ahead hands jobs on early by as much: this does not correct the clock,
 * it names the skew and the fix. Not on H2 (an embedded database reads the JVM's own clock) nor with a
 * {@link SettableClock} (a test's time, apart from the database's on purpose). Touched by the firing thread
 * only.
 */
final class ClockCheck {

    private static final Logger log = LoggerFactory.getLogger(ClockCheck.class);
    /** How far apart the clocks may be: Quartz's clustering asks for "within a second of each other". */
    static final Duration TOLERANCE = Duration.ofSeconds(1);
    static final Duration EVERY = Duration.ofMinutes(1);
    /** While the clocks stay apart, the WARN line is repeated this often. */
    static final Duration REPEAT = Duration.ofHours(1);
    private static final int READS = 3;
    private static final String NOW_SQL = "SELECT extract(epoch FROM clock_timestamp())";

    private final Database db;
    private final InstantSource clock;
    private final LongSupplier nanoTime;
    private final boolean applies;
    private long nextCheck;
    private boolean checked;
    private boolean apart;
    private long lastWarned;

    ClockCheck(Database db, InstantSource clock) {
        this(db, clock, System::nanoTime);
    }

    ClockCheck(Database db, InstantSource clock, LongSupplier nanoTime) {
        this.db = db;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.applies = db.postgres() && !(clock instanceof SettableClock);
    }

    /** Checks the clocks if it is time to: one query a minute at most, none on H2 or a test's clock. */
    void checkIfDue() {
        if (!applies) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (checked && now - nextCheck < 0) {
            return;
        }
        checked = true;
        nextCheck = now + EVERY.toNanos();
        Skew skew;
        try {
            skew = measure();
        } catch (RuntimeException e) {
            log.debug("scheduler: could not compare this process's clock with {}'s: {}", db.description(),
                    Database.rootMessage(e));
            return;
        }
        judge(skew, now);
    }

    /** The database's clock minus this process's, and how far off that measure may be (half a round trip). */
    record Skew(Duration offset, Duration uncertainty) {

        boolean beyond(Duration tolerance) {
            return offset.abs().minus(uncertainty).compareTo(tolerance) > 0;
        }
    }

    Skew measure() {
        return db.dsl().connectionResult(connection -> {
            @Nullable Skew best = null;
            try (Statement statement = connection.createStatement()) {
                for (int i = 0; i < READS; i++) {
                    Instant before = clock.instant();
                    Instant database;
                    try (ResultSet result = statement.executeQuery(NOW_SQL)) {
                        result.next();
                        database = epochSeconds(result.getBigDecimal(1));
                    }
                    Instant after = clock.instant();
                    Duration roundTrip = Duration.between(before, after);
                    Instant middle = before.plus(roundTrip.dividedBy(2));
                    var skew = new Skew(Duration.between(middle, database), roundTrip.dividedBy(2).abs());
                    if (best == null || skew.uncertainty().compareTo(best.uncertainty()) < 0) {
                        best = skew;
                    }
                }
            }
            return best;
        });
    }

    void judge(Skew skew, long now) {
        if (skew.beyond(TOLERANCE)) {
            if (!apart || now - lastWarned >= REPEAT.toNanos()) {
                lastWarned = now;
                String off = seconds(skew.offset().abs());
                boolean ahead = skew.offset().isNegative();
                log.warn("scheduler: this process's clock is {} {} the clock of {} (measured to within {} ms): a "
                        + "scheduler fires a job when its own clock says it is due, so this one hands jobs on {} {}, "
                        + "and delays and 'every N' grids it starts are off by as much; synchronise the clocks of "
                        + "every machine of the scheduler and of the database (NTP: chronyd or systemd-timesyncd) to "
                        + "within {}", off, ahead ? "ahead of" : "behind", db.description(),
                        Math.max(1, skew.uncertainty().toMillis()), off, ahead ? "early" : "late",
                        DurationFormat.format(TOLERANCE));
            }
            apart = true;
        } else if (apart) {
            apart = false;
            log.info("scheduler: this process's clock agrees with the clock of {} again (within {} ms)",
                    db.description(), Math.max(1, skew.offset().abs().plus(skew.uncertainty()).toMillis()));
        }
    }

    /** {@code 30.0 s}: to a tenth of a second, as NTP tools say an offset. */
    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private static Instant epochSeconds(BigDecimal seconds) {
        BigDecimal micros = seconds.movePointRight(6).setScale(0, RoundingMode.HALF_UP);
        return Instant.EPOCH.plus(micros.longValueExact(), ChronoUnit.MICROS);
    }
}
