package dev.jobq.scheduler.jdbc;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.SequencedSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The job ids this scheduler handed on in a transaction that then failed — the database stopped or
 * restarted, or the session was ended, between the hand-off and the commit that marks the rows — so
 * that the rows, still due, are marked without being handed on again when this process claims them
 * next. Another scheduler that claims them first, or this one after its process restarted, hands them
 * on again under the same ids (docs/scheduler.md). A {@code cancel} of such a job marks its row too, and answers
 * false: it is on its queue already; {@code status} says {@code ENQUEUED}, and {@code getJob} and
 * {@code listScheduled} leave it out. At most {@value #LIMIT} ids, the oldest forgotten first: an id is left over
 * only when the commit had landed after all or a cancel marked its row: its rows are gone or moved on, and its id, a
 * row id or an occurrence's, never comes back. (An occurrence the pass after finds late is taken back too, before the
 * misfire policy judges the rest: it is not missed.) Thread-safe: the firing thread and its helpers share it.
 */
final class HandedOnUnmarked {

    static final int LIMIT = 10_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final SequencedSet<String> ids = new LinkedHashSet<>();

    /**
     * Runs {@code claim}; when it fails, remembers the ids in {@code handedOn} (which it fills) as handed
     * on but not marked, and rethrows.
     */
    <T> T rememberIfLost(Collection<String> handedOn, Supplier<T> claim) {
        try {
            return claim.get();
        } catch (RuntimeException | Error e) {
            lock.lock();
            try {
                ids.addAll(handedOn);
                while (ids.size() > LIMIT) {
                    ids.removeFirst();
                }
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    /** Whether {@code jobId} was handed on in a failed transaction; keeps it (see {@link #takeBack}). */
    boolean holds(String jobId) {
        lock.lock();
        try {
            return ids.contains(jobId);
        } finally {
            lock.unlock();
        }
    }

    /** How many ids it holds: at most {@value #LIMIT}, none unless a transaction failed after its hand-offs. */
    int size() {
        lock.lock();
        try {
            return ids.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code jobId} was handed on in a failed transaction; forgets it (the caller marks it now). */
    boolean takeBack(String jobId) {
        lock.lock();
        try {
            return ids.remove(jobId);
        } finally {
            lock.unlock();
        }
    }
}
