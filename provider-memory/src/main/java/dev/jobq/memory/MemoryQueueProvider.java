package dev.jobq.memory;

import dev.jobq.DeadLetter;
import dev.jobq.DeadLetters;
import dev.jobq.JobInfo;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.JobState;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.SettableClock;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory queue. Its state is split so that two cores draining a backlog do not hand all of it to
 * each other at every job (docs/benchmarks.md, Phase 9):
 *
 * <ul>
 *   <li>the <em>fresh lane</em>: jobs enqueued ready, of one priority, in enqueue order, in a lock-free
 *       FIFO. While nothing else is ready and no delayed job is due, receivers take from it without any
 *       lock; that is a backlog's common case;</li>
 *   <li>the <em>queue lock</em> guards the rest that everyone shares: the ready jobs that are not in the
 *       fresh lane (come back after a retry, a release, an ended lease or a delay, or of another
 *       priority: a {@link ReadyQueue}), the delayed jobs (a heap by due instant), the dead letters and
 *       the duplicate checks. Under it a receiver takes whichever head comes first by (priority,
 *       sequence), the fresh lane's or the rest's, so the order is the one DESIGN §4 gives: lower
 *       priority number first, FIFO within one. Receivers wait on its one condition, which enqueue, a job
 *       made ready again, a moved {@link SettableClock} and {@link #close()} signal; otherwise they sleep
 *       exactly until the earliest delayed job or lease comes due by the injected clock: no polling;</li>
 *   <li>each of a few <em>lease tables</em> (as many as processors, up to {@link #MAX_LEASE_TABLES})
 *       holds under its own lock the deliveries leased through it (a heap by lease end) and the latest
 *       completed jobs. A receiver leases through the table it used last, moving to another only when
 *       that one is taken; a delivery is settled in its own table, which its receipt names. So on a
 *       backlog each core's handler threads keep to their own table.</li>
 * </ul>
 *
 * <p>The id and deduplication-key indexes are concurrent maps: entries are added under the queue lock
 * (so a duplicate check and its insert are one step) and removed under the lease table that settles
 * the job. A thread that holds a table's lock may take the queue lock, never the reverse; lookups and
 * stats take every lock (a job on its way from the fresh lane to a table at that instant is reported
 * waiting by a lookup and counted by neither side of the stats). Each table keeps the newest
 * {@code maxHistorySize} jobs it completed, so at least that many, and up to one such history per
 * table, can be looked up. Times are epoch nanoseconds of the injected clock, saturating, so a delay of
 * any length never overflows.
 */
final class MemoryQueueProvider implements QueueProvider {

    private static final Logger log = LoggerFactory.getLogger(MemoryQueueProvider.class);

    private static final Comparator<Entry> BY_DUE = (a, b) -> a.dueAt != b.dueAt
            ? Long.compare(a.dueAt, b.dueAt) : Long.compare(a.sequence, b.sequence);

    /** The most lease tables a queue has, whatever the number of processors. */
    static final int MAX_LEASE_TABLES = 8;
    /** Tries of a lock, a spin-wait hint apart, before a thread queues for it, see {@link #lockQuickly}. */
    private static final int LOCK_TRIES = 64;
    /**
     * The lease table each thread leased through last, as a number taken modulo a queue's count of
     * tables; shared by all memory queues, started from the thread's id so that threads spread out.
     */
    private static final ThreadLocal<int[]> LAST_TABLE =
            ThreadLocal.withInitial(() -> new int[] {(int) Thread.currentThread().threadId()});

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
    /** Ready jobs that are not in {@link #fresh}: come back (retry, release, lease ended, delay over) or of another priority. */
    private final ReadyQueue ready = new ReadyQueue();
    private final EntryHeap delayed = new EntryHeap(BY_DUE);
    private final LinkedHashMap<String, Entry> dead = new LinkedHashMap<>();
    private long sequence;
    /** The priority of the jobs in {@link #fresh}; changes only while it is empty. */
    private int freshPriority;

    /**
     * Jobs enqueued ready, of {@link #freshPriority}, in enqueue order: added under lock, taken by
     * receivers without it while {@link #heldBack} is 0 and no delayed job is due, so that receivers on
     * two cores drain a backlog without handing a lock to each other at every job.
     */
    private final ConcurrentLinkedQueue<Entry> fresh = new ConcurrentLinkedQueue<>();
    private final LongAdder freshCount = new LongAdder();
    /** The size of {@link #ready}: written under lock, read without it. */
    private volatile int heldBack;
    /** The due instant of the earliest delayed job (Long.MAX_VALUE: none): written under lock, read without it. */
    private volatile long delayedDueAt = Long.MAX_VALUE;
    private volatile boolean closed;

    // Added to under lock, removed from under the settling table's lock.
    private final Map<String, Entry> live = new ConcurrentHashMap<>();
    private final Map<String, Entry> byDeduplicationKey = new ConcurrentHashMap<>();

    private final LeaseTable[] tables;
    /**
     * No lease in any table ends before this instant (epoch nanos; Long.MAX_VALUE: none leased). Read
     * at every receive without a lock; written only when a lease ends earlier than it says, or by the
     * receiver that finds it passed and looks through the tables, so it stays in every core's cache.
     */
    private final AtomicLong leasesEndNoSoonerThan = new AtomicLong(Long.MAX_VALUE);

    MemoryQueueProvider(String queueName, InstantSource clock, MemoryLimits limits) {
        this(queueName, clock, limits, Math.min(Runtime.getRuntime().availableProcessors(), MAX_LEASE_TABLES));
    }

    MemoryQueueProvider(String queueName, InstantSource clock, MemoryLimits limits, int leaseTables) {
        if (leaseTables < 1) {
            throw new IllegalArgumentException("leaseTables must be ≥ 1, got " + leaseTables);
        }
        this.queueName = Objects.requireNonNull(queueName, "queueName");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.leaseNanos = EpochNanos.nanos(limits.leaseDuration());
        this.leaseExpired = "lease of " + DurationFormat.format(limits.leaseDuration())
                + " ended before the delivery was settled (worker stopped or stalled)";
        this.capabilities = new Capabilities(Capabilities.UNLIMITED_DELAY, limits.maxPayloadBytes(),
                EnumSet.of(Feature.PRIORITY, Feature.DEDUPLICATION, Feature.JOB_LOOKUP, Feature.DEAD_LETTER_STORE,
                        Feature.LOCAL_RECEIVE));
        this.tables = new LeaseTable[leaseTables];
        for (int i = 0; i < leaseTables; i++) {
            tables[i] = new LeaseTable(i);
        }
        if (clock instanceof SettableClock settable) {
            // Receivers wait in real time for a due time on this clock; a test moving it must wake them.
            // Weakly, so that a clock shared by many short-lived providers does not keep them alive.
            var self = new WeakReference<>(this);
            settable.onChange(() -> {
                MemoryQueueProvider provider = self.get();
                if (provider != null) {
                    provider.wakeAllReceivers();
                }
            });
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
            throw new IllegalArgumentException("delay must be ≥ 0, got " + delay + " for job " + envelope.jobId());
        }
        checkPayloadSize(envelope);
        String key = envelope.options().deduplicationKey();
        lockQuickly(lock);
        try {
            if (closed) {
                throw new JobQueueException("memory queue '" + queueName + "' is closed; job " + envelope.jobId()
                        + " of type '" + envelope.type() + "' was not enqueued");
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
            if (dueAt > now) {
                delayUntil(entry, dueAt);
            } else {
                if (fresh.isEmpty()) {
                    freshPriority = entry.priority;
                }
                if (entry.priority == freshPriority) {
                    fresh.add(entry);
                    freshCount.increment();
                    changed.signal();
                } else {
                    makeReady(entry);
                }
            }
            return EnqueueResult.accepted(envelope.jobId());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ReceivedJob> receive(int max, Duration wait) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be ≥ 1, got " + max);
        }
        Objects.requireNonNull(wait, "wait");
        long deadline = EpochNanos.plus(System.nanoTime(), Math.max(0, EpochNanos.nanos(wait)));
        Entry first;
        Entry @Nullable [] more = null;
        long now;
        taking:
        for (;;) {
            now = now();
            takeBackEndedLeases(now);
            if (closed || Thread.currentThread().isInterrupted()) {
                return List.of();
            }
            if (heldBack == 0 && delayedDueAt > now) {
                // Nothing ready comes before the fresh jobs: take them without the lock.
                first = fresh.poll();
                if (first != null) {
                    more = takeFresh(max - 1);
                    break;
                }
            }
            lockQuickly(lock);
            try {
                for (;;) {
                    if (closed) {
                        return List.of();
                    }
                    promoteDelayed(now);
                    first = takeLocked();
                    if (first != null) {
                        more = max > 1 ? takeLocked(max - 1) : null;
                        break taking;
                    }
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return List.of();
                    }
                    long untilDue = nextDueAt() - now;
                    try {
                        changed.awaitNanos(Math.min(remaining, Math.max(1, untilDue)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return List.of();
                    }
                    now = now();
                    if (leasesEndNoSoonerThan.get() <= now) {
                        // Ended leases are taken back under their tables' locks, which come before this one.
                        continue taking;
                    }
                }
            } finally {
                if (!ready.isEmpty() || !fresh.isEmpty()) {
                    // Enqueue signals one receiver per job; pass a wake-up on to the next one if jobs remain.
                    changed.signal();
                }
                lock.unlock();
            }
        }
        return leaseAll(first, more, now);
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        long token = token(job);
        if (token < 0) {
            return;
        }
        LeaseTable table = tables[(int) (token % tables.length)];
        lockQuickly(table.lock);
        try {
            long now = now();
            Entry entry = table.currentDelivery(job, token, now);
            if (entry == null) {
                return;
            }
            table.end(entry);
            removeLive(entry);
            entry.state = Entry.State.COMPLETED;
            entry.updatedAt = now;
            table.remember(entry);
        } finally {
            table.lock.unlock();
        }
    }

    @Override
    public void fail(ReceivedJob job, Failure failure) {
        Objects.requireNonNull(failure, "failure");
        long token = token(job);
        if (token < 0) {
            return;
        }
        LeaseTable table = tables[(int) (token % tables.length)];
        lockQuickly(table.lock);
        try {
            long now = now();
            Entry entry = table.currentDelivery(job, token, now);
            if (entry == null) {
                return;
            }
            table.end(entry);
            entry.lastError = failure.error();
            entry.updatedAt = now;
            if (failure instanceof Failure.Dead) {
                removeLive(entry);
            }
            lockQuickly(lock);
            try {
                switch (failure) {
                    case Failure.RetryAfter retry -> {
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
        } finally {
            table.lock.unlock();
        }
    }

    @Override
    public void extendLease(ReceivedJob job, Duration extension) {
        Objects.requireNonNull(extension, "extension");
        if (extension.isNegative()) {
            throw new IllegalArgumentException("lease extension must be ≥ 0, got " + extension);
        }
        long token = token(job);
        if (token < 0) {
            return;
        }
        LeaseTable table = tables[(int) (token % tables.length)];
        lockQuickly(table.lock);
        try {
            long now = now();
            Entry entry = table.currentDelivery(job, token, now);
            if (entry == null) {
                return;
            }
            entry.dueAt = EpochNanos.plus(now, extension);
            table.leases.update(entry);
            leaseEndsAt(entry.dueAt);
            if (table.leases.peek() == entry) {
                // Receivers sleep until the earliest lease end they saw; this one may be earlier.
                wakeAllReceivers();
            }
        } finally {
            table.lock.unlock();
        }
    }

    @Override
    public void release(ReceivedJob job) {
        long token = token(job);
        if (token < 0) {
            return;
        }
        LeaseTable table = tables[(int) (token % tables.length)];
        lockQuickly(table.lock);
        try {
            long now = now();
            Entry entry = table.currentDelivery(job, token, now);
            if (entry == null) {
                return;
            }
            table.end(entry);
            entry.deliveries--;
            entry.updatedAt = now;
            lockQuickly(lock);
            try {
                makeReady(entry);
            } finally {
                lock.unlock();
            }
        } finally {
            table.lock.unlock();
        }
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        lockAll();
        try {
            promoteAll(now());
            Entry entry = live.get(jobId);
            if (entry == null) {
                entry = dead.get(jobId);
            }
            if (entry == null) {
                // A job completed more than once may be in several tables' history: the newest is the one.
                for (LeaseTable table : tables) {
                    Entry done = table.completed.get(jobId);
                    if (done != null && (entry == null || done.updatedAt > entry.updatedAt)) {
                        entry = done;
                    }
                }
            }
            return entry == null ? Optional.empty() : Optional.of(info(entry));
        } finally {
            unlockAll();
        }
    }

    @Override
    public ProviderStats stats() {
        lockAll();
        try {
            promoteAll(now());
            long active = 0;
            for (LeaseTable table : tables) {
                active += table.leased - table.ended;
            }
            return new ProviderStats((int) (ready.size() + freshCount.sum()), delayed.size(), (int) active, dead.size());
        } finally {
            unlockAll();
        }
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return Optional.of(deadLetterView);
    }

    @Override
    public void close() {
        lockQuickly(lock);
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
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
            throw new JobRejectedException("job " + envelope.jobId() + " of type '" + envelope.type()
                    + "' has a payload of " + size + " bytes, over the limit of " + limit
                    + " bytes of memory queue '" + queueName + "'; raise maxPayloadBytes in its provider"
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
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The lease token a receipt carries, or -1 when it is not one of this queue's (a stale settle). */
    private static long token(ReceivedJob job) {
        Objects.requireNonNull(job, "job");
        try {
            return Math.max(-1, Long.parseLong(job.receipt()));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }

    /** Up to {@code count} more fresh jobs, taken without the lock; null if none. */
    private Entry @Nullable [] takeFresh(int count) {
        Entry[] more = null;
        int taken = 0;
        for (; taken < count; taken++) {
            Entry next = fresh.poll();
            if (next == null) {
                break;
            }
            if (more == null) {
                more = new Entry[Math.min(count, 64)];
            } else if (taken == more.length) {
                more = Arrays.copyOf(more, Math.min(count, more.length * 2));
            }
            more[taken] = next;
        }
        freshCount.add(-(taken + 1));
        return more == null ? null : Arrays.copyOf(more, taken);
    }

    /** Up to {@code count} more ready jobs in order, under lock; null if none. */
    private Entry @Nullable [] takeLocked(int count) {
        var rest = new ArrayList<Entry>(Math.min(count, 64));
        for (int i = 0; i < count; i++) {
            Entry next = takeLocked();
            if (next == null) {
                break;
            }
            rest.add(next);
        }
        return rest.isEmpty() ? null : rest.toArray(new Entry[0]);
    }

    /**
     * The next ready job by (priority, sequence): the head of the jobs that came back or the head of the
     * fresh ones, whichever comes first; null if none. Under lock. A receiver taking fresh jobs without
     * the lock at this moment may take the head compared here; the one after it is taken instead.
     */
    private @Nullable Entry takeLocked() {
        Entry back = ready.peek();
        Entry next = fresh.peek();
        if (back != null && (next == null || back.priority < next.priority
                || (back.priority == next.priority && back.sequence < next.sequence))) {
            ready.poll();
            heldBack = ready.size();
            return back;
        }
        Entry taken = next == null ? null : fresh.poll();
        if (taken == null) {
            // Taken without the lock meanwhile.
            return back == null ? null : takeLocked();
        }
        freshCount.decrement();
        return taken;
    }

    /** Leases the jobs just taken through the table this thread used last, or another that is free. */
    private List<ReceivedJob> leaseAll(Entry first, Entry @Nullable [] more, long now) {
        LeaseTable table = lockTable();
        try {
            long leaseEnd = EpochNanos.plus(now, leaseNanos);
            if (more == null) {
                // A handler thread taking its next job: no list to grow.
                return List.of(table.lease(first, now, leaseEnd));
            }
            var leased = new ArrayList<ReceivedJob>(more.length + 1);
            leased.add(table.lease(first, now, leaseEnd));
            for (Entry entry : more) {
                leased.add(table.lease(entry, now, leaseEnd));
            }
            return leased;
        } finally {
            table.lock.unlock();
        }
    }

    /**
     * The lease table this thread used last if its lock is free, else the next free one, else (all
     * taken) the last one once it is free; locked, and remembered for the thread's next receive.
     */
    private LeaseTable lockTable() {
        int[] last = LAST_TABLE.get();
        int start = Math.floorMod(last[0], tables.length);
        for (int i = 0; i < tables.length; i++) {
            int index = (start + i) % tables.length;
            if (tables[index].lock.tryLock()) {
                last[0] = index;
                return tables[index];
            }
        }
        lockQuickly(tables[start].lock);
        return tables[start];
    }

    /** Takes back every lease that ended by {@code now}, once the earliest a lease may end has come. */
    private void takeBackEndedLeases(long now) {
        if (leasesEndNoSoonerThan.get() > now) {
            return;
        }
        // Raised first, then lowered to each table's earliest end: a lease added meanwhile lowers it too.
        leasesEndNoSoonerThan.set(Long.MAX_VALUE);
        for (LeaseTable table : tables) {
            lockQuickly(table.lock);
            try {
                table.takeBackEnded(now);
                Entry next = table.leases.peek();
                if (next != null) {
                    leasesEndNoSoonerThan.accumulateAndGet(next.dueAt, Math::min);
                }
            } finally {
                table.lock.unlock();
            }
        }
    }

    /** Called under a table's lock whenever a lease there gets a new end. */
    private void leaseEndsAt(long end) {
        if (end < leasesEndNoSoonerThan.get()) {
            leasesEndNoSoonerThan.accumulateAndGet(end, Math::min);
        }
    }

    /** Under every lock: delayed jobs due and leases ended by {@code now} back to the ready jobs. */
    private void promoteAll(long now) {
        for (LeaseTable table : tables) {
            table.takeBackEnded(now);
        }
        promoteDelayed(now);
    }

    /** Makes delayed jobs whose time has come visible. Under lock. */
    private void promoteDelayed(long now) {
        boolean moved = false;
        for (Entry next = delayed.peek(); next != null && next.dueAt <= now; next = delayed.peek()) {
            delayed.poll();
            next.updatedAt = now;
            next.state = Entry.State.WAITING;
            ready.add(next);
            moved = true;
        }
        if (moved) {
            heldBack = ready.size();
            Entry next = delayed.peek();
            delayedDueAt = next == null ? Long.MAX_VALUE : next.dueAt;
            changed.signal();
        }
    }

    /** The earliest instant a delayed job or (no sooner than) a lease comes due. Under lock. */
    private long nextDueAt() {
        Entry next = delayed.peek();
        return Math.min(next == null ? Long.MAX_VALUE : next.dueAt, leasesEndNoSoonerThan.get());
    }

    /** Under lock. */
    private void makeReady(Entry entry) {
        entry.state = Entry.State.WAITING;
        ready.add(entry);
        heldBack = ready.size();
        changed.signal();
    }

    /** Under lock. */
    private void delayUntil(Entry entry, long dueAt) {
        entry.state = Entry.State.DELAYED;
        entry.dueAt = dueAt;
        delayed.add(entry);
        if (delayed.peek() == entry) {
            delayedDueAt = dueAt;
            // Receivers sleep until the previous earliest due time; this one is earlier.
            changed.signalAll();
        }
    }

    /** Under lock. */
    private void bury(Entry entry) {
        entry.state = Entry.State.DEAD;
        dead.remove(entry.jobId());
        dead.put(entry.jobId(), entry);
        while (dead.size() > limits.maxDeadLetters()) {
            Entry dropped = dead.pollFirstEntry().getValue();
            log.warn("memory queue '{}' keeps at most {} dead letters (maxDeadLetters); dropped the oldest: job {}"
                            + " of type '{}' ({})", queueName, limits.maxDeadLetters(), dropped.jobId(),
                    dropped.envelope.type(), dropped.lastError);
        }
    }

    /** Takes a settled job out of the id and deduplication-key indexes. */
    private void removeLive(Entry entry) {
        live.remove(entry.jobId(), entry);
        String key = entry.envelope.options().deduplicationKey();
        if (key != null) {
            byDeduplicationKey.remove(key, entry);
        }
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
        return new JobInfo(envelope.jobId(), envelope.type(), queueName, state, entry.attempts(), envelope.options(),
                envelope.payloadJson(), envelope.createdAt(), EpochNanos.toInstant(entry.updatedAt), entry.lastError);
    }

    private void wakeAllReceivers() {
        lockQuickly(lock);
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Every table's lock in order, then the queue lock: the order a table's holder takes them in. */
    private void lockAll() {
        for (LeaseTable table : tables) {
            table.lock.lock();
        }
        lock.lock();
    }

    private void unlockAll() {
        lock.unlock();
        for (int i = tables.length - 1; i >= 0; i--) {
            tables[i].lock.unlock();
        }
    }

    /**
     * Takes {@code lock}, trying it a few times, a spin-wait hint apart, before queueing for it. Every
     * section under these locks is short (no I/O, no waiting but on the condition), and a handler
     * thread that queues parks and unmounts, so the holder's unlock must unpark and reschedule it:
     * queueing costs far more than the section it waits for. (Until Phase 9 one lock guarded all of the
     * queue and a waiter backed off between tries, so that the holder kept the state in its core's
     * cache for its next jobs; no lock here is taken at every job by both cores any more.)
     */
    private static void lockQuickly(ReentrantLock lock) {
        for (int i = 0; i < LOCK_TRIES; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    private long now() {
        return EpochNanos.of(clock.instant());
    }

    /**
     * Deliveries leased through one table, and the jobs it completed last. Guarded by its own lock; a
     * holder may take the queue lock too. A lease token is {@code n * tables + index}, so a receipt
     * names its table; a settle finds the entry by id and checks that the entry is leased here under
     * that token. Only this table writes an entry's {@code table} and {@code lease} while the entry is
     * in it, so under this lock those fields are exact for the entries it holds, and for any other
     * entry they cannot name this table with this token.
     */
    private final class LeaseTable {

        final int index;
        final ReentrantLock lock = new ReentrantLock();
        // Guarded by lock.
        final EntryHeap leases = new EntryHeap(BY_DUE);
        final LinkedHashMap<String, Entry> completed = new LinkedHashMap<>();
        private long leaseCounter;
        /** Leases made here, ever; minus {@link #ended}, the deliveries active here. */
        long leased;
        /** Leases that ended here, ever (settled, released, failed or taken back). */
        long ended;

        LeaseTable(int index) {
            this.index = index;
        }

        ReceivedJob lease(Entry entry, long now, long leaseEnd) {
            entry.state = Entry.State.ACTIVE;
            entry.deliveries++;
            entry.updatedAt = now;
            leased++;
            entry.lease = ++leaseCounter * tables.length + index;
            entry.table = index;
            entry.dueAt = leaseEnd;
            leases.add(entry);
            leaseEndsAt(leaseEnd);
            return new ReceivedJob(entry.envelope, entry.attempts(), Long.toString(entry.lease), limits.leaseDuration());
        }

        /** The entry whose current delivery {@code job} is, or null when that delivery is stale. */
        @Nullable Entry currentDelivery(ReceivedJob job, long token, long now) {
            // An ended lease must be taken back before settling, so that a late settle is stale.
            takeBackEnded(now);
            Entry entry = live.get(job.jobId());
            return entry != null && entry.table == index && entry.lease == token ? entry : null;
        }

        /** The entry's lease ends here (settled, released or failed). */
        void end(Entry entry) {
            leases.remove(entry);
            entry.table = -1;
            entry.lease = 0;
            ended++;
        }

        /** Takes back every lease that ended by {@code now}: the jobs are ready again. */
        void takeBackEnded(long now) {
            Entry next = leases.peek();
            if (next == null || next.dueAt > now) {
                return;
            }
            lockQuickly(MemoryQueueProvider.this.lock);
            try {
                for (; next != null && next.dueAt <= now; next = leases.peek()) {
                    end(next);
                    next.lastError = leaseExpired;
                    next.updatedAt = now;
                    makeReady(next);
                }
            } finally {
                MemoryQueueProvider.this.lock.unlock();
            }
        }

        /** Newest last: a job id completed before (enqueued again since) moves to the end. */
        void remember(Entry entry) {
            if (limits.maxHistorySize() == 0) {
                return;
            }
            if (completed.putIfAbsent(entry.jobId(), entry) != null) {
                completed.remove(entry.jobId());
                completed.put(entry.jobId(), entry);
            }
            while (completed.size() > limits.maxHistorySize()) {
                completed.pollFirstEntry();
            }
        }

    }

    /** Dead letters of this queue, newest first; redrive puts a job back with a fresh set of attempts. */
    private final class DeadLetterView implements DeadLetters {

        @Override
        public List<DeadLetter> list(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be ≥ 0, got " + limit);
            }
            lockQuickly(lock);
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

        /** False also when a live job has taken the id since; the dead letter then stays. */
        @Override
        public boolean redrive(String jobId) {
            Objects.requireNonNull(jobId, "jobId");
            lockQuickly(lock);
            try {
                Entry entry = dead.get(jobId);
                if (entry == null || live.containsKey(jobId)) {
                    return false;
                }
                dead.remove(jobId);
                entry.envelope = entry.envelope.withAttempt(0);
                entry.deliveries = 0;
                entry.sequence = ++sequence;
                entry.updatedAt = now();
                live.put(jobId, entry);
                String key = entry.envelope.options().deduplicationKey();
                if (key != null) {
                    byDeduplicationKey.putIfAbsent(key, entry);
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
            lockQuickly(lock);
            try {
                return dead.remove(jobId) != null;
            } finally {
                lock.unlock();
            }
        }
    }
}
