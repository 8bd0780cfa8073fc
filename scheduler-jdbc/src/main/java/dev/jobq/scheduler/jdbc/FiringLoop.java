package dev.jobq.scheduler.jdbc;

import dev.jobq.spi.LoggableThrowables;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firing thread's loop: hand on everything due, purge old rows now and then, then sleep until
 * the earliest due row (at most {@code pollInterval}, for rows other processes write). One-time rows
 * are claimed {@link #LEAD} ahead of their instant and handed on at it, never before. When the
 * earliest due row is already due but was not taken, another scheduler holds it: look again
 * shortly, in case that scheduler dies. A database failure is retried after a growing pause and
 * logged through {@link PassFailures}. The process's clock is compared with the database's at the
 * first pass and then once a minute ({@link ClockCheck}). Stops when {@link #stop()} is called or the
 * thread is interrupted.
 */
final class FiringLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(FiringLoop.class);

    /** How soon to look again at due rows another scheduler holds. */
    static final Duration HELD_ELSEWHERE_RECHECK = Duration.ofMillis(250);
    /**
     * How long before a one-time job's instant the thread wakes and claims it; it then waits for the
     * instant and hands the job on, so the claim's round trips to the database are not part of the
     * job's lateness. A claim takes the rows due within twice that, so that a job due just after
     * another one is in the same batch, not behind the batch's commit.
     */
    static final Duration LEAD = Duration.ofMillis(50);
    static final Duration CLAIM_AHEAD = LEAD.multipliedBy(2);
    static final Duration MAX_PURGE_INTERVAL = Duration.ofHours(1);

    private final HandOff handOff;
    private final Database db;
    private final ScheduledJobs scheduled;
    private final RecurringJobs recurring;
    private final Alarm alarm;
    private final InstantSource clock;
    private final JdbcSettings settings;
    private volatile boolean running = true;
    /** Why the last pass failed, while no pass has succeeded since; null while firing works. */
    private volatile @Nullable String problem;
    /** Set when a pass gave a claimed job back because the alarm rang: the next pass starts at once. */
    private boolean gaveBack;
    private Instant nextPurgeAt = Instant.MIN;
    /** Why the last purge failed, until one works; reported as a failed pass, without delaying due jobs. */
    private @Nullable RuntimeException purgeFailure;
    /** The problem the purge's last failure set, while purgeFailure is set. */
    private @Nullable String purgeProblem;
    /** Whether the pass just run tried the purge. */
    private boolean purged;
    private final PassFailures failures;
    private final ClockCheck clockCheck;

    FiringLoop(HandOff handOff, Database db, ScheduledJobs scheduled, RecurringJobs recurring, Alarm alarm,
               InstantSource clock, JdbcSettings settings) {
        this.handOff = handOff;
        this.db = db;
        this.scheduled = scheduled;
        this.recurring = recurring;
        this.alarm = alarm;
        this.clock = clock;
        this.settings = settings;
        this.failures = new PassFailures(db.description());
        this.clockCheck = new ClockCheck(db, clock);
    }

    /** The pause after the {@code failed}-th failed pass in a row: 1 s, 2 s, 4 s … at most {@code pollInterval}. */
    static Duration pauseAfter(int failed, Duration pollInterval) {
        Duration pause = HandOff.retryDelay(failed);
        return pause.compareTo(pollInterval) > 0 ? pollInterval : pause;
    }

    @Override
    public void run() {
        while (running) {
            Instant wakeAt;
            try {
                wakeAt = pass();
                if (purgeFailure == null) {
                    failures.succeeded();
                    problem = null;
                } else if (purged) {
                    // Hand-offs work, and the wake-up is the next due job's: the purge alone is tried after the pause.
                    failed(purgeFailure, "purging old one-time jobs from ", " (due jobs are still handed on)");
                    purgeProblem = problem;
                } else {
                    // Hand-offs work again after a failed pass: only the purge's failure, until its next try, stands.
                    problem = purgeProblem;
                }
            } catch (RuntimeException | Error failure) {
                // An Error too (a class missing from an application's DataSource or its driver, an assertion of
                // theirs): thrown on, it ended the firing thread, and every job's firing, with firingProblem() empty.
                if (!running || Thread.currentThread().isInterrupted()) {
                    return;
                }
                wakeAt = clock.instant().plus(failed(failure, "firing from ", ""));
            }
            try {
                // At most pollInterval of elapsed time, whatever the clock does meanwhile: stepped back (NTP, a resumed
                // VM), the wake-up set before the step was as far off as the step, and rows other processes wrote since
                // waited out the step rather than pollInterval.
                alarm.sleepUntil(wakeAt, settings.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Logs a failed pass and sets the problem, saying what failed ({@code "firing from "}, or the purge alone) and
     * {@code besides}; returns the pause before the next try.
     */
    private Duration failed(Throwable failure, String what, String besides) {
        Throwable e = failure instanceof RuntimeException runtime ? db.withoutLockedRow(runtime) : failure;
        Duration pause = pauseAfter(failures.failures() + 1, settings.pollInterval());
        Instant now = clock.instant();
        failures.failed(e, pause, now);
        problem = what + db.description() + " failed " + failures.failures()
                + " time(s) in a row, last at " + now + besides + ": " + reason(e);
        return pause;
    }

    /** The root cause's message; for an Error, which says little without it, its class's name first. */
    static String reason(Throwable e) {
        return e instanceof Error ? LoggableThrowables.simpleName(e.getClass()) + ": " + Database.rootMessage(e)
                : Database.rootMessage(e);
    }

    /** Why due jobs are not being handed on, while the passes fail, or why old ones are not purged. */
    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    void stop() {
        running = false;
        alarm.ring();
    }

    /**
     * One pass: hand on, purge if it is time, and return when to look next (while the purge fails, its next
     * try at the latest).
     */
    Instant pass() {
        Instant wakeAt = handOnAndPurge();
        return purgeFailure != null && nextPurgeAt.isBefore(wakeAt) ? nextPurgeAt : wakeAt;
    }

    private Instant handOnAndPurge() {
        Instant started = clock.instant();
        gaveBack = false;
        purged = false;
        handOff.drain(CLAIM_AHEAD, this::awaitDue);
        Instant now = clock.instant();
        if (gaveBack) {
            return now;
        }
        clockCheck.checkIfDue();
        purged = !now.isBefore(nextPurgeAt);
        if (purged) {
            try {
                purge(now);
                purgeFailure = null;
                Duration every = settings.retention().compareTo(MAX_PURGE_INTERVAL) < 0
                        ? settings.retention() : MAX_PURGE_INTERVAL;
                nextPurgeAt = now.plus(every);
            } catch (RuntimeException e) {
                if (!running || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                // A purge that fails (a row it deletes held by another session) is tried again after the pause
                // of a failed pass, but the thread still wakes for each due job at its instant.
                purgeFailure = e;
                nextPurgeAt = now.plus(pauseAfter(failures.failures() + 1, settings.pollInterval()));
            }
        }
        Instant latest = now.plus(settings.pollInterval());
        Optional<Instant> earliest = nextClaim(now);
        if (earliest.isEmpty() || earliest.get().isAfter(latest)) {
            return latest;
        }
        if (!earliest.get().isAfter(started)) {
            // To be claimed before the drain began, yet not taken: another scheduler holds it.
            Duration recheck = HELD_ELSEWHERE_RECHECK.compareTo(settings.pollInterval()) < 0
                    ? HELD_ELSEWHERE_RECHECK : settings.pollInterval();
            return now.plus(recheck);
        }
        // Due by now, or later: a time that came while this pass ran is a wake-up at once.
        return earliest.get();
    }

    /** Deletes enqueued and cancelled one-time rows older than the retention period; returns how many. */
    int purge(Instant now) {
        int deleted = scheduled.purge(db, now.minus(settings.retention()));
        if (deleted > 0) {
            log.debug("scheduler: purged {} enqueued or cancelled one-time jobs older than {}", deleted,
                    settings.retention());
        }
        return deleted;
    }

    /**
     * When to claim next: a one-time job {@link #LEAD} before its instant (those of queues this process does not
     * have left out), a recurring job at its instant (those of queues it does not have left out); a job this process
     * cannot read, one-time or recurring, when it is to look at it again.
     */
    private Optional<Instant> nextClaim(Instant now) {
        List<String> unserved = handOff.unservedQueues();
        UnreadableScheduledJobs unreadableScheduled = handOff.unreadableScheduled();
        List<String> unreadableIds = unreadableScheduled.ids(now);
        Optional<Instant> oneTime = db.bounded(dsl -> scheduled.earliestDue(dsl, unserved, unreadableIds))
                .map(due -> due.minus(LEAD));
        UnreadableRecurringJobs unreadable = handOff.unreadable();
        Optional<Instant> recurringDue = db.bounded(dsl -> recurring.earliestDue(dsl, handOff.recurringLeftOut(now)));
        for (Optional<Instant> lookAgain : List.of(unreadable.nextLook(), unreadableScheduled.nextLook())) {
            if (lookAgain.isPresent() && (recurringDue.isEmpty() || lookAgain.get().isBefore(recurringDue.get()))) {
                recurringDue = lookAgain;
            }
        }
        if (oneTime.isEmpty()) {
            return recurringDue;
        }
        if (recurringDue.isEmpty()) {
            return oneTime;
        }
        return Optional.of(oneTime.get().isBefore(recurringDue.get()) ? oneTime.get() : recurringDue.get());
    }

    /**
     * Waits for the instant of a job claimed ahead. False, to end the batch there, when the scheduler
     * is stopping, when the alarm rang (something earlier was scheduled, which the next pass claims
     * first) or when the clock stepped back so far that the instant is no longer near.
     */
    private boolean awaitDue(Instant due) throws InterruptedException {
        while (clock.instant().isBefore(due)) {
            if (!running) {
                return false;
            }
            if (clock.instant().plus(CLAIM_AHEAD).isBefore(due)) {
                // Further off than any claim takes a row: the clock stepped back after the claim (NTP, a
                // resumed VM). Waiting here would hold the batch's locks and transaction for as long as
                // the step; give the rows back, and the next pass sleeps until their instant comes again.
                gaveBack = true;
                return false;
            }
            if (alarm.sleepUntil(due, CLAIM_AHEAD)) {
                gaveBack = true;
                return false;
            }
        }
        return running;
    }
}
