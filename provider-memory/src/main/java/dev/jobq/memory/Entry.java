package dev.jobq.memory;

import dev.jobq.spi.JobEnvelope;
import org.jspecify.annotations.Nullable;

/**
 * One job in the memory queue, in whichever structure it currently sits. A single mutable object
 * per job (rather than wrappers per state) keeps the heap cost of a pending job small. Guarded by
 * the provider's lock.
 */
final class Entry {

    enum State { WAITING, DELAYED, ACTIVE, COMPLETED, DEAD }

    JobEnvelope envelope;
    /** Cached from the options: compared on every heap move. */
    final int priority;
    /** Enqueue order, for FIFO within a priority. */
    long sequence;
    /** Epoch nanos: when a DELAYED job becomes visible, or when an ACTIVE job's lease ends. */
    long dueAt;
    /** Epoch nanos of the last change of state. */
    long updatedAt;
    /** The token of the current delivery; settling with any other token is stale. */
    long lease;
    /** Deliveries so far that count as attempts (a released delivery does not). */
    int deliveries;
    /** Position in the heap the entry sits in, -1 when in none. */
    int heapIndex = -1;
    State state;
    @Nullable String lastError;

    Entry(JobEnvelope envelope, long sequence, long now, State state) {
        this.envelope = envelope;
        this.priority = envelope.options().priority();
        this.sequence = sequence;
        this.updatedAt = now;
        this.state = state;
    }

    String jobId() {
        return envelope.jobId();
    }

    /**
     * Attempts started so far, counting those made before this copy of the envelope was written; saturated at
     * {@link Integer#MAX_VALUE} (as provider-sqs does), since a wrapped count failed every receive of the queue.
     */
    int attempts() {
        return (int) Math.min(Integer.MAX_VALUE, (long) envelope.attempt() + deliveries);
    }
}
