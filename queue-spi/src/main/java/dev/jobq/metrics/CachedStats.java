package dev.jobq.metrics;

import dev.jobq.QueueStats;
import dev.jobq.internal.runtime.StatsRead;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue's stats, read again only when the last read is older than its max age, so the several
 * gauges of one scrape share one provider call. A failed read gives null (the gauges show NaN) and
 * is logged once per failure streak; so does a read the provider does not answer within
 * {@link StatsRead#MAX_WAIT}, so that a scrape never hangs on it and the meters counted in this process
 * stay readable.
 */
final class CachedStats {

    private static final Logger log = LoggerFactory.getLogger(CachedStats.class);

    private final String queue;
    private final StatsRead source;
    private final long maxAgeNanos;
    // a lock, not synchronized: the read can block on a provider's network call (virtual-thread pinning)
    private final ReentrantLock lock = new ReentrantLock();
    private @Nullable QueueStats last;
    private long readAtNanos;
    private boolean hasRead;
    private boolean failing;

    CachedStats(String queue, Supplier<QueueStats> source, Duration maxAge) {
        this.queue = queue;
        this.source = new StatsRead(queue, source);
        this.maxAgeNanos = maxAge.toNanos();
    }

    @Nullable QueueStats get() {
        lock.lock();
        try {
            return readIfStale();
        } finally {
            lock.unlock();
        }
    }

    private @Nullable QueueStats readIfStale() {
        long now = System.nanoTime();
        if (hasRead && now - readAtNanos < maxAgeNanos) {
            return last;
        }
        hasRead = true;
        readAtNanos = now;
        try {
            last = source.get();
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("jobq metrics: reading the stats of queue '{}' failed; its gauges show NaN until it works "
                        + "again", queue, e);
            }
            failing = true;
            last = null;
        }
        return last;
    }
}
