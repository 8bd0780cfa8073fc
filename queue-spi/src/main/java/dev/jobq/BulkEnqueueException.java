package dev.jobq;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link JobQueue#enqueueAll} when the provider (or the scheduler) refused some of the
 * jobs after every payload had been checked: the others are enqueued and stay so. {@link #jobIds()}
 * tells which: the id of each enqueued job, {@code null} for each that was not, in the order of the
 * payloads; enqueue the payloads at {@link #failedIndexes()} again. Where the provider failed the call as a
 * whole (an {@code enqueueAll} that threw), whether any of them was stored is unknown and the message says so:
 * enqueueing them again may run some twice unless they carry deduplication keys. The first failure is the cause,
 * the next nine (at most) are suppressed, and the message names the first ten indexes.
 */
public final class BulkEnqueueException extends JobQueueException {

    private final List<@Nullable String> jobIds;
    private final List<Integer> failedIndexes;

    /**
     * @param jobIds        the id of each enqueued job, {@code null} for each that was not
     * @param failedIndexes the positions of the jobs that were not
     * @param cause         the first failure
     */
    public BulkEnqueueException(String message, RuntimeException cause, List<@Nullable String> jobIds,
                                List<Integer> failedIndexes) {
        super(message, cause);
        this.jobIds = Collections.unmodifiableList(new ArrayList<>(jobIds));
        this.failedIndexes = List.copyOf(failedIndexes);
    }

    /** The id of each enqueued job, {@code null} for each that was not, in the order of the payloads. */
    public List<@Nullable String> jobIds() {
        return jobIds;
    }

    /** The positions, among the payloads, of the jobs that were not enqueued. */
    public List<Integer> failedIndexes() {
        return failedIndexes;
    }
}
