package dev.jobq;

/** Where a job is in its life, as {@link JobQueue#getJob(String)} reports it. */
public enum JobState {
    /** Ready to run, waiting for a worker. */
    WAITING,
    /** Waiting for its delay or retry backoff to pass. */
    DELAYED,
    /** Leased by a worker and running. */
    ACTIVE,
    /** Finished successfully. */
    COMPLETED,
    /** Out of attempts (or not retryable): in the dead letters. */
    DEAD
}
