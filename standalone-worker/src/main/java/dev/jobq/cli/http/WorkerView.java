package dev.jobq.cli.http;

import dev.jobq.internal.worker.ReceiveOutage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** What {@code /health} shows of the worker besides its queues' stats. Thread-safe. */
public interface WorkerView {

    WorkerState state();

    /** Handlers allowed at once, as the worker announced when it started (0 before). */
    int concurrency();

    /** Handlers running now. */
    int activeHandlers();

    /**
     * Handlers still running although their attempt timed out (they ignore the interrupt); each holds
     * a permit until it returns. 0 where it cannot be told.
     */
    default int overdueHandlers() {
        return 0;
    }

    /**
     * Receives from {@code queue} failing since some time, the queue's stats read or not; empty while they work
     * or where it cannot be told.
     */
    default Optional<ReceiveOutage> receiveOutage(String queue) {
        return Optional.empty();
    }

    /** The queues the worker consumes, in the order it serves them. */
    List<String> queues();

    /** The job types it has handlers for. */
    List<String> handlerTypes();

    /** When it began consuming; null before. */
    @Nullable Instant startedAt();
}
