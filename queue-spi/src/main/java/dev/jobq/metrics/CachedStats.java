package dev.jobq.metrics;

import dev.jobq.QueueStats;
import dev.jobq.internal.runtime.StatsRead;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stats of a queue's queues, read again only when the last read is older than its max age, so the
 * gauges of one scrape share one provider call per queue. The queues are read together: a scrape reads
 * its gauges one after another, and a provider that does not answer costs {@link StatsRead#MAX_WAIT}
 * once, not once per queue. A failed read gives null (the gauges show NaN) and is logged once per
 * failure streak; so does a read the provider does not answer within {@link StatsRead#MAX_WAIT}, so
 * that a scrape never hangs on it and the meters counted in this process stay readable. The error is logged
 * through {@link LoggableThrowables#loggable}: a provider's message of megabytes went whole into the WARN, and
 * one whose getMessage() threw threw out of the logger and the scrape. A read that threw an Error (a provider's jar
 * gone) is logged as that Error, its message cut once.
 */
final class CachedStats {

    private static final Logger log = LoggerFactory.getLogger(CachedStats.class);

    private final Map<String, StatsRead> sources = new LinkedHashMap<>();
    private final long maxAgeNanos;
    // a lock, not synchronized: the read can block on a provider's network call (virtual-thread pinning)
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, QueueStats> last = new HashMap<>();
    private final Set<String> failing = new HashSet<>();
    private long readAtNanos;
    private boolean hasRead;

    CachedStats(List<String> queues, Function<String, QueueStats> source, Duration maxAge) {
        for (String queue : queues) {
            sources.put(queue, new StatsRead(queue, () -> source.apply(queue)));
        }
        this.maxAgeNanos = maxAge.toNanos();
    }

    @Nullable QueueStats get(String queue) {
        lock.lock();
        try {
            if (!hasRead || System.nanoTime() - readAtNanos >= maxAgeNanos) {
                readAll();
                // from when the reads ended: reads that took their 2 s serve the rest of the scrape
                hasRead = true;
                readAtNanos = System.nanoTime();
            }
            return last.get(queue);
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the WARN of a failed read shows: the provider's exception, or for a read that threw an Error or a checked
     * exception, that throwable itself. The {@link StatsRead.ReadError} around it says no more than the WARN's line
     * and its cause do (the queue, the cause's class and message), its message escaped and cut already: cut again as
     * a logged copy, through an escape, it lost its count of the characters left out, and the WARN named
     * {@code StatsRead$ReadError}.
     */
    private static Throwable logged(RuntimeException e) {
        return e instanceof StatsRead.ReadError && e.getCause() != null ? e.getCause() : e;
    }

    private void readAll() {
        Map<String, CompletableFuture<QueueStats>> reads = new LinkedHashMap<>();
        sources.forEach((queue, source) -> reads.put(queue, source.getLater()));
        reads.forEach((queue, read) -> {
            try {
                last.put(queue, StatsRead.answer(read));
                failing.remove(queue);
            } catch (RuntimeException e) {
                if (failing.add(queue)) {
                    log.warn("jobq metrics: reading the stats of queue '{}' failed; its gauges show NaN until it "
                            + "works again", UntrustedText.escape(queue), LoggableThrowables.loggable(logged(e)));
                }
                last.remove(queue);
            }
        });
    }
}
