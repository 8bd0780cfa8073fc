package dev.jobq.scheduler.jdbc;

import static dev.jobq.scheduler.jdbc.schema.tables.JobqRecurringJob.JOBQ_RECURRING_JOB;

import dev.jobq.JobOptions;
import dev.jobq.JobRejectedException;
import dev.jobq.MisfirePolicy;
import dev.jobq.scheduler.jdbc.schema.tables.records.JobqRecurringJobRecord;
import dev.jobq.scheduler.jdbc.schema.tables.records.JobqScheduledJobRecord;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands due rows to the {@link JobSink}, one batch per transaction.
 *
 * <p>A batch is locked with {@code FOR UPDATE SKIP LOCKED}, so concurrent schedulers never take the
 * same row; each row is submitted while its lock is held, and marked (enqueued, or the recurring
 * job's next run) in the same transaction, which commits after the last submit. If the process
 * or its connection dies before that commit, the locks go with it and the rows are still due: the
 * next scheduler submits them again with the same job ids (the row id; the recurring name and
 * occurrence instant), which providers that deduplicate recognise. Nothing is lost; a duplicate is
 * possible only across such a crash. When only the transaction failed (the database stopped or
 * restarted, the session ended) and this process lives on, it remembers the jobs it handed on in it
 * ({@link HandedOnUnmarked}) and marks them without handing them on again when it claims them next.
 *
 * <p>A submit that fails keeps its row, with the error, for another try after a growing pause; one its
 * queue rejects as it is ({@link JobRejectedException}) every {@link #MAX_RETRY}, logged once. A job (one-time or
 * recurring) of a queue this process does not have ({@link JobSink#serves}) is left as it is, for the processes that
 * have it, and that queue out of this process's claims ({@link UnservedQueues}).
 *
 * <p>When a claim of one-time rows comes back full (a backlog is due), {@code fireThreads - 1}
 * helper threads claim and hand on batches of rows due by now beside the calling thread, each in
 * transactions of its own, until their claims come back short; {@code SKIP LOCKED} keeps them
 * apart as it keeps schedulers of different processes apart. On PostgreSQL one thread's batch is
 * then claimed and handed on while another's commit is being written.
 */
final class HandOff {

    private static final Logger log = LoggerFactory.getLogger(HandOff.class);

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);
    /** How long a helper thread stays after a backlog before it ends. */
    static final Duration HELPER_IDLE = Duration.ofSeconds(30);
    /** When a one-time batch's transaction began, while it has not (no connection): see {@link #oneTimeBatch}. */
    private static final long NOT_BEGUN = Long.MIN_VALUE;

    private final Database db;
    private final ScheduledJobs scheduled;
    private final RecurringJobs recurring;
    private final ScheduleParser parser;
    private final JobSink sink;
    private final InstantSource clock;
    private final JdbcSettings settings;
    private final LongAdder submitted = new LongAdder();
    private final HandedOnUnmarked unmarked = new HandedOnUnmarked();
    private final UnreadableRecurringJobs unreadable = new UnreadableRecurringJobs();
    private final UnreadableScheduledJobs unreadableScheduled = new UnreadableScheduledJobs();
    private final UnservedQueues unserved = new UnservedQueues();
    /** Whether a batch slower than claimTimeout was warned of ({@link #warnIfLongerThanClaimTimeout}). */
    private final AtomicBoolean claimTimeoutWarned = new AtomicBoolean();
    private final AtomicBoolean tooManyUnreadableWarned = new AtomicBoolean();
    private final AtomicBoolean tooManyUnreadableRecurringWarned = new AtomicBoolean();
    /**
     * The one-time jobs this process left alone in the drain under way, as it cannot read them: one WARN at its end
     * ({@link #warnLeftAlone}), where each was one, up to {@link UnreadableScheduledJobs#MAX_LEFT_ALONE} every 5 minutes.
     */
    private final ConcurrentLinkedQueue<LeftAlone> leftAloneInDrain = new ConcurrentLinkedQueue<>();
    /**
     * The recurring jobs this process began to leave alone in the drain under way, as it cannot read them: one WARN at
     * its end ({@link #warnRecurringLeftAlone}), where each was one, up to {@link UnreadableRecurringJobs#MAX_LEFT_ALONE}
     * in one pass.
     */
    private final ConcurrentLinkedQueue<RecurringLeftAlone> recurringLeftAloneInDrain = new ConcurrentLinkedQueue<>();
    /** The queues whose {@link JobSink#serves} threw, warned of once each. */
    private final Set<String> servesFailed = ConcurrentHashMap.newKeySet();
    /** Threads that help through a backlog of one-time rows; null when {@code fireThreads} is one. */
    private final @Nullable ThreadPoolExecutor helpers;
    /**
     * The helper threads made so far and not yet seen ended: the pool counts a thread out before it
     * has finished running, so close() joins the threads themselves.
     */
    private final Set<Thread> helperThreads = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    HandOff(Database db, ScheduledJobs scheduled, RecurringJobs recurring, ScheduleParser parser, JobSink sink,
            InstantSource clock, JdbcSettings settings, int fireThreads, ThreadFactory threads) {
        this.db = db;
        this.scheduled = scheduled;
        this.recurring = recurring;
        this.parser = parser;
        this.sink = sink;
        this.clock = clock;
        this.settings = settings;
        if (fireThreads > 1) {
            helpers = new ThreadPoolExecutor(fireThreads - 1, fireThreads - 1, HELPER_IDLE.toSeconds(), TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), recordingThreads(threads));
            helpers.allowCoreThreadTimeOut(true);
        } else {
            helpers = null;
        }
    }

    /**
     * Hands on due batches until none is left that no one else holds; returns how many rows it took.
     * One-time rows first, until a batch comes back short (no more were due and free when it was
     * claimed: a claimed row is either handed on, moved to its retry time or left to processes that have its
     * queue), then recurring jobs until a batch comes back empty (an occurrence handed on can leave its job due
     * again, to catch up). Rows falling due meanwhile are the firing loop's next pass; it wakes at once for them.
     * Once {@link #stop()} is called, the batch in hand is the last: close() lets it finish rather than
     * interrupt it, so that no job is handed on whose row then stays scheduled.
     */
    int drain() {
        return drain(Duration.ZERO, due -> true);
    }

    /**
     * As {@link #drain()}, but one-time rows due within {@code lead} from now are claimed too, and each
     * is handed on when {@code wait} says its instant has come (never before): the firing thread then
     * claims ahead, and a job's lateness is the thread's wake-up, not the database's round trips. A
     * wait that answers false (the scheduler closing) ends the batch: rows not yet handed on stay
     * scheduled.
     */
    int drain(Duration lead, DueWait wait) {
        try {
            return drainAll(lead, wait);
        } finally {
            warnLeftAlone();
            warnRecurringLeftAlone();
        }
    }

    private int drainAll(Duration lead, DueWait wait) {
        var cursor = new ClaimCursor(clock, db.postgres());
        Batch first = oneTimeBatch(clock.instant(), lead, wait, null, cursor);
        int total = first.handed();
        if (full(first)) {
            List<Future<Integer>> helping = startHelpers(cursor);
            try {
                total += backlog(cursor, lead, wait, () -> !stopping);
            } finally {
                total += awaitHelpers(helping);
            }
        }
        // Due by the time this phase began, not by each batch's clock: an occurrence that takes longer to hand on than
        // its schedule leaves (a slow provider, many jobs on a short schedule) left its job due again at every batch,
        // and the drain never ended, with every one-time job waiting behind it. Later ones are the next pass's.
        Instant recurringBy = clock.instant();
        while (!stopping) {
            int taken = recurringBatch(recurringBy);
            total += taken;
            if (taken == 0) {
                break;
            }
        }
        return total;
    }

    /**
     * One thread's share of a backlog of one-time rows: batches claimed from the cursor on while
     * they come back full and {@code goOn} says so; after a short one, a claim from the start, for
     * rows left behind the cursor, and on from there if it comes back full. Returns how many rows the
     * thread handed on.
     */
    private int backlog(ClaimCursor cursor, Duration lead, DueWait wait, BooleanSupplier goOn) {
        int total = 0;
        DuePlace after = cursor.next();
        while (goOn.getAsBoolean()) {
            Batch batch = oneTimeBatch(clock.instant(), lead, wait, after, cursor);
            total += batch.handed();
            if (full(batch)) {
                after = cursor.next();
            } else if (after != null && !batch.gaveUp()) {
                after = null;
            } else {
                break;
            }
        }
        return total;
    }

    private boolean full(Batch batch) {
        return batch.handed() == settings.batchSize();
    }

    /**
     * Helper threads end after the batch in hand, and none starts again; the caller then waits for
     * the firing thread, which waits for them.
     */
    void stop() {
        stopping = true;
    }

    /** Threads that hand on a backlog of one-time rows, the firing thread included. */
    int fireThreads() {
        return helpers == null ? 1 : helpers.getMaximumPoolSize() + 1;
    }

    /**
     * Ends the helper threads and waits until they have ended, at most {@code wait}; call after the
     * firing thread has ended (which waited for their batches). A helper interrupted in a batch rolls
     * it back. An interrupt of the calling thread does not end the wait (bounded, and the helpers are
     * interrupted already): returns whether one came, for the caller to set again.
     */
    boolean close(Duration wait) {
        if (helpers == null) {
            return false;
        }
        helpers.shutdownNow();
        long deadline = System.nanoTime() + wait.toNanos();
        boolean interrupted = false;
        for (Thread thread : helperThreads) {
            for (long left = deadline - System.nanoTime(); left > 0 && thread.isAlive();
                    left = deadline - System.nanoTime()) {
                try {
                    thread.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (thread.isAlive()) {
                // escaped, as the firing thread's: the name comes from the application's ThreadFactory
                log.warn("scheduler: a thread helping to hand on due jobs ({}) did not end within {} s",
                        UntrustedText.escape(thread.getName()), wait.toSeconds());
                return interrupted;
            }
        }
        return interrupted;
    }

    /** Whether {@code thread} is one of the threads helping through a backlog. */
    boolean isHelper(Thread thread) {
        return helperThreads.contains(thread);
    }

    /** The thread factory, recording each thread it makes; threads seen ended are dropped then. */
    private ThreadFactory recordingThreads(ThreadFactory threads) {
        return task -> {
            Thread thread = threads.newThread(task);
            helperThreads.removeIf(made -> made.getState() == Thread.State.TERMINATED);
            if (thread != null) {
                helperThreads.add(thread);
            }
            return thread;
        };
    }

    /**
     * Helpers for a backlog, one batch of rows due by now after another from the drain's cursor, until
     * a claim from the start comes back short or the scheduler stops.
     */
    private List<Future<Integer>> startHelpers(ClaimCursor cursor) {
        if (helpers == null || stopping) {
            return List.of();
        }
        List<Future<Integer>> helping = new ArrayList<>(helpers.getMaximumPoolSize());
        for (int i = 0; i < helpers.getMaximumPoolSize(); i++) {
            helping.add(helpers.submit(() -> backlog(cursor, Duration.ZERO, due -> true, () -> !stopping)));
        }
        return helping;
    }

    /**
     * The helpers' count, once they have all ended. A helper that failed is logged (its error made log-safe: one
     * whose getMessage() threw out of the logger ended the firing thread's pass as failed): its batch rolled
     * back and its rows are still due, for the next pass. Interrupted (the scheduler closing and out
     * of patience), it interrupts them too and returns at once.
     */
    private int awaitHelpers(List<Future<Integer>> helping) {
        int total = 0;
        for (Future<Integer> help : helping) {
            try {
                total += help.get();
            } catch (ExecutionException e) {
                Throwable failure = e.getCause() != null ? e.getCause() : e;
                Throwable cause = failure instanceof RuntimeException runtime ? db.withoutLockedRow(runtime) : failure;
                log.warn("scheduler: a thread helping to hand on due jobs from {} failed; its batch stays due for "
                        + "the next pass: {}", db.description(), Database.rootMessage(cause),
                        LoggableThrowables.loggable(cause));
            } catch (CancellationException e) {
                // cancelled below, by an earlier interrupt
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                helping.forEach(other -> other.cancel(true));
                return total;
            }
        }
        return total;
    }

    /**
     * A one-time job left alone as this process cannot read it (its type escaped, its id as stored, escaped where it is
     * said): why, and when it looks at it again.
     */
    private record LeftAlone(String id, String type, String reason, Instant lookAgainAt) {
    }

    /** The WARN for the one-time jobs the drain left alone as this process cannot read them, if any: one a drain. */
    private void warnLeftAlone() {
        if (leftAloneInDrain.isEmpty()) {
            return;
        }
        Map<String, LeftAlone> jobs = new LinkedHashMap<>();
        for (LeftAlone job = leftAloneInDrain.poll(); job != null; job = leftAloneInDrain.poll()) {
            jobs.putIfAbsent(job.id(), job);
        }
        if (jobs.isEmpty()) {
            return;
        }
        LeftAlone first = jobs.values().iterator().next();
        if (jobs.size() == 1) {
            log.warn("scheduler: scheduled job {} ({}) cannot be read: {}; this process does not hand it on and leaves "
                            + "its row as it is, for processes that can read it (a newer jobq sharing the database), "
                            + "and looks at it again at {}; where no process can, cancel it with jobq schedule cancel "
                            + "{} (Scheduler.cancel)", JdbcJobScheduler.shownId(first.id()), first.type(),
                    first.reason(), first.lookAgainAt(), UntrustedText.shellArgument(first.id()));
            return;
        }
        int named = 5;
        String ids = String.join(", ", jobs.keySet().stream().limit(named).map(JdbcJobScheduler::shownId).toList())
                + (jobs.size() > named ? " and " + (jobs.size() - named) + " more" : "");
        Instant lookAgainAt = jobs.values().stream().map(LeftAlone::lookAgainAt).min(Instant::compareTo).orElseThrow();
        log.warn("scheduler: {} scheduled jobs in {} cannot be read by this process ({}); the first, {} ({}): {}. It does "
                        + "not hand them on and leaves their rows as they are, for processes that can read them (a newer "
                        + "jobq sharing the database), and looks at them again at {}; where no process can, cancel them "
                        + "with jobq schedule cancel <id> (Scheduler.cancel): jobq schedule list shows them, each with "
                        + "its reason", jobs.size(), db.description(), ids, JdbcJobScheduler.shownId(first.id()),
                first.type(), first.reason(), lookAgainAt);
    }

    /** A recurring job left alone as this process cannot read it: why, and when it looks at it again. */
    private record RecurringLeftAlone(String name, @Nullable String reason, Instant lookAgainAt) {
    }

    /**
     * The WARN for the recurring jobs the drain began to leave alone as this process cannot read them, if any: one a
     * drain, as for one-time jobs ({@link #warnLeftAlone}).
     */
    private void warnRecurringLeftAlone() {
        if (recurringLeftAloneInDrain.isEmpty()) {
            return;
        }
        Map<String, RecurringLeftAlone> jobs = new LinkedHashMap<>();
        for (RecurringLeftAlone job = recurringLeftAloneInDrain.poll(); job != null;
                job = recurringLeftAloneInDrain.poll()) {
            jobs.putIfAbsent(job.name(), job);
        }
        if (jobs.isEmpty()) {
            return;
        }
        RecurringLeftAlone first = jobs.values().iterator().next();
        if (jobs.size() == 1) {
            log.warn("scheduler: recurring job {} cannot be read by this process: {}; it does not fire it "
                            + "and leaves its row as it is, for processes that can read it, and looks at it again at "
                            + "{} or once it changes", RecurringJobs.shown(first.name()), first.reason(),
                    first.lookAgainAt());
            return;
        }
        int named = 5;
        String names = String.join(", ", jobs.keySet().stream().limit(named).map(RecurringJobs::shown).toList())
                + (jobs.size() > named ? " and " + (jobs.size() - named) + " more" : "");
        Instant lookAgainAt = jobs.values().stream().map(RecurringLeftAlone::lookAgainAt).min(Instant::compareTo)
                .orElseThrow();
        log.warn("scheduler: {} recurring jobs in {} cannot be read by this process ({}); the first, {}: {}. It does "
                        + "not fire them and leaves their rows as they are, for processes that can read them (a newer "
                        + "jobq sharing the database, or a Java runtime with newer time-zone data), and looks at them "
                        + "again at {} or once they change; where no process can, register them again or delete them "
                        + "with jobq recurring delete <name> (Scheduler.deleteRecurring): jobq recurring list shows "
                        + "them, each with its problem", jobs.size(), db.description(), names,
                RecurringJobs.shown(first.name()), first.reason(), lookAgainAt);
    }

    /** Waits until a claimed row's instant; false to give the rest of the batch up. */
    @FunctionalInterface
    interface DueWait {
        boolean until(Instant due) throws InterruptedException;
    }

    /** The recurring jobs this process cannot read, left out of its claims and of the firing loop's wake-up. */
    UnreadableRecurringJobs unreadable() {
        return unreadable;
    }

    /** The one-time jobs this process cannot read, left out of its claims and of the firing loop's wake-up. */
    UnreadableScheduledJobs unreadableScheduled() {
        return unreadableScheduled;
    }

    /**
     * Whether this process handed job {@code jobId} on in a batch whose commit then failed, and has not marked its row
     * since ({@link HandedOnUnmarked}): the row still says scheduled, but the job is on its queue.
     */
    boolean handedOnUnmarked(String jobId) {
        return unmarked.holds(jobId);
    }

    /** How many jobs {@link #handedOnUnmarked} may say so of: none unless a batch's commit failed after its hand-offs. */
    int handedOnUnmarkedCount() {
        return unmarked.size();
    }

    /** Jobs submitted to the sink so far, for tests and logs. */
    long submitted() {
        return submitted.sum();
    }

    /** A batch of one-time rows: how many were claimed, and how many of them handed on or kept for a retry. */
    private record Batch(int claimed, int handed) {

        /** Whether the batch ended before its last row, the wait for a row's instant given up. */
        boolean gaveUp() {
            return handed < claimed;
        }
    }

    /**
     * Claims a batch of one-time rows due by {@code now} plus {@code lead}, after {@code after} in the
     * due index when given, records the last row claimed in {@code cursor}, and hands each row on at
     * its instant.
     */
    private Batch oneTimeBatch(Instant now, Duration lead, DueWait wait, @Nullable DuePlace after,
            ClaimCursor cursor) {
        List<String> handedOn = new ArrayList<>();
        // When the claim's transaction began (System.nanoTime()), set in it: the wait for a connection before it (the
        // pool's connectionTimeout while the database is down) is no time in a transaction.
        long[] began = {NOT_BEGUN};
        try {
            return oneTimeBatch(now, lead, wait, after, cursor, handedOn, began);
        } catch (RuntimeException e) {
            warnIfLongerThanClaimTimeout(began[0], e, "one-time jobs");
            throw e;
        }
    }

    /**
     * Warns, once, when a batch's ({@code kind}: one-time or recurring jobs) transaction failed by its connection after it had lasted {@code claimTimeout} on
     * PostgreSQL: the server ends a session idle in a transaction that long, and a batch idles while it hands its
     * jobs on, so it was most likely a batch slower than the setting (a slow provider) rather than the network. The
     * driver says only that the connection was lost; the failed pass repeats that, and docs/scheduler.md the rule.
     */
    private void warnIfLongerThanClaimTimeout(long began, RuntimeException e, String kind) {
        if (began == NOT_BEGUN) {
            return;
        }
        Duration lasted = Duration.ofNanos(System.nanoTime() - began);
        if (!db.postgres() || lasted.compareTo(settings.claimTimeout()) < 0 || !Database.connectionLost(e)
                || Database.answerTimedOut(e)
                || !claimTimeoutWarned.compareAndSet(false, true)) {
            return;
        }
        log.warn("scheduler: a batch of due {} on {} failed as its connection was lost ({}) after {} in its "
                        + "transaction, longer than claimTimeout ({}): PostgreSQL ends a session idle in a transaction "
                        + "that long (idle_in_transaction_session_timeout), and a batch idles while it hands its jobs "
                        + "on, up to batchSize ({}) of them. The batch was rolled back; the jobs it handed on stay due "
                        + "(this process marks them without handing them on again, another scheduler hands them on a "
                        + "second time, under the same ids). Unless the network failed, raise claimTimeout above the "
                        + "longest a batch takes to hand on (a slow provider), or lower batchSize; this is said once",
                kind, db.description(), Database.rootMessage(e),
                DurationFormat.format(lasted.truncatedTo(ChronoUnit.MILLIS)),
                DurationFormat.format(settings.claimTimeout()), settings.batchSize());
    }

    private Batch oneTimeBatch(Instant now, Duration lead, DueWait wait, @Nullable DuePlace after,
            ClaimCursor cursor, List<String> handedOn, long[] began) {
        return unmarked.rememberIfLost(handedOn, () -> db.claim(tx -> {
            began[0] = System.nanoTime();
            handedOn.clear();
            List<JobqScheduledJobRecord> rows = scheduled.lockDue(tx.dsl(), now.plus(lead), after,
                    unserved.queues(), unreadableScheduled.ids(now), settings.batchSize());
            if (!rows.isEmpty()) {
                cursor.claimed(DuePlace.of(rows.getLast()));
            }
            int handled = 0;
            for (JobqScheduledJobRecord row : rows) {
                if (!awaitDue(row.getDueAt(), wait)) {
                    break;
                }
                handled++;
                JobEnvelope envelope = readable(tx.dsl(), row, now);
                if (envelope == null) {
                    continue;
                }
                Throwable failure = submit(() -> envelope, handedOn);
                if (failure != null) {
                    String text = textOf(failure);
                    String error = LoggableThrowables.oneLine(text);
                    String stored = ScheduledJobs.errorOf(text);
                    if (failure instanceof JobRejectedException && leftToOthers(envelope.queue(), error)) {
                        continue;
                    }
                    Instant retryAt = now.plus(retryDelay(failure, row.getAttempts() + 1));
                    if (!(failure instanceof JobRejectedException)) {
                        log.warn("scheduler: handing on scheduled job {} ({}) failed, trying again at {}: {}",
                                JdbcJobScheduler.shownId(row.getId()), UntrustedText.escape(row.getType()), retryAt,
                                error);
                    } else {
                        logRejected(error, stored, row.getError(), "scheduled job "
                                        + JdbcJobScheduler.shownId(row.getId())
                                        + " (" + UntrustedText.escape(row.getType()) + ")",
                                "cancel it with jobq schedule cancel " + UntrustedText.shellArgument(row.getId())
                                        + " (Scheduler.cancel)");
                    }
                    scheduled.markFailed(tx.dsl(), row, stored, retryAt, now);
                }
            }
            scheduled.markHandedOn(tx.dsl(), handedOn, now);
            return new Batch(rows.size(), handled);
        }));
    }

    /**
     * The job of a claimed one-time row, or null when this process cannot read it (options a newer jobq wrote, a row
     * changed by hand). Then, as a recurring job it cannot read, the row is left as it is for the processes that can
     * read it, and out of this process's claims until {@link #MAX_RETRY} from now: counted as a failed hand-off, its
     * due time was pushed on (1 s, 2 s … 5 min) at every try, and during a rolling deploy the process that could read
     * it handed it on that late. Logged at WARN each time it is looked at, with the others of the drain ({@link
     * #warnLeftAlone}). One of a queue this process does not have
     * is left to the processes that have it, as a job of that queue it can read is ({@link #leftToOthers}): past the
     * most left alone it was pushed on, and the process with the queue, which can read it, handed it on that late.
     */
    private @Nullable JobEnvelope readable(DSLContext tx, JobqScheduledJobRecord row, Instant now) {
        try {
            return scheduled.envelope(row);
        } catch (RuntimeException e) {
            // The claim reads no queue column (a hand-off takes the queue from the options): read for this row alone.
            if (leftToOthers(scheduled.queue(tx, row.getId()), "its job " + JdbcJobScheduler.shownId(row.getId())
                    + " cannot be read here either: " + e.getMessage())) {
                return null;
            }
            Instant lookAgainAt = now.plus(MAX_RETRY);
            if (!unreadableScheduled.leaveAlone(row.getId(), lookAgainAt)) {
                // Past the most left out of every claim: pushed on, no try counted, so that no claim reads it again soon
                scheduled.markUnreadable(tx, row, e.getMessage(), lookAgainAt, now);
                if (tooManyUnreadableWarned.compareAndSet(false, true)) {
                    log.warn("scheduler: more than {} scheduled jobs in {} cannot be read by this process (as {} "
                                    + "cannot: {}); it leaves that many as they are, for processes that can read them, "
                                    + "and the others are pushed on by {} each time it claims them, their error saying "
                                    + "why: a process that can read them hands them on that late. Where no process can, "
                                    + "cancel them (jobq schedule list shows them); this is said once",
                            UnreadableScheduledJobs.MAX_LEFT_ALONE, db.description(),
                            JdbcJobScheduler.shownId(row.getId()), e.getMessage(),
                            DurationFormat.format(MAX_RETRY));
                }
                return null;
            }
            leftAloneInDrain.add(new LeftAlone(row.getId(), UntrustedText.escape(row.getType()), e.getMessage(),
                    lookAgainAt));
            return null;
        }
    }

    /**
     * Whether a rejected row is of a queue this process does not have: then it is left as it is, for the processes
     * sharing the database that have the queue (workers split by queue, a rolling deploy), and the queue is left out
     * of this process's claims from now on. Retried here every {@link #MAX_RETRY}, its shared row was pushed that far
     * on, and the process with the queue handed it on that late (a recurring job past misfireThreshold lost the
     * occurrence, or fired it late). Logged at WARN once per queue.
     */
    private boolean leftToOthers(@Nullable String queue, String error) {
        if (queue == null || serves(queue)) {
            return false;
        }
        if (unserved.add(queue)) {
            log.warn("scheduler: this process does not have queue {} ({}): its due jobs in {} are left as they are, "
                            + "for the processes sharing the database that have it (workers split by queue, a rolling "
                            + "deploy), and out of this process's claims while it runs; where no process has it they "
                            + "stay due: add the queue to the configuration of a process with a scheduler, or cancel "
                            + "them with jobq schedule cancel <id> (Scheduler.cancel) or jobq recurring delete <name> "
                            + "(Scheduler.deleteRecurring); jobq schedule list and jobq recurring list show them "
                            + "with their queue",
                    UntrustedText.singleQuote(queue, JobOptions.MAX_QUEUE_NAME), error, db.description());
        }
        return true;
    }

    /**
     * The sink's {@link JobSink#serves}, true when it throws (an application's own sink; the core's cannot). Asked
     * inside the claim's transaction, a throw rolled the batch back, its other jobs handed on and unmarked, and every
     * pass met the row again: nothing due with it was marked, and every pass failed. The queue is taken as this
     * process's (true unless the sink knows otherwise), so the job is kept and tried again as a rejected one; a WARN
     * says so once per queue.
     */
    private boolean serves(String queue) {
        try {
            return sink.serves(queue);
        } catch (RuntimeException | Error e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            if (servesFailed.add(queue)) {
                log.warn("scheduler: the job sink's serves({}) ({}) threw {}; the scheduler takes the queue as this "
                                + "process's: its jobs the queue rejects are kept and tried again every {} (none is "
                                + "left to other processes), and this is not said again for the queue; fix the sink so "
                                + "that serves(queue) answers true or false for every queue without throwing",
                        UntrustedText.singleQuote(queue, JobOptions.MAX_QUEUE_NAME), sink.getClass().getName(),
                        describe(e), DurationFormat.format(MAX_RETRY),
                        LoggableThrowables.loggable(e));
            }
            return true;
        }
    }

    /** The queues this process does not have, left out of its one-time claims and of the firing loop's wake-up. */
    List<String> unservedQueues() {
        return unserved.queues();
    }

    /**
     * The recurring rows this process leaves out of its claims and of the firing loop's wake-up at {@code now}: those
     * it cannot read ({@link UnreadableRecurringJobs}) and those of queues it does not have; null when there are none.
     */
    @Nullable Condition recurringLeftOut(Instant now) {
        Condition unreadableRows = unreadable.leftOut(now);
        List<String> queues = unserved.queues();
        if (queues.isEmpty()) {
            return unreadableRows;
        }
        Condition otherQueues = JOBQ_RECURRING_JOB.QUEUE.notIn(queues);
        return unreadableRows == null ? otherQueues : unreadableRows.and(otherQueues);
    }

    /** True once {@code due} has come; false when the wait gives up or is interrupted (flag kept). */
    private boolean awaitDue(Instant due, DueWait wait) {
        if (!clock.instant().isBefore(due)) {
            return true;
        }
        try {
            return wait.until(due) && !clock.instant().isBefore(due);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    int recurringBatch(Instant now) {
        List<String> handedOn = new ArrayList<>();
        // As a one-time batch's: a transaction idle while it hands its occurrences on, ended by PostgreSQL after
        // claimTimeout; one clock read a batch.
        long[] began = {NOT_BEGUN};
        try {
            return unmarked.rememberIfLost(handedOn, () -> db.claim(tx -> {
                began[0] = System.nanoTime();
                handedOn.clear();
                List<JobqRecurringJobRecord> rows = recurring.lockDue(tx.dsl(), now, settings.batchSize(),
                        recurringLeftOut(now));
                for (JobqRecurringJobRecord row : rows) {
                    fire(row, now, handedOn);
                }
                return rows.size();
            }));
        } catch (RuntimeException e) {
            warnIfLongerThanClaimTimeout(began[0], e, "recurring jobs");
            throw e;
        }
    }

    private void fire(JobqRecurringJobRecord row, Instant now, List<String> handedOn) {
        FiringPlan plan;
        Schedule schedule;
        Instant from = row.getNextRunAt();
        try {
            schedule = parser.parse(row.getName(), row.getSchedule(), RecurringJobs.zone(row));
            if (from.isBefore(now.minus(settings.misfireThreshold()))) {
                // Late: the occurrences this process handed on before a commit that failed ran on time, and are not
                // missed. The policy judged them with the rest: FIRE_ONCE counted the first as its one run, and
                // nothing ran for those missed after it; FIRE_ALL spent its limit on them. They are marked here.
                from = firstNotHandedOnBeforeALostCommit(row.getName(), schedule, from);
            }
            plan = from.isAfter(now) ? new FiringPlan(List.of(), from, false)
                    : FiringPlan.of(schedule, from, now, RecurringJobs.misfirePolicy(row),
                    settings.misfireThreshold(), settings.fireAllLimit(), row.getFireAllUntil());
            // Read here, not first in the hand-off: options this process cannot read counted as a failed hand-off,
            // which pushed the shared row on (1 s, 2 s … 5 min) and made a process that can read them fire it late,
            // or skip it as missed.
            recurring.options(row);
        } catch (RuntimeException e) {
            // Stored by a newer version, or one whose Java runtime has newer time-zone data, sharing the table (a
            // rolling deploy), or changed by hand. Processes that can read it fire it on time: its row is left as it
            // is (a retry time written there made them fire it late, or skip it), and this process leaves it alone.
            Instant lookAgainAt = now.plus(MAX_RETRY);
            if (unreadable.full(row.getName())) {
                // Past the most left out of every claim: pushed on, no try counted, so that no claim reads it again soon
                recurring.pushOnUnreadable(row, e.getMessage(), lookAgainAt, now);
                if (tooManyUnreadableRecurringWarned.compareAndSet(false, true)) {
                    log.warn("scheduler: more than {} recurring jobs in {} cannot be read by this process (as {} "
                                    + "cannot: {}); it leaves that many as they are, for processes that can read them, "
                                    + "and the others are pushed on by {} each time it claims them, their last error "
                                    + "saying why: a process that can read them fires them that late, or judges the "
                                    + "occurrence missed. Where no process can, delete them or register them again "
                                    + "(jobq recurring list shows them); this is said once",
                            UnreadableRecurringJobs.MAX_LEFT_ALONE, db.description(),
                            RecurringJobs.shown(row.getName()), e.getMessage(),
                            DurationFormat.format(MAX_RETRY));
                }
                return;
            }
            if (unreadable.leaveAlone(row.getName(), row.getUpdatedAt(), lookAgainAt, e.getMessage())) {
                recurringLeftAloneInDrain.add(new RecurringLeftAlone(row.getName(), e.getMessage(), lookAgainAt));
            }
            return;
        }
        for (Instant handed = row.getNextRunAt(); handed.isBefore(from); handed = schedule.next(handed)) {
            String id = OccurrenceIds.of(row.getName(), handed);
            unmarked.takeBack(id);
            handedOn.add(id); // remembered again if this batch's commit fails too
        }
        if (plan.dropped()) {
            logMissed(row, schedule, from, plan);
        }
        Instant lastRun = from.equals(row.getNextRunAt()) ? null : now;
        for (Instant occurrence : plan.fires()) {
            Throwable failure = submit(() -> recurring.envelope(row, occurrence, now), handedOn);
            if (failure != null) {
                String text = textOf(failure);
                String error = LoggableThrowables.oneLine(text);
                String stored = ScheduledJobs.errorOf(text);
                if (failure instanceof JobRejectedException && lastRun == null
                        && leftToOthers(row.getQueue(), error)) {
                    return;
                }
                Instant retryAt = now.plus(retryDelay(failure, row.getAttempts() + 1));
                if (!(failure instanceof JobRejectedException)) {
                    log.warn("scheduler: handing on occurrence {} of recurring job {} failed, trying again at {}: {}",
                            occurrence, RecurringJobs.shown(row.getName()), retryAt, error);
                } else {
                    logRejected(error, stored, row.getLastError(), "occurrence " + occurrence + " of "
                            + RecurringJobs.named(row.getName()) + " (" + UntrustedText.escape(row.getType())
                            + ") on queue " + UntrustedText.singleQuote(row.getQueue(), JobOptions.MAX_QUEUE_NAME),
                            "register it again with a payload and options the queue takes, or delete it with jobq "
                            + "recurring delete " + UntrustedText.shellArgument(row.getName())
                            + " (Scheduler.deleteRecurring" + (row.getName().startsWith("-")
                            // past the -- of "-- -weekly" jobq reads no option: --config added at the end was refused
                            ? "; an option such as --config goes before the --, not after the name)" : ")"));
                }
                // A FIRE_ALL burst of missed occurrences that fireAllLimit cut short goes on to its end when tried
                // again, not fireAllLimit more. One that held every missed occurrence is not bounded so: kept, its retry
                // skipped the occurrences missed while it failed (one on time at this try among them), where a retry of
                // a failed on-time occurrence fires each. Judged from where the plan was (from): the row's own next
                // run, late, may be one handed on before a lost commit, and an on-time try after it was kept as a
                // burst, which dropped the ones missed later.
                boolean burst = RecurringJobs.misfirePolicy(row) == MisfirePolicy.FIRE_ALL
                        && from.isBefore(now.minus(settings.misfireThreshold())) && plan.dropped();
                recurring.retryLater(row, occurrence, lastRun, stored, retryAt, now,
                        burst ? plan.fires().getLast() : null);
                return;
            }
            lastRun = now;
        }
        if (!DueRange.holds(plan.nextRunAt())) {
            // Registering such a job is refused; one that reaches the end of the range stops there, saying why.
            String error = "its next run would be " + plan.nextRunAt() + ", " + DueRange.beyond(plan.nextRunAt())
                    + "; it was disabled";
            log.warn("scheduler: recurring job {}: {}", RecurringJobs.shown(row.getName()), error);
            recurring.disableAtEnd(row, lastRun, error, now);
            return;
        }
        recurring.advance(row, plan.nextRunAt(), lastRun, now);
    }

    /** The first occurrence from {@code from} on that this process did not hand on in a batch whose commit then failed. */
    private Instant firstNotHandedOnBeforeALostCommit(String name, Schedule schedule, Instant from) {
        Instant occurrence = from;
        while (unmarked.holds(OccurrenceIds.of(name, occurrence))) {
            occurrence = schedule.next(occurrence);
        }
        return occurrence;
    }

    /**
     * Says which occurrences of a recurring job were missed (late through downtime, or through this scheduler's own
     * failed tries: a provider down for minutes) and how many of them the policy enqueues. {@code from} is where they
     * start: after those this process handed on before a commit that failed, when it did (on their queue, not missed).
     */
    private void logMissed(JobqRecurringJobRecord row, Schedule schedule, Instant from, FiringPlan plan) {
        String why;
        Instant first = row.getNextRunAt();
        if (!from.equals(first)) {
            Instant last = first;
            while (schedule.next(last).isBefore(from)) {
                last = schedule.next(last);
            }
            why = ", after " + (last.equals(first) ? "occurrence " + first : "occurrences " + first + " to " + last)
                    + ", which this process handed on before a commit that failed";
        } else if (row.getAttempts() == 0) {
            why = " while no scheduler ran";
        } else {
            // The row's error escaped again, which leaves what jobq wrote (escaped) as it is: another process or a hand
            // may have written a line break there, which started a line of its own in the log
            why = ": handing it on failed until it was more than misfireThreshold ("
                    + DurationFormat.format(settings.misfireThreshold()) + ") late (" + row.getAttempts()
                    + (row.getAttempts() == 1 ? " try" : " tries") + "; last error "
                    + UntrustedText.escape(String.valueOf(row.getLastError())) + ")";
        }
        log.info("scheduler: recurring job {} missed occurrences from {}{}; policy {} enqueues {} of them, the schedule "
                        + "continues at {}", RecurringJobs.shown(row.getName()), from, why, row.getMisfirePolicy(),
                plan.fires().size(), plan.nextRunAt());
    }

    /**
     * Submits one envelope and adds its job id to {@code handedOn}; returns null when the sink took
     * it, else the error. A job this process handed on in a transaction that then failed is not
     * submitted again, only added. An Error from the provider (a class missing from its classpath, an
     * assertion of its own) is a failed hand-off too: thrown on, it would end the firing thread, and with
     * it every job's firing, without a word in {@code firingProblem()}. An interrupt (the scheduler
     * closing) aborts the whole batch instead, so its transaction rolls back.
     */
    private @Nullable Throwable submit(EnvelopeSource source, List<String> handedOn) {
        try {
            JobEnvelope envelope = source.envelope();
            if (!unmarked.takeBack(envelope.jobId())) {
                sink.submit(envelope);
                submitted.increment();
            }
            handedOn.add(envelope.jobId());
            return null;
        } catch (RuntimeException | Error e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            return e;
        }
    }

    private static String describe(Throwable failure) {
        // one line: a provider's refusal may repeat the job's type raw, and a newline in it forged a line of the WARN;
        // and cut, as the core cuts a handler's: a 10 MB message went whole into each WARN about the job
        return LoggableThrowables.oneLine(textOf(failure));
    }

    /**
     * A failure's class and message as they are: {@link LoggableThrowables#oneLine} writes it for the WARN, {@link
     * ScheduledJobs#errorOf} for the row, each cut to its own length. With no message, its class alone, as the core
     * names a handler's failure ({@code FailurePolicy.nameAndMessage}): it read "IllegalStateException: null".
     */
    private static String textOf(Throwable failure) {
        String message = LoggableThrowables.messageOf(failure);
        return LoggableThrowables.simpleName(failure.getClass()) + (message == null ? "" : ": " + message);
    }

    /**
     * A job its queue rejects as it is (a limit of the queue's provider lowered since the job was
     * stored; a queue this process does not have is left to others instead, see {@code leftToOthers}) is
     * kept, since the configuration may change back, and tried again every {@link #MAX_RETRY}
     * rather than at the growing pauses of an outage. It is logged at WARN once, and again only when
     * the reason changes; each further try at DEBUG. Its row keeps the count and the last error: the reason changed
     * when {@code stored}, the error as the row holds it ({@link ScheduledJobs#errorOf}), is not {@code storedError}.
     */
    private static void logRejected(String error, String stored, @Nullable String storedError, String job,
            String way) {
        if (stored.equals(storedError)) {
            log.debug("scheduler: {} is still rejected by its queue; trying again in {}: {}", job,
                    DurationFormat.format(MAX_RETRY), error);
            return;
        }
        log.warn("scheduler: {} is rejected by its queue: {}. It is kept and tried again every {}, without a "
                        + "line each time, in case the queue's configuration changes or another process serves the "
                        + "queue; to end it, change the queue's configuration so that it takes the job, or {}", job, error, DurationFormat.format(MAX_RETRY),
                way);
    }

    /** The pause before the next try: {@link #MAX_RETRY} for a job its queue rejects, else growing with the tries. */
    static Duration retryDelay(Throwable failure, int attempt) {
        return failure instanceof JobRejectedException ? MAX_RETRY : retryDelay(attempt);
    }

    static Duration retryDelay(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 20);
        Duration delay = FIRST_RETRY.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay;
    }

    /** Builds the envelope inside the try, so that an unreadable row counts as a failed hand-off. */
    @FunctionalInterface
    private interface EnvelopeSource {
        JobEnvelope envelope();
    }
}
