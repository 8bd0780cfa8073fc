package dev.jobq.sqs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Groups calls of one kind (send, delete, change visibility) into SQS batch requests of up to ten
 * entries, without a timer or a standing thread of its own: a caller that finds no batch in flight sends
 * what is waiting, its own entry included, while callers arriving meanwhile queue up for the next batch.
 * A lone call goes out at once; under load, batches fill up by themselves.
 *
 * <p>Callers that come in groups (ten producers, ten handlers acknowledging a received batch) would
 * otherwise alternate between a batch of the first to come back and one of the rest, so half the
 * requests for the same entries. So the sender waits briefly ({@code linger}, a few milliseconds)
 * for as many entries as the previous batch held before it sends: a group keeps going out whole,
 * and a lone caller (previous batch of one) never waits. When fewer come, the wait ends at the
 * linger and the next batch expects that many.
 *
 * <p>Under more load than one batch in flight can carry (a hundred handlers acknowledging), a caller
 * that finds a full batch waiting sends it at once beside the one in flight, up to
 * {@link #MAX_IN_FLIGHT} batches: each batch is a round trip, and one at a time would cap a queue at
 * ten entries per round trip whatever the concurrency.
 *
 * <p>A batcher given a {@code stall} (the heartbeats') lets no entry wait longer than that behind batches on the
 * wire that SQS has not answered within it: a waiting entry then goes out in a batch beside them, full or not (still
 * up to {@link #MAX_IN_FLIGHT}). Otherwise one batch SQS does not answer held every entry that came after it, fewer
 * than ten, until the SDK gave up on it (its attempts of {@code requestTimeout} each, about 40 s): other jobs'
 * heartbeats, whose leases ran out meanwhile. Sends and deletes have none, and keep filling their batches under load.
 *
 * <p>The batch call gets the entries in order and answers one {@link Outcome} per entry, in the same
 * order. Calls are not cancellable: a caller whose thread is interrupted still waits for its entry and
 * keeps its interrupt flag. The batch call runs on a virtual thread of its own while its sender waits, so
 * that no caller's interrupt reaches it on the wire: there, the AWS SDK aborts a call whose thread is
 * interrupted, which failed the entries of every caller in the batch, although SQS may have taken them.
 * Thread-safe.
 *
 * @param <T> an entry
 * @param <R> what one entry's success returns
 */
final class Batcher<T, R> {

    /** SQS batch requests take at most ten entries. */
    static final int MAX_ENTRIES = 10;
    /** How long a sender waits for the rest of its group: a fraction of one SQS round trip. */
    static final Duration LINGER = Duration.ofMillis(2);
    /** Full batches on the wire at once, at most; well under the provider's 64 connections. */
    static final int MAX_IN_FLIGHT = 8;

    /** The stall of a batcher that has none: its entries wait for the batches on the wire however long they take. */
    private static final long NO_STALL = Long.MAX_VALUE;

    private static final ThreadFactory CALLS = Thread.ofVirtual().name("jobq-sqs-batch-", 0).factory();

    /** One entry's result: a value, or the failure SQS reported for it. */
    record Outcome<R>(@Nullable R value, @Nullable RuntimeException failure) {
        static <R> Outcome<R> success(@Nullable R value) {
            return new Outcome<>(value, null);
        }

        static <R> Outcome<R> failed(RuntimeException failure) {
            return new Outcome<>(null, Objects.requireNonNull(failure, "failure"));
        }
    }

    private final Function<List<T>, List<Outcome<R>>> call;
    private final ToIntFunction<T> weight;
    private final int maxWeight;
    private final long lingerNanos;
    private final long stallNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Pending<T, R>> waiting = new ArrayDeque<>();
    private int inFlight;
    private boolean lingering;
    /** Entries of the previous batch: how many callers came together last time. */
    private int lastBatchSize = 1;
    /** With a stall: when each batch on the wire went out ({@link System#nanoTime()}), in the slots marked taken. */
    private final long[] sentNanos = new long[MAX_IN_FLIGHT];
    private final boolean[] sentSlotTaken = new boolean[MAX_IN_FLIGHT];

    /**
     * @param call      sends one batch
     * @param weight    the size of an entry, counted against {@code maxWeight} per batch (SQS limits a
     *                  batch's total bytes); an entry heavier than that goes alone
     * @param maxWeight the largest total weight of one batch
     * @param linger    the longest a sender waits for as many entries as its previous batch held
     * @param stall     the longest an entry waits behind batches on the wire before it goes out beside them; null:
     *                  until a full batch is waiting
     */
    Batcher(Function<List<T>, List<Outcome<R>>> call, ToIntFunction<T> weight, int maxWeight, Duration linger,
            @Nullable Duration stall) {
        this.call = call;
        this.weight = weight;
        this.maxWeight = maxWeight;
        this.lingerNanos = linger.toNanos();
        this.stallNanos = stall == null ? NO_STALL : stall.toNanos();
    }

    Batcher(Function<List<T>, List<Outcome<R>>> call, ToIntFunction<T> weight, int maxWeight, Duration linger) {
        this(call, weight, maxWeight, linger, null);
    }

    /** A batcher with the default {@link #LINGER}. */
    Batcher(Function<List<T>, List<Outcome<R>>> call, ToIntFunction<T> weight, int maxWeight) {
        this(call, weight, maxWeight, LINGER);
    }

    /** A batcher of entries that weigh nothing. */
    Batcher(Function<List<T>, List<Outcome<R>>> call) {
        this(call, entry -> 0, 0);
    }

    /** Submits one entry and waits for its outcome; throws the entry's failure. */
    @Nullable R submit(T entry) {
        Outcome<R> outcome = submitAll(List.of(entry)).get(0);
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.value();
    }

    /**
     * Submits entries together, so that a caller's ten go out in one batch without a wait for others,
     * and waits for all their outcomes, answered in the same order. The entries queue up one after
     * another, but more than a batch of them may go out in batches on the wire side by side: they
     * are not sent in order then.
     */
    List<Outcome<R>> submitAll(List<T> entries) {
        List<Pending<T, R>> mine = new ArrayList<>(entries.size());
        for (T entry : entries) {
            mine.add(new Pending<>(entry, entries.size() > 1));
        }
        boolean interrupted = false;
        lock.lock();
        try {
            waiting.addAll(mine);
            if (lingering) {
                arrived.signal();
            }
            while (!allAnswered(mine)) {
                if (mayBatchStart() || mayGoBesideStalled(mine)) {
                    sendNextBatch(mine);
                } else if (stallNanos == NO_STALL) {
                    done.awaitUninterruptibly();
                } else {
                    try {
                        done.awaitNanos(untilStalled());
                    } catch (InterruptedException e) {
                        interrupted = true; // not cancellable, as above: the flag is kept for the caller
                    }
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        List<Outcome<R>> outcomes = new ArrayList<>(mine.size());
        for (Pending<T, R> pending : mine) {
            outcomes.add(pending.outcome);
        }
        return outcomes;
    }

    private static boolean allAnswered(List<? extends Pending<?, ?>> entries) {
        for (Pending<?, ?> pending : entries) {
            if (pending.outcome == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Called with the lock held; releases it while the batch is on the wire. The caller's interrupt
     * flag is set aside meanwhile, and the call made apart from its thread, so that no interrupt can
     * abort the other callers' entries. With a stall, the caller's own waiting entries go first in the
     * batch: one that sent only other callers' entries (more than ten waiting) was held until that batch
     * came back while its own waited behind, however long SQS took to answer, and none sent them meanwhile.
     */
    private void sendNextBatch(List<Pending<T, R>> mine) {
        inFlight++;
        boolean interrupted = Thread.interrupted();
        if (inFlight == 1) {
            interrupted |= awaitGroup();
        }
        if (stallNanos != NO_STALL) {
            putFirst(mine);
        }
        List<Pending<T, R>> batch = takeBatch();
        lastBatchSize = batch.size();
        int slot = stallNanos == NO_STALL ? -1 : takeSentSlot();
        lock.unlock();
        List<Outcome<R>> outcomes = null;
        try {
            var task = new FutureTask<>(() -> call.apply(batch.stream().map(p -> p.entry).toList()));
            CALLS.newThread(task).start();
            for (boolean ended = false; !ended; ) {
                try {
                    outcomes = task.get();
                    ended = true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw e.getCause() instanceof RuntimeException failure ? failure
                            : new IllegalStateException(e.getCause());
                }
            }
            if (outcomes.size() != batch.size()) {
                throw new IllegalStateException("batch call answered " + outcomes.size() + " outcomes for "
                        + batch.size() + " entries");
            }
        } catch (RuntimeException e) {
            outcomes = batch.stream().map(p -> Outcome.<R>failed(e)).toList();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            lock.lock();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).outcome = outcomes != null ? outcomes.get(i)
                        : Outcome.failed(new IllegalStateException("the batch call ended with an error"));
            }
            inFlight--;
            if (slot >= 0) {
                sentSlotTaken[slot] = false;
            }
            done.signalAll();
        }
    }

    /**
     * With the lock held: whether a caller may send now. The first batch goes whenever none is on the
     * wire; another only when a full one is waiting (and no sender is still gathering its group).
     */
    private boolean mayBatchStart() {
        if (inFlight == 0) {
            return true;
        }
        return !lingering && inFlight < MAX_IN_FLIGHT && waiting.size() >= MAX_ENTRIES;
    }

    /**
     * With the lock held: whether a caller of a batcher with a stall, some of whose entries wait, may send them beside
     * the batches on the wire: each of those went out at least the stall ago (none is about to come back), and no
     * sender is gathering its group.
     */
    private boolean mayGoBesideStalled(List<Pending<T, R>> mine) {
        if (stallNanos == NO_STALL || lingering || inFlight == 0 || inFlight >= MAX_IN_FLIGHT || !anyWaiting(mine)) {
            return false;
        }
        return System.nanoTime() - newestSentNanos() >= stallNanos;
    }

    /** With the lock held: how long a caller of a batcher with a stall waits before it looks again. */
    private long untilStalled() {
        if (lingering) {
            return lingerNanos;
        }
        long left = newestSentNanos() + stallNanos - System.nanoTime();
        return left > 0 ? left : stallNanos; // all it may have on the wire already stall: until one comes back
    }

    private static boolean anyWaiting(List<? extends Pending<?, ?>> entries) {
        for (Pending<?, ?> pending : entries) {
            if (!pending.taken) {
                return true;
            }
        }
        return false;
    }

    /** With the lock held: when the newest batch on the wire went out; now if none has a slot yet. */
    private long newestSentNanos() {
        long now = System.nanoTime();
        long newest = 0;
        boolean any = false;
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            if (sentSlotTaken[i] && (!any || sentNanos[i] - newest > 0)) {
                newest = sentNanos[i];
                any = true;
            }
        }
        return any ? newest : now;
    }

    /** With the lock held: notes that a batch goes out now, in a free slot (at most MAX_IN_FLIGHT are out). */
    private int takeSentSlot() {
        for (int i = 0; i < MAX_IN_FLIGHT; i++) {
            if (!sentSlotTaken[i]) {
                sentSlotTaken[i] = true;
                sentNanos[i] = System.nanoTime();
                return i;
            }
        }
        return -1;
    }

    /**
     * Waits up to the linger for as many entries as the previous batch held; with the lock held. No
     * wait when the next entry came with others in one call: they are all here, and whoever else comes
     * meanwhile goes in the next batch. Returns true if the caller was interrupted meanwhile (what is
     * waiting is then sent at once).
     */
    private boolean awaitGroup() {
        if (waiting.isEmpty() || waiting.peek().together) {
            return false;
        }
        int group = Math.min(lastBatchSize, MAX_ENTRIES);
        lingering = true;
        try {
            long left = lingerNanos;
            while (waiting.size() < group && left > 0) {
                left = arrived.awaitNanos(left);
            }
            return false;
        } catch (InterruptedException e) {
            return true;
        } finally {
            lingering = false;
        }
    }

    /** With the lock held: moves those of {@code mine} still waiting to the head of the queue, in their order. */
    private void putFirst(List<Pending<T, R>> mine) {
        for (int i = mine.size() - 1; i >= 0; i--) {
            Pending<T, R> pending = mine.get(i);
            if (!pending.taken && waiting.removeFirstOccurrence(pending)) {
                waiting.addFirst(pending);
            }
        }
    }

    private List<Pending<T, R>> takeBatch() {
        List<Pending<T, R>> batch = new ArrayList<>(Math.min(MAX_ENTRIES, waiting.size()));
        long total = 0;
        while (!waiting.isEmpty() && batch.size() < MAX_ENTRIES) {
            int next = weight.applyAsInt(waiting.peek().entry);
            if (!batch.isEmpty() && total + next > maxWeight) {
                break;
            }
            Pending<T, R> taken = waiting.poll();
            taken.taken = true;
            batch.add(taken);
            total += next;
        }
        return batch;
    }

    private static final class Pending<T, R> {
        private final T entry;
        /** Submitted with other entries in one call. */
        private final boolean together;
        private @Nullable Outcome<R> outcome;
        /** Taken into a batch: on the wire, or answered. */
        private boolean taken;

        private Pending(T entry, boolean together) {
            this.entry = entry;
            this.together = together;
        }
    }
}
