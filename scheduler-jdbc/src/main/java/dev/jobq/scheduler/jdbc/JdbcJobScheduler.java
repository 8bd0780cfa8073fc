package dev.jobq.scheduler.jdbc;

import dev.jobq.JobInfo;
import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.scheduler.jdbc.schema.tables.records.JobqRecurringJobRecord;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.UntrustedText;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC {@link JobScheduler}: the API works on the database directly from the caller's thread;
 * firing runs on one thread of its own once {@link #start()} is called (helped through a backlog
 * of due one-time jobs by {@code fireThreads - 1} more, see {@link HandOff}). Writing something that is
 * due before the firing thread's next wake-up rings its alarm. Thread-safe.
 */
final class JdbcJobScheduler implements JobScheduler {

    private static final Logger log = LoggerFactory.getLogger(JdbcJobScheduler.class);

    /** How long close() lets the batch in hand finish before it interrupts the firing thread. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** The longest type and queue of a job, and name and schedule of a recurring job, the tables hold. */
    static final int MAX_TEXT = 255;
    /** How much of a deduplication key a failure repeats: as much as enqueue's refusals do. */
    private static final int KEY_PREVIEW_CHARS = 80;

    private final Database db;
    private final JdbcSettings settings;
    private final InstantSource clock;
    private final ThreadFactory threads;
    private final ScheduledJobs scheduled = new ScheduledJobs();
    private final RecurringJobs recurring = new RecurringJobs();
    private final ScheduleParser parser = new ScheduleParser();
    private final Alarm alarm;
    private final HandOff handOff;
    private final FiringLoop loop;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private @Nullable Thread firing;
    private boolean closed;
    /**
     * The firing thread or a helper, when close() was called in its hand-off: the firing thread closes the rest after
     * its loop, and a second close() that gives up on the first names it.
     */
    private @Nullable Thread closedInHandOffOn;
    private final CountDownLatch closeEnded = new CountDownLatch(1);

    private JdbcJobScheduler(Database db, JdbcSettings settings, SchedulerContext context, ThreadFactory threads) {
        this.db = db;
        this.settings = settings;
        this.clock = context.clock();
        this.threads = threads;
        this.alarm = new Alarm(clock);
        this.handOff = new HandOff(db, scheduled, recurring, parser, context.sink(), clock, settings,
                settings.fireThreads(db.postgres()), threads);
        this.loop = new FiringLoop(handOff, db, scheduled, recurring, alarm, clock, settings);
    }

    /** Connects and migrates; throws {@link JobQueueException} saying what to fix when it cannot. */
    static JdbcJobScheduler open(JdbcSettings settings, SchedulerContext context, ThreadFactory threads) {
        return new JdbcJobScheduler(Database.open(settings), settings, context, threads);
    }

    @Override
    public void start() {
        lifecycle.lock();
        try {
            if (closed) {
                throw new JobQueueException("this scheduler is closed; build a new JobQueue");
            }
            if (firing != null) {
                return;
            }
            firing = threads.newThread(this::fire);
            firing.start();
            log.info("scheduler: firing due jobs from {} (poll interval {} ms, batch {}, {} through a backlog)",
                    db.description(), settings.pollInterval().toMillis(), settings.batchSize(),
                    handOff.fireThreads() == 1 ? "1 thread" : handOff.fireThreads() + " threads");
            if (settings.pollInterval().compareTo(settings.misfireThreshold()) > 0) {
                // Rows of other processes are seen at the next look only: a first occurrence due before it is late.
                String poll = DurationFormat.format(settings.pollInterval());
                log.warn("scheduler: pollInterval ({}) is longer than misfireThreshold ({}): a recurring job that another "
                        + "process registers or enables (jobq recurring add, another instance of the application) is "
                        + "seen only at this scheduler's next look, up to {} later, and its first occurrence may be "
                        + "judged missed (policy SKIP skips it); set pollInterval to at most misfireThreshold, or "
                        + "misfireThreshold to at least pollInterval", poll,
                        DurationFormat.format(settings.misfireThreshold()), poll);
            }
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public String schedule(JobEnvelope envelope, Instant at) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(at, "at");
        if (!DueRange.holds(at)) {
            // the type escaped, and cut past what the scheduler holds: it is refused before the type's own checks
            throw new IllegalArgumentException("scheduler: job " + envelope.jobId() + " ("
                    + UntrustedText.escape(envelope.type(), MAX_TEXT) + ") is due at " + at + ", " + DueRange.beyond(at)
                    + "; choose an instant from "
                    + DueRange.EARLIEST + " to " + DueRange.LATEST + " (one in the past is due at once)");
        }
        String named = "scheduler: job " + envelope.jobId() + ": ";
        requireFits(named + "type", envelope.type(), "use a shorter job type");
        requireFits(named + "queue", envelope.queue(), "use a shorter queue name");
        requireNoNul(named + "type", envelope.type());
        requireNoNul(named + "queue", envelope.queue());
        String id = database("scheduling job " + envelope.jobId(),
                () -> db.change(tx -> scheduled.insert(tx.dsl(), envelope, at, clock.instant())));
        alarm.ringIfBefore(at.minus(FiringLoop.LEAD));
        return id;
    }

    @Override
    public boolean cancel(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        if (namesNone(jobId)) {
            return false;
        }
        try {
            if (handOff.handedOnUnmarked(jobId)) {
                // Handed on by this process in a batch whose commit then failed (the database restarted, the session
                // ended): the job is on its queue though its row still says scheduled, so it is too late to cancel.
                // The row is marked as the next pass would mark it; cancelling it answered true, status CANCELLED,
                // and the job ran all the same. The id stays remembered: in an application's transaction that rolls
                // back, the next pass that claims the row marks it without handing it on again.
                db.change(tx -> {
                    scheduled.markHandedOn(tx.dsl(), List.of(jobId), clock.instant());
                    return null;
                });
                return false;
            }
            return scheduled.cancel(db.dsl(), jobId, clock.instant());
        } catch (DataAccessException e) {
            throw db.cancelFailure(jobId, e);
        }
    }

    @Override
    public Optional<String> jobHoldingKey(String queue, String deduplicationKey) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(deduplicationKey, "deduplicationKey");
        try {
            return scheduled.holding(db.dsl(), queue, deduplicationKey);
        } catch (DataAccessException e) {
            throw db.failure("looking up deduplication key " + shownKey(deduplicationKey), e);
        }
    }

    /**
     * A deduplication key as a failure names it: quoted, its control characters escaped, a long one cut after
     * {@value #KEY_PREVIEW_CHARS} characters with its length, as enqueue's refusals name it. A dead job's key came
     * from its message: a newline in it started a line of its own in the log, and 10,000 characters were repeated.
     */
    private static String shownKey(String key) {
        return UntrustedText.singleQuote(key, KEY_PREVIEW_CHARS);
    }

    /**
     * A job id a caller passed (any string: {@code jobq schedule cancel <id>} takes what was typed) as a failure names
     * it: its control characters escaped, a long one cut; a newline in it started a line of its own in the log.
     */
    static String shownId(String jobId) {
        return UntrustedText.escape(jobId, MAX_TEXT);
    }

    /**
     * Whether {@code idOrName}, which a caller passed, holds a NUL character, and so names no stored job: ids are
     * jobq's own, and a name with one is refused at registration. A look-up or change by it is answered as for an
     * unknown one without asking the database: PostgreSQL refused the statement ("invalid byte sequence for encoding
     * UTF8: 0x00"), thrown where H2 answered unknown, and in an application's transaction the call joined that
     * transaction was aborted with it.
     */
    private static boolean namesNone(String idOrName) {
        return idOrName.indexOf('\u0000') >= 0;
    }

    @Override
    public Optional<ScheduledJobInfo.Status> status(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        if (namesNone(jobId)) {
            return Optional.empty();
        }
        Optional<ScheduledJobInfo.Status> stored = database("looking up job " + shownId(jobId),
                () -> scheduled.status(db.dsl(), jobId));
        // Handed on by this process in a batch whose commit then failed: on its queue, its row not yet marked. It said
        // SCHEDULED while a cancel here answered false, too late (see cancel).
        if (stored.equals(Optional.of(ScheduledJobInfo.Status.SCHEDULED)) && handOff.handedOnUnmarked(jobId)) {
            return Optional.of(ScheduledJobInfo.Status.ENQUEUED);
        }
        return stored;
    }

    @Override
    public Optional<String> firingProblem() {
        return loop.problem();
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        if (namesNone(jobId)) {
            return Optional.empty();
        }
        // As status: a job this process handed on in a batch whose commit failed is no longer held, but on its queue.
        return database("looking up job " + shownId(jobId), () -> scheduled.held(db.dsl(), jobId, clock.instant()))
                .filter(held -> !handOff.handedOnUnmarked(jobId));
    }

    @Override
    public List<ScheduledJobInfo> listScheduled(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("listScheduled(limit): limit must be ≥ 1, got " + limit
                    + "; pass how many of the earliest waiting jobs to list");
        }
        // As status: jobs this process handed on in a batch whose commit failed are on their queue, not waiting; read
        // past them so that the list still holds up to limit of those waiting (no more read when there are none).
        int handedOn = handOff.handedOnUnmarkedCount();
        int read = (int) Math.min((long) limit + handedOn, Integer.MAX_VALUE);
        List<ScheduledJobInfo> listed = database("listing scheduled jobs",
                () -> scheduled.listScheduled(db.dsl(), read, clock.instant()));
        if (handedOn == 0) {
            return listed;
        }
        return listed.stream().filter(job -> !handOff.handedOnUnmarked(job.id())).limit(limit).toList();
    }

    @Override
    public RecurringJobInfo registerRecurring(RecurringJob definition, String payloadJson) {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(payloadJson, "payloadJson");
        Schedule schedule = check(definition, parser);
        JobqRecurringJobRecord row = changingRecurring("registering", definition.name(), "register", () -> {
            try {
                return db.change(tx -> recurring.upsert(tx.dsl(), definition, payloadJson, schedule, clock.instant()));
            } catch (IntegrityConstraintViolationException firstRegistrationRace) {
                // Another process inserted the same name at the same moment: now it is an update.
                return db.change(tx -> recurring.upsert(tx.dsl(), definition, payloadJson, schedule, clock.instant()));
            }
        });
        if (row.getEnabled()) {
            alarm.ringIfBefore(row.getDueAt());
        }
        return recurring.info(row);
    }

    @Override
    public boolean setRecurringEnabled(String name, boolean enabled) {
        Objects.requireNonNull(name, "name");
        if (namesNone(name)) {
            return false;
        }
        Optional<JobqRecurringJobRecord> row = changingRecurring(enabled ? "enabling" : "disabling", name,
                enabled ? "enable" : "disable", () -> db.change(tx -> {
                    Optional<JobqRecurringJobRecord> stored = recurring.find(tx.dsl(), name);
                    if (stored.isEmpty()) {
                        return Optional.<JobqRecurringJobRecord>empty();
                    }
                    // Disabling needs no schedule: a job this runtime cannot read can still be stopped.
                    @Nullable Schedule schedule = enabled ? parser.parse(name, stored.get().getSchedule(),
                            RecurringJobs.zone(stored.get())) : null;
                    return recurring.setEnabled(tx.dsl(), name, enabled, schedule, clock.instant());
                }));
        row.filter(JobqRecurringJobRecord::getEnabled).ifPresent(r -> alarm.ringIfBefore(r.getDueAt()));
        return row.isPresent();
    }

    @Override
    public boolean deleteRecurring(String name) {
        Objects.requireNonNull(name, "name");
        if (namesNone(name)) {
            return false;
        }
        return changingRecurring("deleting", name, "delete", () -> recurring.delete(db.dsl(), name));
    }

    @Override
    public Optional<RecurringJobInfo> getRecurring(String name) {
        Objects.requireNonNull(name, "name");
        if (namesNone(name)) {
            return Optional.empty();
        }
        try {
            return recurring.find(db.dsl(), name).map(recurring::info);
        } catch (DataAccessException e) {
            throw db.failure("reading " + RecurringJobs.named(name), e);
        }
    }

    @Override
    public List<RecurringJobInfo> listRecurring() {
        return database("listing recurring jobs", () -> recurring.list(db.dsl()));
    }

    /**
     * Hands on everything due now on the calling thread (and its helpers, through a backlog, see
     * {@link HandOff}); returns how many jobs went to the sink.
     */
    int fireDue() {
        long before = handOff.submitted();
        database("handing on due jobs", handOff::drain);
        return Math.toIntExact(handOff.submitted() - before);
    }

    /** One pass of the firing loop on the calling thread, for a scheduler not started; returns when it would wake next. */
    Instant passNow() {
        return loop.pass();
    }

    /** Purges old enqueued and cancelled rows now, on the calling thread; returns how many. */
    int purgeNow() {
        return database("purging old jobs", () -> loop.purge(clock.instant()));
    }

    Database database() {
        return db;
    }

    @Override
    public void stopFiring() {
        loop.stop();
        handOff.stop();
    }

    @Override
    public void close() {
        Thread thread;
        boolean second;
        boolean inOwnHandOff;
        @Nullable Thread firstInHandOffOn;
        lifecycle.lock();
        try {
            thread = firing;
            second = closed;
            firstInHandOffOn = closedInHandOffOn;
            closed = true;
            // or on a helper's, whose batch the firing thread waits for
            inOwnHandOff = thread == Thread.currentThread()
                    || (thread != null && handOff.isHelper(Thread.currentThread()));
            if (!second) {
                closedInHandOffOn = inOwnHandOff ? Thread.currentThread() : null;
            }
        } finally {
            lifecycle.unlock();
        }
        if (second) {
            if (!inOwnHandOff) {
                awaitFirstClose(thread, firstInHandOffOn);
            }
            return;
        }
        stopFiring();
        if (inOwnHandOff) {
            // Called in a hand-off of the firing thread's own or a helper's (a JobSink of the application's that
            // closes the queue): it waited for itself, then closed the pool under its own batch, whose commit failed
            // and whose jobs the next scheduler handed on again. The loop ends after the batches in hand and closes
            // the rest then (fire()).
            return;
        }
        // The caller's interrupt (a thread that caught an InterruptedException and closes in a finally block) stays
        // the caller's, set again on return: with it set, the waits below gave up at once, and the pool was closed
        // under the batch in hand (on PostgreSQL its jobs handed on went again at the next start), the firing thread
        // still running.
        boolean interrupted = Thread.interrupted();
        try {
            if (thread != null) {
                interrupted |= awaitFiringThread(thread);
            }
        } finally {
            closeHelpersAndPool(interrupted);
        }
    }

    /** The firing thread's work: the loop, then the rest of a close() called on this thread, after its last batch. */
    private void fire() {
        try {
            loop.run();
        } finally {
            boolean closing;
            lifecycle.lock();
            try {
                closing = closedInHandOffOn != null;
            } finally {
                lifecycle.unlock();
            }
            if (closing) {
                closeHelpersAndPool(Thread.interrupted());
            }
        }
    }

    /** Ends the helper threads, closes the pool and the alarm; sets the interrupt again if one came, or came before. */
    private void closeHelpersAndPool(boolean interrupted) {
        try {
            interrupted |= handOff.close(CLOSE_TIMEOUT);
            db.close();
            alarm.close();
        } finally {
            closeEnded.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A second close() (a shutdown hook beside the application's own) waits for the first to end, as JobQueue.close()'s
     * does: returning at once let its caller close what the firing thread's batch still used while the first waited
     * for it. Bounded by the first's waits (10 s for the firing thread, 10 s once interrupted, 10 s for the helpers)
     * and as long again for the pool; an interrupt does not end it and is set again on return. Not on the firing
     * thread or a helper: the first waits for that thread. Given up, it says so: it returned without a word, the firing
     * thread still in the batch of a first close() called in its hand-off, which nothing interrupts, and the pool open.
     * It names the thread of that hand-off: it named the firing thread when it was a helper's, whose batch the firing
     * thread waits for.
     */
    private void awaitFirstClose(@Nullable Thread thread, @Nullable Thread firstInHandOffOn) {
        boolean interrupted = false;
        Duration bound = CLOSE_TIMEOUT.multipliedBy(4);
        long deadline = System.nanoTime() + bound.toNanos();
        for (long left = bound.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            try {
                if (closeEnded.await(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (closeEnded.getCount() > 0) {
            // escaped, as awaitFiringThread names it: the name comes from the application's ThreadFactory
            String why = firstInHandOffOn != null
                    ? "that one was called in a hand-off (a job sink that closes the scheduler) on "
                    + (firstInHandOffOn == thread ? "the firing thread" : "a thread helping through a backlog") + " ("
                    + UntrustedText.escape(firstInHandOffOn.getName()) + "), still in its batch, after which the firing "
                    + "thread closes the pool; if the process exits first, the batch rolls back and the next scheduler "
                    + "hands its jobs on again. Give the sink's calls a timeout"
                    : "its waits for the firing thread and the helpers, then closing the pool, took longer";
            log.warn("scheduler: the close() called before this one did not end within {} s; this one returns without "
                    + "it: {}", bound.toSeconds(), why);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Lets the firing thread finish its batch, for up to {@link #CLOSE_TIMEOUT}, then interrupts it and waits as long
     * again. An interrupt meanwhile cuts the first wait short, as {@code ExecutorService.close()} stops its tasks: the
     * thread is interrupted at once (its batch rolls back) and still waited for. Returns whether one came.
     */
    private static boolean awaitFiringThread(Thread thread) {
        boolean interrupted = false;
        try {
            thread.join(CLOSE_TIMEOUT);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (!thread.isAlive()) {
            return interrupted;
        }
        if (!interrupted) {
            log.warn("scheduler: the firing thread did not finish its batch within {} s; interrupting it (its "
                    + "rows stay due and are handed on by the next scheduler)", CLOSE_TIMEOUT.toSeconds());
        }
        thread.interrupt();
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        for (long left = CLOSE_TIMEOUT.toNanos(); left > 0 && thread.isAlive(); left = deadline - System.nanoTime()) {
            try {
                thread.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (thread.isAlive()) {
            // As HandOff.close says of a helper: close() gave up on it, and a user saw nothing of that.
            log.warn("scheduler: the firing thread ({}) did not end within {} s of its interrupt (a hand-off deaf to "
                    + "interrupts: a provider's or job sink's call that hangs); close() goes on without it and closes "
                    + "the pool under its batch, whose jobs handed on may be handed on again by the next scheduler; "
                    + "give the provider a timeout on its calls", UntrustedText.escape(thread.getName()),
                    CLOSE_TIMEOUT.toSeconds());
        }
        return interrupted;
    }

    /**
     * What {@link #registerRecurring} refuses before it reaches the database (the name, type and schedule text
     * too long for their columns, a NUL in them, a schedule that does not parse); the schedule read.
     *
     * @throws IllegalArgumentException naming the job, the value and the fix
     */
    static Schedule check(RecurringJob definition, ScheduleParser parser) {
        if (definition.name().length() > MAX_TEXT) {
            // named by its start, escaped: repeated whole, 10,000 characters went into the message, a newline too
            throw new IllegalArgumentException("recurring job '" + UntrustedText.escape(definition.name(), 60)
                    + "': the name is " + definition.name().length() + " characters long, longer than the " + MAX_TEXT
                    + " the scheduler holds; choose a shorter name");
        }
        String named = RecurringJobs.named(definition.name()) + ": ";
        requireFits(named + "type", definition.type(), "use a shorter job type");
        requireNoNul(named + "name", definition.name());
        requireNoNul(named + "type", definition.type());
        Schedule schedule = parser.parse(definition.name(), definition.schedule(), definition.timezone());
        requireFits(named + "schedule", definition.schedule().strip(), "shorten it with ranges and steps, "
                + "such as '*/5' or '0-30/5' for a list of minutes 5 apart");
        return schedule;
    }

    /**
     * Refuses a text longer than its column holds ({@value #MAX_TEXT} characters: VARCHAR(255) in the
     * schema, counted in UTF-16 units as H2 counts them), before anything is written: the database's own
     * refusal was an SQL error, and on PostgreSQL named no column.
     */
    private static void requireFits(String what, String value, String fix) {
        if (value.length() > MAX_TEXT) {
            // its start escaped and not cut inside an emoji, as the runtime's refusal of a long type shows it
            throw new IllegalArgumentException(what + " '" + UntrustedText.escape(value, 60) + "' is " + value.length()
                    + " characters long, longer than the " + MAX_TEXT + " the scheduler holds; " + fix);
        }
    }

    /**
     * Refuses a text holding a NUL character, before anything is written: PostgreSQL's text cannot store one, and
     * its refusal ("invalid byte sequence for encoding UTF8: 0x00") named neither the field nor the value. Refused on
     * H2 too, so that code tested there does not fail on PostgreSQL. The message shows each NUL, and each other control
     * character, as its Java escape.
     */
    private static void requireNoNul(String what, String value) {
        if (value.indexOf('\u0000') >= 0) {
            // the value's control characters escaped (a newline started a line of its own), and a NUL anywhere,
            // as in a recurring job's name that what repeats
            throw new IllegalArgumentException((what + " '" + UntrustedText.escape(value) + "' holds a NUL character "
                    + "(U+0000), which the scheduler's database cannot store; remove it").replace("\u0000", "\\u0000"));
        }
    }

    /**
     * As {@link #database}, for a change to the row of the recurring job {@code name}, which a hand-off of its
     * occurrence may hold; a failure names the job as {@code doing} it, the name escaped only then.
     */
    private <T> T changingRecurring(String doing, String name, String verb, Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessException e) {
            throw db.recurringChangeFailure(doing + " " + RecurringJobs.named(name), verb, e);
        }
    }

    private <T> T database(String action, Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessException e) {
            throw db.failure(action, e);
        }
    }
}
