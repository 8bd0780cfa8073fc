package dev.jobq.sqs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Groups calls of one kind (send, delete, change visibility) into SQS batch requests of up to ten
 * entries, without a thread or a timer of its own: a caller that finds no batch in flight sends what
 * is waiting, its own entry included, while callers arriving meanwhile queue up for the next batch.
 * A lone call goes out at once; under load, batches fill up by themselves.
 *
 * <p>The batch call gets the entries in order and answers one {@link Outcome} per entry, in the same
 * order. Settling calls are not cancellable: a caller whose thread is interrupted still waits for its
 * entry and keeps its interrupt flag. Thread-safe.
 *
 * @param <T> an entry
 * @param <R> what one entry's success returns
 */
final class Batcher<T, R> {

    /** SQS batch requests take at most ten entries. */
    static final int MAX_ENTRIES = 10;

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
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();
    private final ArrayDeque<Pending<T, R>> waiting = new ArrayDeque<>();
    private boolean sending;

    /**
     * @param call      sends one batch
     * @param weight    the size of an entry, counted against {@code maxWeight} per batch (SQS limits a
     *                  batch's total bytes); an entry heavier than that goes alone
     * @param maxWeight the largest total weight of one batch
     */
    Batcher(Function<List<T>, List<Outcome<R>>> call, ToIntFunction<T> weight, int maxWeight) {
        this.call = call;
        this.weight = weight;
        this.maxWeight = maxWeight;
    }

    /** A batcher of entries that weigh nothing. */
    Batcher(Function<List<T>, List<Outcome<R>>> call) {
        this(call, entry -> 0, 0);
    }

    /** Submits one entry and waits for its outcome; throws the entry's failure. */
    @Nullable R submit(T entry) {
        var mine = new Pending<T, R>(entry);
        lock.lock();
        try {
            waiting.add(mine);
            while (mine.outcome == null) {
                if (sending) {
                    done.awaitUninterruptibly();
                } else {
                    sendNextBatch();
                }
            }
        } finally {
            lock.unlock();
        }
        Outcome<R> outcome = mine.outcome;
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.value();
    }

    /**
     * Called with the lock held; releases it while the batch is on the wire. The caller's interrupt
     * flag is set aside meanwhile, so that it cannot abort the other callers' entries.
     */
    private void sendNextBatch() {
        List<Pending<T, R>> batch = takeBatch();
        sending = true;
        lock.unlock();
        List<Outcome<R>> outcomes = null;
        boolean interrupted = Thread.interrupted();
        try {
            outcomes = call.apply(batch.stream().map(p -> p.entry).toList());
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
            sending = false;
            done.signalAll();
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
            batch.add(waiting.poll());
            total += next;
        }
        return batch;
    }

    private static final class Pending<T, R> {
        private final T entry;
        private @Nullable Outcome<R> outcome;

        private Pending(T entry) {
            this.entry = entry;
        }
    }
}
