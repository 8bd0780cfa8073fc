package dev.jobq.internal.worker;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failed heartbeats of one queue, so that a heartbeat failing the same way every time (SQS refusing
 * ChangeMessageVisibility with AccessDenied, a provider throwing) is not a stack trace per heartbeat of
 * every running job: the first failure of each cause at WARN with its stack trace, naming its job; later
 * ones one WARN line per queue every {@link #REPEAT} (each at DEBUG); an INFO line when a heartbeat
 * works again after a warning. A cause (the exception's class and its causes' classes) gets its trace
 * again once the queue's heartbeats went a {@link #REPEAT} without failing. Logged as {@link AttemptRun},
 * in the failing job's log context. Thread-safe; touched by heartbeats only.
 *
 * <p>{@link ReceiveFailures} shares the idea (a trace, then a line every {@link #REPEAT}, INFO when it works
 * again) but not the policy: it traces once per outage whatever the cause, counts failures in a row since the
 * outage began, ends it only with a receive begun after it (loops poll side by side), and says INFO always.
 * What the two have in common is the {@code REPEAT} check; one class for both would take each of those
 * differences as a parameter and be longer than the two.
 */
final class HeartbeatFailures {

    private static final Logger log = LoggerFactory.getLogger(AttemptRun.class);
    static final Duration REPEAT = ReceiveFailures.REPEAT;
    /** Causes remembered at most: past that, a new one gets a line, not a trace. */
    private static final int MAX_CAUSES = 32;

    /** The queue's name escaped once, as the lines write it: it may hold a bidirectional override (U+202E). */
    private final String queue;
    private final LongSupplier nanoTime;
    /** Read on every heartbeat that works: the lock is taken only after one failed. */
    private volatile boolean failing;
    private final Set<String> traced = new HashSet<>();
    /** Failures since the last WARN. */
    private int unwarned;
    private boolean warned;
    private long lastWarned;
    private long lastFailed;

    HeartbeatFailures(String queue) {
        this(queue, System::nanoTime);
    }

    /** @param nanoTime {@link System#nanoTime()}, or a test's clock */
    HeartbeatFailures(String queue, LongSupplier nanoTime) {
        this.queue = UntrustedText.escape(queue);
        this.nanoTime = nanoTime;
    }

    /** @param job what the log says of the job whose heartbeat failed */
    synchronized void failed(String job, Throwable e) {
        long now = nanoTime.getAsLong();
        if (now - lastFailed >= REPEAT.toNanos()) {
            traced.clear(); // none failed for a while: a new outage, whose cause deserves its trace again
        }
        if (!failing) {
            failing = true;
            warned = false;
        }
        lastFailed = now;
        if (traced.size() < MAX_CAUSES && traced.add(cause(e))) {
            warn(now);
            // loggable: a provider's exception whose message or toString() throws, or whose chain is too deep for the
            // logger, threw out of this line and ended the heartbeat before it set the next one due
            log.warn("could not extend the lease of {}; if it stays lost the job may run twice (the stack trace is "
                    + "logged once per cause on queue '{}'; later failures are one line every {})", job, queue,
                    DurationFormat.format(REPEAT), FailurePolicy.loggable(e));
        } else if (now - lastWarned >= REPEAT.toNanos()) {
            int count = unwarned + 1;
            long over = now - lastWarned;
            warn(now);
            log.warn("heartbeats on queue '{}' keep failing: {} failed in the last {}; the last, of {}: {}; a job whose "
                    + "lease runs out may run twice", queue, count,
                    DurationFormat.format(Duration.ofNanos(over).truncatedTo(ChronoUnit.SECONDS)), job, printable(e));
        } else {
            unwarned++;
            log.debug("could not extend the lease of {}: {}", job, printable(e));
        }
    }

    private void warn(long now) {
        warned = true;
        lastWarned = now;
        unwarned = 0;
    }

    void succeeded() {
        if (!failing) {
            return;
        }
        synchronized (this) {
            if (failing) {
                failing = false;
                if (warned) {
                    log.info("heartbeats on queue '{}' work again", queue);
                }
            }
        }
    }

    /**
     * {@code e.toString()}, or its class and message when that throws, as one line of its first
     * {@link FailurePolicy#MAX_MESSAGE_CHARS} characters, escaped ({@link FailurePolicy#oneLine}): a provider's message
     * went in whole, its line breaks beginning what looked like lines of the log's own, its length written every 30 s.
     * An Error its {@code toString()} throws too (its getMessage() throwing {@link NoClassDefFoundError}) threw out of
     * {@link #failed}, the line lost; the JVM's own failures go on ({@link LoggableThrowables#throwIfFatal}).
     */
    private static String printable(Throwable e) {
        try {
            return FailurePolicy.oneLine(e.toString());
        } catch (Throwable unprintable) {
            LoggableThrowables.throwIfFatal(unprintable);
            return FailurePolicy.describe(e);
        }
    }

    /** The class of {@code e} and of its causes: the same failure again has the same one. */
    private static String cause(Throwable e) {
        var key = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = FailurePolicy.causeOf(t), depth++) {
            key.append(t.getClass().getName()).append('/');
        }
        return key.toString();
    }
}
