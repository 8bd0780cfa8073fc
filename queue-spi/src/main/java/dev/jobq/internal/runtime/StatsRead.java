package dev.jobq.internal.runtime;

import dev.jobq.JobQueueException;
import dev.jobq.QueueStats;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads one queue's stats for an operations endpoint (a metrics scrape, a health check) without
 * letting a provider that does not answer hold the endpoint. A provider out of reach behind a network
 * that drops packets, rather than refusing them, answers nothing for minutes (the AWS SDK waits out a
 * socket timeout on each of its tries): a caller waits at most {@link #MAX_WAIT} for the read and then
 * gets an error that says so, as for a provider that refused.
 *
 * <p>At most one read per queue is under way, on a virtual thread of its own, and callers that come
 * while it is share it. Once a read outlasted a caller's wait, later callers get the error at once
 * until it ends, instead of piling more reads onto the provider. Thread-safe.
 */
public final class StatsRead {

    /** How long a caller waits for the provider's answer. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(2);

    /** The queue's name escaped, as every message and the read's thread name show it. */
    private final String queue;
    private final Supplier<QueueStats> source;
    private final Duration maxWait;
    private final ThreadFactory threads;
    // a lock, not synchronized: held by virtual threads (an HTTP request's), never across the read itself
    private final ReentrantLock lock = new ReentrantLock();
    private @Nullable CompletableFuture<QueueStats> underWay;
    private boolean overdue;

    public StatsRead(String queue, Supplier<QueueStats> source) {
        this(queue, source, MAX_WAIT);
    }

    public StatsRead(String queue, Supplier<QueueStats> source, Duration maxWait) {
        this.queue = UntrustedText.escape(Objects.requireNonNull(queue, "queue"));
        this.source = Objects.requireNonNull(source, "source");
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        this.threads = Thread.ofVirtual().name("jobq-stats-" + this.queue + "-", 0).factory();
    }

    /**
     * The queue's stats as the provider gives them.
     *
     * @throws RuntimeException what the provider threw when it threw a RuntimeException; a {@link ReadError} when it
     *                          threw an Error or a checked exception, its message to be shown as it is; or a
     *                          {@link JobQueueException} when it did not answer within the wait, or the caller was
     *                          interrupted
     */
    public QueueStats get() {
        CompletableFuture<QueueStats> read;
        lock.lock();
        try {
            if (underWay == null || underWay.isDone()) {
                // a read that ended answered its callers: the next caller asks again
                underWay = start();
                overdue = false;
            } else if (overdue) {
                throw notAnswered();
            }
            read = underWay;
        } finally {
            lock.unlock();
        }
        try {
            return read.get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            lock.lock();
            try {
                overdue = underWay == read;
            } finally {
                lock.unlock();
            }
            throw notAnswered();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException thrown) {
                throw thrown;
            }
            throw new ReadError("reading the stats of queue '" + queue + "' failed: "
                    + described(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobQueueException("interrupted while reading the stats of queue '" + queue + "'", e);
        }
    }

    /**
     * {@link #get()} on a virtual thread of its own. A caller that reads many queues starts them all and
     * then waits for each with {@link #answer}: {@link #MAX_WAIT} in all, not per queue.
     */
    public CompletableFuture<QueueStats> getLater() {
        var read = new CompletableFuture<QueueStats>();
        threads.newThread(() -> {
            try {
                read.complete(get());
            } catch (Throwable e) {
                read.completeExceptionally(e);
            }
        }).start();
        return read;
    }

    /** What a {@link #getLater()} read gave, or what it threw, as {@link #get()} would have. */
    public static QueueStats answer(CompletableFuture<QueueStats> read) {
        try {
            return read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException thrown) {
                throw thrown;
            }
            if (e.getCause() instanceof Error thrown) {
                throw thrown;
            }
            throw e;
        }
    }

    private CompletableFuture<QueueStats> start() {
        var read = new CompletableFuture<QueueStats>();
        threads.newThread(() -> {
            try {
                read.complete(source.get());
            } catch (Throwable e) {
                read.completeExceptionally(e);
            }
        }).start();
        return read;
    }

    /**
     * An Error (a provider's jar gone) or a checked exception thrown sneakily, as the error says it: its class's name
     * and its message ({@link LoggableThrowables#messageOf}) with the secrets of its URLs masked, then cut and escaped
     * ({@link LoggableThrowables#oneLine}). Its toString() went raw into the error, a line break and a megabyte with
     * it, or threw in place of it; masked after the cut, a URL the cut goes through would show its password's start.
     */
    private static String described(Throwable cause) {
        String message = LoggableThrowables.messageOf(cause);
        return cause.getClass().getName()
                + (message == null ? "" : ": " + LoggableThrowables.oneLine(Secrets.maskUrl(message)));
    }

    /**
     * A read that threw an Error or a checked exception, its message told as {@link #described} tells it: one line,
     * masked, escaped and cut with the count of the characters left out. One who shows it shows it as it is: cut
     * again, it lost that count for one of escaped characters, and the cut could go through an escape.
     */
    public static final class ReadError extends JobQueueException {

        ReadError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private JobQueueException notAnswered() {
        return new JobQueueException("the provider of queue '" + queue + "' did not answer a stats read within "
                + DurationFormat.format(maxWait) + " (it may be out of reach); the read goes on, and the next one "
                + "starts when it ends");
    }
}
