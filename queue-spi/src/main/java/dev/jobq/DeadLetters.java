package dev.jobq;

import java.util.List;

/** The dead letters of one queue, where its provider keeps them inspectable. Thread-safe. */
public interface DeadLetters {

    /**
     * The newest dead letters first, at most {@code limit} (0 gives none).
     *
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    List<DeadLetter> list(int limit);

    /**
     * Puts the job back on its queue with a fresh set of attempts; false if the id is unknown, or a
     * live job has its id or its deduplication key, or the scheduler holds a job of the queue with that
     * key (it would be a duplicate of that one). Through
     * {@link JobQueue#deadLetters(String)}, a redrive is announced to listeners as {@link JobEvent.Enqueued},
     * and, like an enqueue, throws {@link JobQueueException} once the queue's worker has stopped in
     * {@link JobQueue#close()}, or when the scheduler's store cannot be asked for the dead job's
     * deduplication key, the dead letter staying where it is.
     */
    boolean redrive(String jobId);

    /** Deletes a dead letter for good; false if the id is unknown. */
    boolean delete(String jobId);
}
