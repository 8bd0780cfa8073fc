package dev.jobq.internal.worker;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failed receives of one queue, shared by its poll loops, so that an outage is logged once per
 * queue rather than by every loop at every try (a worker runs a loop per ten of its concurrency on
 * SQS): the first failure at WARN with its stack trace, then one WARN line every
 * {@link #REPEAT} while receives keep failing (each failure at DEBUG), and an INFO line when a
 * receive works again. An outage that begins within {@link #REPEAT} of the last warning (a provider
 * that fails every other receive) goes on in that rhythm rather than with a trace of its own, and
 * ends with an INFO only if it was warned of. Logged as {@link PollLoop}. While receives fail,
 * {@link #outage()} says since when and with which error, for a health check.
 *
 * <p>Its receives that go overdue ({@link PollLoop#giveBackIfOverdue}) likewise: the first at WARN, the next
 * ones at DEBUG, and an INFO line when a receive begun after the last of them returns in time. Logged once per
 * receive, a hung SQS endpoint wrote a WARN for each of the queue's loops (one per ten of its concurrency), and
 * again for each after every try, with no line when it answered again. Thread-safe.
 */
final class ReceiveFailures {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    static final Duration REPEAT = Duration.ofSeconds(30);

    private final String queue;
    /** {@link #queue} escaped once, as the lines write it: it may hold a bidirectional override (U+202E). */
    private final String shownQueue;
    private final InstantSource clock;
    /** Read on every receive that works: the lock is taken only while receives fail. */
    private volatile boolean failing;
    private int failures;
    private long since;
    private Instant sinceInstant = Instant.EPOCH;
    private String lastError = "";
    /** When a WARN was last logged, by this outage or an earlier one; meaningful once {@link #everWarned}. */
    private long lastWarned;
    private boolean everWarned;
    /** Whether the outage under way logged a WARN, so that its end is worth an INFO. */
    private boolean warnedThisOutage;
    /** Read on every receive that returns: the lock is taken only while receives go overdue. */
    private volatile boolean overdue;
    private int overdueCount;
    private long overdueSince;
    private long lastOverdue;

    /** With the system clock for {@link #outage()}'s instant (for tests). */
    ReceiveFailures(String queue) {
        this(queue, InstantSource.system());
    }

    ReceiveFailures(String queue, InstantSource clock) {
        this.queue = queue;
        this.shownQueue = UntrustedText.escape(queue);
        this.clock = clock;
    }

    synchronized void failed(Throwable e, Duration pause) {
        long now = System.nanoTime();
        lastError = outageError(e);
        boolean first = failures++ == 0;
        if (first) {
            failing = true;
            since = now;
            sinceInstant = clock.instant();
            warnedThisOutage = false;
        }
        boolean warnedLately = everWarned && now - lastWarned < REPEAT.toNanos();
        // ...OrNull, ...OrName: an OutOfMemoryError that reading e threw (handed on by LoggableThrowables) ended the
        // poll loop, the queue served no more, where a receive's own Error is logged and the loop goes on
        if (first && !warnedLately) {
            warned(now);
            Throwable logged = FailurePolicy.loggableOrNull(e);
            log.warn("receiving from queue '{}' failed; trying again in {} ms{}", shownQueue, pause.toMillis(),
                    logged == null ? ": " + lastError : "", logged);
        } else if (!warnedLately) {
            warned(now);
            log.warn("receiving from queue '{}' failed ({} in a row over {}); trying again in {} ms: {}", shownQueue,
                    failures, over(now), pause.toMillis(), FailurePolicy.describeOrName(e));
        } else {
            log.debug("receiving from queue '{}' failed ({} in a row); trying again in {} ms: {}", shownQueue, failures,
                    pause.toMillis(), FailurePolicy.describeOrName(e));
        }
    }

    /**
     * {@code e} as {@link #outage()} says it: its message ({@link FailurePolicy#messageLine}, its class's name when
     * it has none) with the secrets of its URLs masked before the cut. Cut first, a URL across the cut lost the '@'
     * after its password, and {@code /health}'s mask, finding none, showed the password's first characters.
     */
    private static String outageError(Throwable e) {
        String message;
        try {
            message = LoggableThrowables.messageOf(e);
        } catch (VirtualMachineError unreadable) {
            return FailurePolicy.unreadableName(e, unreadable);
        }
        return message == null ? e.getClass().getName() : FailurePolicy.oneLine(Secrets.maskUrl(message));
    }

    private void warned(long now) {
        everWarned = true;
        warnedThisOutage = true;
        lastWarned = now;
    }

    /**
     * A receive that began at {@code startedNanos} (System.nanoTime) worked. It ends an outage only if
     * it began after the outage's first failure: one already under way then (a long poll of another
     * loop) may return without error though the server is gone, and saying "works again" for it, then
     * logging the next failure as a new outage's first, told the operator of two outages in one.
     */
    void succeeded(long startedNanos) {
        if (!failing) {
            return;
        }
        synchronized (this) {
            if (failures > 0 && startedNanos - since > 0) {
                if (warnedThisOutage) {
                    log.info("receiving from queue '{}' works again after {} failed receives over {}", shownQueue, failures,
                            over(System.nanoTime()));
                } else {
                    log.debug("receiving from queue '{}' works again after {} failed receives over {}", shownQueue,
                            failures, over(System.nanoTime()));
                }
                failures = 0;
                failing = false;
            }
        }
    }

    /**
     * A receive went overdue, and its {@code permits} went to the other queues: the first of a spell at WARN, the
     * next ones at DEBUG.
     */
    synchronized void overdue(int permits, Duration after) {
        long now = System.nanoTime();
        lastOverdue = now;
        if (overdueCount++ == 0) {
            overdue = true;
            overdueSince = now;
            log.warn("a receive from queue '{}' has not returned {} after its wait; its {} permit(s) go to the other "
                    + "queues meanwhile, and jobs it brings when it returns are handed back if no permit is free then "
                    + "(the queue's next overdue receives are logged at DEBUG until one returns in time)", shownQueue,
                    DurationFormat.format(after), permits);
        } else {
            log.debug("a receive from queue '{}' has not returned {} after its wait ({} overdue over {}); its {} "
                    + "permit(s) go to the other queues meanwhile", shownQueue, DurationFormat.format(after),
                    overdueCount, over(now, overdueSince), permits);
        }
    }

    /**
     * A receive that began at {@code startedNanos} and would have gone overdue at {@code overdueAt} (both
     * System.nanoTime) returned. If it returned in time, it ends a spell of overdue receives, but only if it began
     * after the last of them went overdue: one of the loops that hung with the others may return in time from a
     * retry begun before a last one went overdue.
     */
    void returned(long startedNanos, long overdueAt) {
        if (!overdue) {
            return;
        }
        synchronized (this) {
            if (overdueCount > 0 && startedNanos - lastOverdue > 0 && System.nanoTime() - overdueAt < 0) {
                log.info("receives from queue '{}' return in time again: {} went overdue over {}", shownQueue,
                        overdueCount, over(System.nanoTime(), overdueSince));
                overdueCount = 0;
                overdue = false;
            }
        }
    }

    /** The outage under way: receives failing since its first failure, until one begun after it works. */
    Optional<ReceiveOutage> outage() {
        if (!failing) {
            return Optional.empty();
        }
        synchronized (this) {
            return failures == 0 ? Optional.empty()
                    : Optional.of(new ReceiveOutage(queue, sinceInstant, failures, lastError));
        }
    }

    private String over(long now) {
        return over(now, since);
    }

    private static String over(long now, long since) {
        return DurationFormat.format(Duration.ofNanos(now - since).truncatedTo(ChronoUnit.SECONDS));
    }
}
