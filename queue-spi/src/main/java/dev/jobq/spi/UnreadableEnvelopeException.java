package dev.jobq.spi;

import dev.jobq.JobQueueException;
import org.jspecify.annotations.Nullable;

/**
 * A message body that is not a job envelope jobq can run: not JSON, missing a required field, or
 * written by a newer jobq ({@link #isNewerVersion()}). Carries what could be read of it, so the
 * dead letter can name the job.
 */
public final class UnreadableEnvelopeException extends JobQueueException {

    private final @Nullable String jobId;
    private final @Nullable String type;
    private final boolean newerVersion;

    public UnreadableEnvelopeException(String message, @Nullable String jobId, @Nullable String type,
                                       boolean newerVersion) {
        super(message);
        this.jobId = jobId;
        this.type = type;
        this.newerVersion = newerVersion;
    }

    public @Nullable String jobId() {
        return jobId;
    }

    public @Nullable String type() {
        return type;
    }

    /** True when the envelope is well-formed but of a version newer than this jobq reads. */
    public boolean isNewerVersion() {
        return newerVersion;
    }
}
