package dev.jobq.internal.runtime;

import dev.jobq.JobQueue;

/** Placeholder until the runtime lands. */
public final class JobQueueRuntime {
    private JobQueueRuntime() {
    }

    public static JobQueue create(RuntimeSpec spec) {
        throw new UnsupportedOperationException("not yet");
    }
}
