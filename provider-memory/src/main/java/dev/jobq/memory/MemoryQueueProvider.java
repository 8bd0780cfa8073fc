package dev.jobq.memory;

import dev.jobq.DeadLetter;
import dev.jobq.DeadLetters;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.JobState;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.UntrustedText;
import dev.jobq.testing.SettableClock;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory queue. One lock guards everything; receivers wait on one condition that enqueue,
 * release, a moved {@link SettableClock} and {@link #close()} signal, and otherwise sleep exactly
 * until the earliest delayed job or lease comes due by the injected clock (on a SettableClock, until
 * it moves), so there is no polling.
 *
 * <p>Ready jobs sit in a {@link ReadyQueue}, polled by (priority, sequence); delayed jobs and leased
 * deliveries share a heap ordered by the instant they next change (visible, or lease over). Times
 * are epoch nanoseconds of the injected clock, saturating, so a delay of any length never overflows.
 */
final class MemoryQueueProvider implements QueueProvider {

    private static final Logger log = LoggerFactory.getLogger(MemoryQueueProvider.class);

    private static final Comparator<Entry> BY_DUE = (a, b) -> a.dueAt != b.dueAt
            ? Long.compare(a.dueAt, b.dueAt) : Long.compare(a.sequence, b.sequence);

    /** Tries of the lock before a thread queues for it, see {@link #lockQuickly()}. */
    private static final int LOCK_TRIES = 24;
    /** The pause after the first try, in spin-wait hints (about 20 ns each on this project's machines). */
    private static final int FIRST_BACKOFF_SPINS = 512;
    /** The longest pause between two tries, in spin-wait hints. */
    private static final int MAX_BACKOFF_SPINS = 1024;
    /** The live maps are made afresh when they hold at most this many jobs ... */
    private static final int SMALL_MAPS = 16;
    /** ... and more than this many jobs were enqueued since they were last made: they may have grown as far. */
    private static final long SHRINK_AFTER = 4096;
    /** The longest job type a line repeats whole: what the scheduler's column holds, as enqueue refuses longer. */
    private static final int TYPE_SHOWN = 255;

    /**
     * The queue's name {@linkplain UntrustedText#escape escaped}, for the lines about no one job: a name may hold a
     * U+202E, which said raw reversed the rest of the line.
     */
    private final String queueName;
    private final InstantSource clock;
    private final MemoryLimits limits;
    private final long leaseNanos;
    private final String leaseExpired;
    private final Capabilities capabilities;
    private final DeadLetters deadLetterView = new DeadLetterView();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private final ReadyQueue ready = new ReadyQueue();
    private final EntryHeap timed = new EntryHeap(BY_DUE);
    // A HashMap keeps the table of the most it held: these two are made afresh after a backlog, see shrinkLiveMaps().
    private Map<String, Entry> live = new HashMap<>();
    private Map<String, Entry> byDeduplicationKey = new HashMap<>();
    /** The sequence when live and byDeduplicationKey were last made. */
    private long liveMapsMadeAt;
    private final LinkedHashMap<String, Entry> dead = new LinkedHashMap<>();
    private final LinkedHashMap<String, Entry> completed = new LinkedHashMap<>();
    private long sequence;
    private long leaseCounter;
    private int activeCount;
    private boolean closed;
    /** Whether the clock was found beyond the years this queue times by, see {@link #heldStill}. */
    private boolean warnedOfClock;
    /** What this queue registered on a {@link SettableClock}, taken out at close(); null on other clocks. */
    private final @Nullable Runnable clockListener;

    MemoryQueueProvider(String queueName, InstantSource clock, MemoryLimits limits) {
        this.queueName = UntrustedText.escape(Objects.requireNonNull(queueName, "queueName"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.leaseNanos = EpochNanos.nanos(limits.leaseDuration());
        this.leaseExpired = "lease of " + DurationFormat.format(limits.leaseDuration())
                + " ended before the delivery was settled (worker stopped or stalled)";
        this.capabilities = new Capabilities(Capabilities.UNLIMITED_DELAY, limits.maxPayloadBytes(),
                EnumSet.of(Feature.PRIORITY, Feature.DEDUPLICATION, Feature.JOB_LOOKUP, Feature.DEAD_LETTER_STORE,
                        Feature.LOCAL_RECEIVE, Feature.SETTLE_DETECTS_LOST_LEASE));
        if (clock instanceof SettableClock settable) {
            // Receivers wait in real time for a due time on this clock; a test moving it must wake them.
            // Weakly, so that a clock shared by many short-lived providers does not keep them alive.
            var self = new WeakReference<>(this);
            Runnable wake = () -> {
                MemoryQueueProvider provider = self.get();
                if (provider != null) {
                    provider.wakeAllReceivers();
                }
            };
            settable.onChange(wake);
            clockListener = wake;
        } else {
            clockListener = null;
        }
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be ≥ 0, got " + delay + " for job " + idOf(envelope));
        }
        checkPayloadSize(envelope);
        String key = envelope.options().deduplicationKey();
        lockQuickly();
        try {
            if (closed) {
                throw new JobQueueException("memory queue " + queueOf(envelope) + " is closed; job " + idOf(envelope)
                        + " of type " + typeOf(envelope) + " was not enqueued");
            }
            Entry existing = live.get(envelope.jobId());
            if (existing == null && key != null) {
                existing = byDeduplicationKey.get(key);
            }
            if (existing != null) {
                return EnqueueResult.duplicateOf(existing.jobId());
            }
            long now = now();
            long dueAt = delay.isZero() ? now : EpochNanos.plus(now, delay);
            var entry = new Entry(envelope, ++sequence, now, Entry.State.WAITING);
            live.put(envelope.jobId(), entry);
            if (key != null) {
                byDeduplicationKey.put(key, entry);
            }
            if (dueAt <= now) {
                makeReady(entry);
            } else {
                delayUntil(entry, dueAt);
            }
            return EnqueueResult.accepted(envelope.jobId());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ReceivedJob> receive(int max, Duration wait) {
        requireAtLeastOne(max);
        Objects.requireNonNull(wait, "wait");
        long deadline = EpochNanos.plus(System.nanoTime(), Math.max(0, EpochNanos.nanos(wait)));
        lockQuickly();
        try {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                long now = now();
                promoteDue(now);
                if (!ready.isEmpty()) {
                    return lease(max, now);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                Entry next = timed.peek();
                // Long.MAX_VALUE is "never": a clock held at the edge of the years covered (heldStill) is 1 ns short
                // of it, and a clock set back before 1970 is further from it than a long holds. A SettableClock
                // moves only when set, which wakes this wait (clockListener): a due time on it comes no nearer in
                // real time, and one a few nanoseconds off made this loop spin until the clock moved.
                long untilDue = next == null || next.dueAt == Long.MAX_VALUE || clockListener != null
                        ? Long.MAX_VALUE : EpochNanos.minus(next.dueAt, now);
                try {
                    changed.awaitNanos(Math.min(remaining, Math.max(1, untilDue)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return List.of();
        } finally {
            if (!ready.isEmpty()) {
                // Enqueue signals one receiver per job; pass a wake-up on to the next one if jobs remain.
                changed.signal();
            }
            lock.unlock();
        }
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        lockQuickly();
        try {
            acknowledgeLocked(job, now());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Both under one hold of the lock: on a backlog a handler thread then takes the lock once per job
     * instead of twice, and the queue's state moves between cores half as often.
     */
    @Override
    public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
        requireAtLeastOne(max);
        lockQuickly();
        try {
            long now = now();
            acknowledgeLocked(job, now); // it promoted the due jobs
            if (closed) {
                return List.of();
            }
            return ready.isEmpty() ? List.of() : lease(max, now);
        } finally {
            if (!ready.isEmpty()) {
                changed.signal();
            }
            lock.unlock();
        }
    }

    private static void requireAtLeastOne(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be ≥ 1, got " + max);
        }
    }

    private void acknowledgeLocked(ReceivedJob job, long now) {
        Entry entry = currentDelivery(job, now);
        if (entry == null) {
            throw leaseLost(job, "acknowledged");
        }
        removeLive(entry);
        entry.state = Entry.State.COMPLETED;
        entry.updatedAt = now;
        if (limits.maxHistorySize() > 0) {
            // Newest last: a job id completed before (enqueued again since) moves to the end.
            if (completed.putIfAbsent(entry.jobId(), entry) != null) {
                completed.remove(entry.jobId());
                completed.put(entry.jobId(), entry);
            }
            while (completed.size() > limits.maxHistorySize()) {
                completed.pollFirstEntry();
            }
        }
    }

    @Override
    public void fail(ReceivedJob job, Failure failure) {
        Objects.requireNonNull(failure, "failure");
        lockQuickly();
        try {
            long now = now();
            Entry entry = currentDelivery(job, now);
            if (entry == null) {
                throw leaseLost(job, failure instanceof Failure.Dead ? "dead-lettered" : "retried");
            }
            entry.lastError = failure.error();
            entry.updatedAt = now;
            switch (failure) {
                case Failure.RetryAfter retry -> {
                    timed.remove(entry);
                    activeCount--;
                    if (retry.delay().isZero()) {
                        makeReady(entry);
                    } else {
                        delayUntil(entry, EpochNanos.plus(now, retry.delay()));
                    }
                }
                case Failure.Dead ignored -> bury(entry);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void extendLease(ReceivedJob job, Duration extension) {
        Objects.requireNonNull(extension, "extension");
        if (extension.isNegative()) {
            throw new IllegalArgumentException("lease extension must be ≥ 0, got " + extension);
        }
        lockQuickly();
        try {
            long now = now();
            Entry entry = currentDelivery(job, now);
            if (entry == null) {
                throw leaseLost(job, "extended");
            }
            entry.dueAt = EpochNanos.plus(now, extension);
            timed.update(entry);
            if (timed.peek() == entry) {
                wakeAllLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(ReceivedJob job) {
        lockQuickly();
        try {
            long now = now();
            Entry entry = currentDelivery(job, now);
            if (entry == null) {
                return;
            }
            timed.remove(entry);
            activeCount--;
            entry.deliveries--;
            entry.updatedAt = now;
            makeReady(entry);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<String> jobHoldingKey(String deduplicationKey) {
        Objects.requireNonNull(deduplicationKey, "deduplicationKey");
        lockQuickly();
        try {
            return Optional.ofNullable(byDeduplicationKey.get(deduplicationKey)).map(Entry::jobId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        lockQuickly();
        try {
            promoteDueUnlessClosed();
            Entry entry = live.get(jobId);
            if (entry == null) {
                // An id may have died and, enqueued again, completed since, or the other way round: the later run.
                Entry deadOne = dead.get(jobId);
                Entry completedOne = completed.get(jobId);
                entry = deadOne == null || (completedOne != null && completedOne.sequence > deadOne.sequence)
                        ? completedOne : deadOne;
            }
            return entry == null ? Optional.empty() : Optional.of(info(entry));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ProviderStats stats() {
        lockQuickly();
        try {
            promoteDueUnlessClosed();
            return new ProviderStats(ready.size(), timed.size() - activeCount, activeCount, dead.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return Optional.of(deadLetterView);
    }

    /**
     * Closes the queue. Its unfinished jobs end with it: a memory queue keeps them in this process
     * only, so closing one that still holds jobs (waiting, delayed, or released by a worker that
     * stopped) says how many are dropped, rather than letting a job released "for redelivery" or
     * handed on by a scheduler vanish without a word.
     */
    @Override
    public void close() {
        lockQuickly();
        try {
            if (!closed) {
                warnOfDroppedJobs(now());
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (clockListener != null && clock instanceof SettableClock settable) {
            settable.removeOnChange(clockListener);
        }
    }

    private void warnOfDroppedJobs(long now) {
        promoteDue(now);
        int waiting = ready.size();
        int delayed = timed.size() - activeCount;
        if (waiting + delayed + activeCount == 0) {
            return;
        }
        log.warn("memory queue '{}' closed with {} unfinished job(s) ({} waiting, {} delayed, {} leased); they are "
                + "dropped: a memory queue keeps jobs in this process only. Use a durable provider such as sqs to "
                + "keep jobs across a stop or restart", queueName, waiting + delayed + activeCount, waiting, delayed,
                activeCount);
    }

    @Override
    public String toString() {
        return "MemoryQueueProvider[queue=" + queueName + "]";
    }

    private void checkPayloadSize(JobEnvelope envelope) {
        String payload = envelope.payloadJson();
        int limit = limits.maxPayloadBytes();
        // A char is at most 3 UTF-8 bytes and a surrogate pair 4 for 2 chars: most payloads need no count.
        if ((long) payload.length() * 3 <= limit) {
            return;
        }
        long size = utf8Length(payload);
        if (size > limit) {
            // The queue the job was enqueued to, not queueName: a provider built alone is named "default" unless its
            // builder was told otherwise, and given to JobQueue.builder().queue("reports", …) it named 'default'.
            throw new JobRejectedException("job " + idOf(envelope) + " of type " + typeOf(envelope)
                    + " has a payload of " + size + " bytes, over the limit of " + limit + " bytes of memory queue "
                    + UntrustedText.singleQuote(envelope.queue(), JobOptions.MAX_QUEUE_NAME)
                    + "; raise maxPayloadBytes in its provider"
                    + " section, or store the data elsewhere and enqueue a reference to it");
        }
    }

    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1; // a lone surrogate: String.getBytes(UTF_8) writes '?', as the core counts it
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Why {@code job}'s delivery cannot be {@code what} (acknowledged, extended, ...): another delivery holds it. */
    private LeaseLostException leaseLost(ReceivedJob job, String what) {
        return new LeaseLostException("the lease of job " + idOf(job.envelope()) + " (attempt " + job.attempt()
                + ") on memory queue " + queueOf(job.envelope()) + " is no longer held, so it was not " + what
                + ": it ran out, or the delivery was settled or released, and the job may be running again");
    }

    /**
     * The queue a job was enqueued to, quoted, for the lines about that job: queueName is "default" for a provider
     * built alone unless its builder was told otherwise, and given to JobQueue.builder().queue("reports", …) a job's
     * dead letter dropped, its lease lost or its enqueue after close was said of queue 'default', and the drop pointed
     * to jobs.deadLetters("default"). Lines about no one job (close, the clock, list's limit) keep queueName.
     */
    private static String queueOf(JobEnvelope envelope) {
        return UntrustedText.singleQuote(envelope.queue(), JobOptions.MAX_QUEUE_NAME);
    }

    /**
     * A job's type, quoted and escaped, for the lines about that job: enqueue refuses a control character in it, but a
     * row the scheduler stored before is handed on as it is, and a newline in it started a forged line of the WARN of
     * its dead letter dropped. Cut after the 255 characters the scheduler holds.
     */
    private static String typeOf(JobEnvelope envelope) {
        return UntrustedText.singleQuote(envelope.type(), TYPE_SHOWN);
    }

    /**
     * A job's id, escaped, for the lines about that job: jobq makes ids without control characters, but a scheduler
     * row's id changed by hand is handed on as it is, and a newline in it started a forged line of the WARN of its dead
     * letter dropped, of the worker's WARN repeating its lost lease, and of what repeats a refusal of its enqueue (the
     * scheduler's hand-off).
     */
    private static String idOf(JobEnvelope envelope) {
        return UntrustedText.escape(envelope.jobId());
    }

    /**
     * {@code queue} as a Java string literal, for advice to paste into code ({@code jobs.deadLetters("…")}): its
     * backslashes and double quotes escaped, as a name may hold any character ({@code re"ports} was advised as
     * {@code jobs.deadLetters("re"ports")}, which does not compile), then its control characters.
     */
    private static String javaString(String queue) {
        String literal = queue.replace("\\", "\\\\").replace("\"", "\\\"");
        return "\"" + UntrustedText.escape(literal, 2 * JobOptions.MAX_QUEUE_NAME) + "\"";
    }

    /** The entry whose current delivery {@code job} is, or null when that delivery is stale. */
    private @Nullable Entry currentDelivery(ReceivedJob job, long now) {
        Objects.requireNonNull(job, "job");
        // An expired lease must be taken back before settling, so that a late settle is stale.
        promoteDue(now);
        Entry entry = live.get(job.jobId());
        if (entry == null || entry.state != Entry.State.ACTIVE) {
            return null;
        }
        long token;
        try {
            token = Long.parseLong(job.receipt());
        } catch (NumberFormatException notOurs) {
            return null;
        }
        return entry.lease == token ? entry : null;
    }

    private List<ReceivedJob> lease(int max, long now) {
        int count = Math.min(max, ready.size());
        long leaseEnd = EpochNanos.plus(now, leaseNanos);
        Entry earliest = timed.peek();
        List<ReceivedJob> leased;
        if (count == 1) {
            // A handler thread taking its next job: no list to grow.
            leased = List.of(leaseNext(now, leaseEnd));
        } else {
            leased = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                leased.add(leaseNext(now, leaseEnd));
            }
        }
        if (timed.peek() != earliest && lock.hasWaiters(changed)) {
            // Receivers sleep until the previous earliest due time; these leases end before it.
            wakeAllLocked();
        }
        return leased;
    }

    private ReceivedJob leaseNext(long now, long leaseEnd) {
        Entry entry = ready.poll();
        assert entry != null;
        entry.state = Entry.State.ACTIVE;
        entry.deliveries++;
        entry.lease = ++leaseCounter;
        entry.dueAt = leaseEnd;
        entry.updatedAt = now;
        timed.add(entry);
        activeCount++;
        return new ReceivedJob(entry.envelope, entry.attempts(), Long.toString(entry.lease), limits.leaseDuration());
    }

    /** Makes delayed jobs whose time has come visible and takes back deliveries whose lease ended. */
    private void promoteDue(long now) {
        boolean moved = false;
        for (Entry next = timed.peek(); next != null && next.dueAt <= now; next = timed.peek()) {
            timed.poll();
            if (next.state == Entry.State.ACTIVE) {
                activeCount--;
                next.lastError = leaseExpired;
            }
            next.updatedAt = now;
            next.state = Entry.State.WAITING;
            ready.add(next);
            moved = true;
        }
        if (moved) {
            changed.signal();
        }
    }

    /**
     * For the look-ups: a closed queue's jobs stay as it held them when it closed (JobQueue.stats), since no receive
     * takes them any more; a delayed job is not "waiting", nor a leased one's lease over, because time passed since.
     */
    private void promoteDueUnlessClosed() {
        if (!closed) {
            promoteDue(now());
        }
    }

    private void makeReady(Entry entry) {
        entry.state = Entry.State.WAITING;
        ready.add(entry);
        changed.signal();
    }

    private void delayUntil(Entry entry, long dueAt) {
        entry.state = Entry.State.DELAYED;
        entry.dueAt = dueAt;
        timed.add(entry);
        if (timed.peek() == entry) {
            // Receivers sleep until the previous earliest due time; this one is earlier.
            wakeAllLocked();
        }
    }

    /**
     * Dead letters are kept by job id: a job id dead-lettered again (handed on again by the scheduler after a crash
     * between the hand-off and its commit, once its first copy had died) keeps the newer, the job's latest state, and
     * the older one's error is said in a WARN, as a dead letter dropped beyond maxDeadLetters is: it was replaced
     * silently, beside the two Dead events the worker announced.
     */
    private void bury(Entry entry) {
        removeLive(entry);
        entry.state = Entry.State.DEAD;
        Entry older = dead.remove(entry.jobId());
        if (older != null) {
            log.warn("memory queue {}: job {} of type {} was dead-lettered again (enqueued again under its id "
                            + "after it died); its earlier dead letter, of {} after {} attempt(s): {}, is replaced by "
                            + "this one", queueOf(entry.envelope), idOf(entry.envelope), typeOf(entry.envelope),
                    EpochNanos.toInstant(older.updatedAt), older.attempts(), older.lastError);
        }
        dead.put(entry.jobId(), entry);
        if (limits.maxDeadLetters() == 0) {
            dead.remove(entry.jobId());
            log.warn("memory queue {} keeps no dead letters (maxDeadLetters: 0); dropped job {} of type {} ({}). "
                            + "To keep them, raise maxDeadLetters in its provider section", queueOf(entry.envelope),
                    idOf(entry.envelope), typeOf(entry.envelope), entry.lastError);
        }
        while (dead.size() > limits.maxDeadLetters()) {
            Entry dropped = dead.pollFirstEntry().getValue();
            log.warn("memory queue {} keeps at most {} dead letters (maxDeadLetters); dropped the oldest: job {}"
                            + " of type {} ({}). To keep more, raise maxDeadLetters in its provider section, or "
                            + "redrive or delete dead letters as they come (jobs.deadLetters({}))",
                    queueOf(dropped.envelope), limits.maxDeadLetters(), idOf(dropped.envelope),
                    typeOf(dropped.envelope), dropped.lastError, javaString(dropped.envelope.queue()));
        }
    }

    /** Takes an active entry out of the live structures. */
    private void removeLive(Entry entry) {
        timed.remove(entry);
        activeCount--;
        live.remove(entry.jobId(), entry);
        String key = entry.envelope.options().deduplicationKey();
        if (key != null) {
            byDeduplicationKey.remove(key, entry);
        }
        if (live.size() <= SMALL_MAPS && sequence - liveMapsMadeAt > SHRINK_AFTER) {
            shrinkLiveMaps();
        }
    }

    /**
     * Copies the few live jobs into fresh maps, so that a drained backlog of a million jobs does not keep 16 MB of
     * empty tables. At most once per {@link #SHRINK_AFTER} enqueues, of at most {@link #SMALL_MAPS} jobs: a queue
     * that never holds many pays a few small copies, and one draining a backlog one size check per settled job.
     */
    private void shrinkLiveMaps() {
        live = new HashMap<>(live);
        byDeduplicationKey = new HashMap<>(byDeduplicationKey);
        liveMapsMadeAt = sequence;
    }

    private JobInfo info(Entry entry) {
        JobEnvelope envelope = entry.envelope;
        JobState state = switch (entry.state) {
            case WAITING -> JobState.WAITING;
            case DELAYED -> JobState.DELAYED;
            case ACTIVE -> JobState.ACTIVE;
            case COMPLETED -> JobState.COMPLETED;
            case DEAD -> JobState.DEAD;
        };
        // The queue it was enqueued to, as its options say: queueName is "default" for a provider built alone unless
        // its builder was told otherwise, and given to JobQueue.builder().queue("reports", …) getJob said 'default'.
        return new JobInfo(envelope.jobId(), envelope.type(), envelope.queue(), state, entry.attempts(),
                envelope.options(), envelope.payloadJson(), envelope.createdAt(), EpochNanos.toInstant(entry.updatedAt),
                entry.lastError);
    }

    private void wakeAllReceivers() {
        lockQuickly();
        try {
            wakeAllLocked();
        } finally {
            lock.unlock();
        }
    }

    private void wakeAllLocked() {
        changed.signalAll();
    }

    /**
     * Takes the lock, trying it a few times before queueing for it. Every section under it is short
     * (no I/O, no waiting but on the condition), and a handler thread that queues for it parks and
     * unmounts, so its holder's unlock must unpark and reschedule it: queueing costs far more than
     * the section it waits for, and several handler threads settle and take jobs at once.
     *
     * <p>A thread that finds the lock taken backs off before it tries again: {@link #FIRST_BACKOFF_SPINS}
     * spin-wait hints, then twice as long each time up to {@link #MAX_BACKOFF_SPINS} (about 23,000
     * in all before it queues, some 0.5 ms on this project's machines). Trying again at once instead,
     * as it did before, handed the lock from one core to the other at almost every section, and the
     * queue's state with it; backing off lets the thread that holds the lock take it again for its next
     * jobs while that state is still in its core's cache. B1's drain went from about 330,000 to
     * 540,000 jobs/s in alternated forks starting at one hint, and by another 12–19 % starting at 512
     * (docs/benchmarks.md, Phase 8).
     */
    private void lockQuickly() {
        int backoff = FIRST_BACKOFF_SPINS;
        for (int i = 0; i < LOCK_TRIES; i++) {
            if (lock.tryLock()) {
                return;
            }
            for (int spin = 0; spin < backoff; spin++) {
                Thread.onSpinWait();
            }
            backoff = Math.min(backoff << 1, MAX_BACKOFF_SPINS);
        }
        lock.lock();
    }

    private long now() {
        Instant instant = clock.instant();
        try {
            return EpochNanos.of(instant);
        } catch (ArithmeticException outsideRange) {
            return heldStill(instant);
        }
    }

    /**
     * The time of a clock beyond the years {@link EpochNanos} covers (a {@link SettableClock} set centuries ahead): the
     * edge of them, where time stands still. Saturated at {@link Long#MAX_VALUE}, "never", every lease ended at once,
     * so a job ran again and again and none could be acknowledged, and every delayed job came due, however far ahead
     * its due time; held just short of it, no delay or lease that ends later ends, so nothing runs early or twice.
     * Said once per queue, in a WARN.
     */
    private long heldStill(Instant instant) {
        boolean late = instant.getEpochSecond() > 0;
        if (!warnedOfClock) {
            warnedOfClock = true;
            log.warn("memory queue '{}': its clock reads {}, {} {}, the {} instant it times delays and leases by; "
                            + "it holds time still there, so a job delayed meanwhile or due after it waits, and a "
                            + "lease taken meanwhile lasts until its delivery is settled or released. Keep its clock "
                            + "(a SettableClock in a test) between {} and {}", queueName, instant,
                    late ? "after" : "before", late ? EpochNanos.LAST : EpochNanos.FIRST, late ? "last" : "first",
                    EpochNanos.FIRST, EpochNanos.LAST);
        }
        return late ? Long.MAX_VALUE - 1 : Long.MIN_VALUE;
    }

    /** Dead letters of this queue, newest first; redrive puts a job back with a fresh set of attempts. */
    private final class DeadLetterView implements DeadLetters {

        @Override
        public List<DeadLetter> list(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("dead letters of queue '" + queueName + "': list(limit): limit "
                        + "must be ≥ 0, got " + limit + "; pass how many of the newest to list (0 gives none)");
            }
            lockQuickly();
            try {
                var letters = new ArrayList<DeadLetter>(Math.min(limit, dead.size()));
                for (Entry entry : dead.sequencedValues().reversed()) {
                    if (letters.size() == limit) {
                        break;
                    }
                    String error = entry.lastError == null ? "" : entry.lastError;
                    letters.add(new DeadLetter(info(entry), error, entry.attempts(), EpochNanos.toInstant(entry.updatedAt)));
                }
                return letters;
            } finally {
                lock.unlock();
            }
        }

        /**
         * False also when a live job has taken the id, or the deduplication key, since: enqueued now
         * it would be a duplicate of that one. The dead letter then stays. After close() it throws, as
         * enqueue does: a job put back on a closed queue would never run.
         */
        @Override
        public boolean redrive(String jobId) {
            Objects.requireNonNull(jobId, "jobId");
            lockQuickly();
            try {
                if (closed) {
                    throw new JobQueueException("memory queue '" + queueName + "' is closed; the dead letter of job "
                            + UntrustedText.escape(jobId) + " was not redriven and stays in its dead letters");
                }
                Entry entry = dead.get(jobId);
                String key = entry == null ? null : entry.envelope.options().deduplicationKey();
                if (entry == null || live.containsKey(jobId) || (key != null && byDeduplicationKey.containsKey(key))) {
                    return false;
                }
                dead.remove(jobId);
                entry.envelope = entry.envelope.withAttempt(0);
                entry.deliveries = 0;
                entry.sequence = ++sequence;
                entry.updatedAt = now();
                live.put(jobId, entry);
                if (key != null) {
                    byDeduplicationKey.put(key, entry);
                }
                makeReady(entry);
                return true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean delete(String jobId) {
            Objects.requireNonNull(jobId, "jobId");
            lockQuickly();
            try {
                return dead.remove(jobId) != null;
            } finally {
                lock.unlock();
            }
        }
    }
}
