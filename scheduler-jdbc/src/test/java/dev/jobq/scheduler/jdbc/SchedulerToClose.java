package dev.jobq.scheduler.jdbc;

import dev.jobq.JobOptions;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * What the close() tests share: a scheduler on an H2 database in memory of its own, polling every 200 ms, whose sink
 * (the test's: one that holds, is deaf to interrupts or closes the scheduler) passes its jobs on to {@link #sink}; its
 * threads, named by the test, recorded in {@link #threads}, the firing thread first; jobs due at the clock's start; the
 * next process's scheduler on the same database ({@link #openNext}). For a helper's cases, twenty jobs in batches of one
 * on two threads ({@link #openBacklog}), the firing thread leaving a helper a batch ({@link #leaveAHelperABatch}).
 */
final class SchedulerToClose {

    /** The jobs of a helper's cases: in batches of one, plenty for the firing thread and a helper. */
    static final int BACKLOG = 20;

    /** The database's URL: one of its own, kept while the JVM runs, for a scheduler opened after. */
    final String url;
    final SettableClock clock;
    final RecordingSink sink;
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Instant start;
    private final AtomicInteger firingHandOffs = new AtomicInteger();
    private volatile JdbcJobScheduler opened;

    /** A database named from {@code name}, the clock at {@code start}. */
    SchedulerToClose(String name, Instant start) {
        url = "jdbc:h2:mem:" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        this.start = start;
        clock = new SettableClock(start);
        sink = new RecordingSink(clock);
    }

    /** A builder for the database, polling every 200 ms. */
    JdbcSchedulerFactory.Builder builder() {
        return JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofMillis(200));
    }

    /** Daemon threads named by {@code name} from how many came before, each added to {@link #threads}. */
    ThreadFactory threadsNamed(IntFunction<String> name) {
        return task -> {
            Thread thread = new Thread(task, name.apply(threads.size()));
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        };
    }

    /** The scheduler {@code builder} builds, handing its jobs on through {@code target}; {@link #scheduler()} after. */
    JdbcJobScheduler open(JdbcSchedulerFactory.Builder builder, JobSink target) {
        opened = builder.buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, target));
        return opened;
    }

    /**
     * As {@link #open}, for a helper's cases: batches of one on two threads (the firing thread and a helper), named by
     * {@code name}; {@link #scheduleDue} {@link #BACKLOG} jobs.
     */
    JdbcJobScheduler openBacklog(IntFunction<String> name, JobSink target) {
        return open(builder().batchSize(1).fireThreads(2).threadFactory(threadsNamed(name)), target);
    }

    /** The next process's scheduler on the database (its defaults, not started), handing its jobs on to {@link #sink}. */
    JdbcJobScheduler openNext() {
        return JdbcSchedulerFactory.builder().jdbcUrl(url)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
    }

    /** The scheduler {@link #open} opened last, for a sink that closes it. */
    JdbcJobScheduler scheduler() {
        return opened;
    }

    /** Schedules {@code count} jobs of type report:send due at the clock's start. */
    void scheduleDue(JdbcJobScheduler scheduler, int count) {
        for (int i = 0; i < count; i++) {
            scheduler.schedule(new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "report:send",
                    "{}", JobOptions.defaults(), 0, start, null, null), start);
        }
    }

    /** Whether the calling thread is the firing thread (the first of {@link #threads}). */
    boolean onFiringThread() {
        return Thread.currentThread() == threads.getFirst();
    }

    /**
     * In each hand-off of the firing thread: from its second on, waits (bounded, 30 s) for {@code helperThere}, leaving
     * a helper a batch to claim. Not deaf to close(), the firing thread alone now and then handed on all twenty before a
     * helper claimed one, and the test waited for a helper that had none.
     */
    void leaveAHelperABatch(CountDownLatch helperThere) {
        if (firingHandOffs.incrementAndGet() > 1) {
            JdbcSchedulerContract.awaitBounded(helperThere);
        }
    }

    /** A hand-off held until {@code release} opens, at most {@code bound}; an interrupt ends it, set again. */
    static void hold(CountDownLatch release, Duration bound) {
        try {
            release.await(bound.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
