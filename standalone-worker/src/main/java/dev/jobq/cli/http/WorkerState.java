package dev.jobq.cli.http;

import java.util.Locale;

/** Where a {@code jobq run} worker is in its life; only {@link #RUNNING} is healthy. */
public enum WorkerState {
    /** Reading config, loading handlers, connecting: not yet consuming. */
    STARTING,
    /** Consuming its queues. */
    RUNNING,
    /** Told to stop: no longer receiving, finishing or releasing the jobs it holds. */
    STOPPING,
    /** Done; the process is about to exit. */
    STOPPED;

    /** The lower-case name, as {@code /health} shows it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
