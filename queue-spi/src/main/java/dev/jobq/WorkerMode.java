package dev.jobq;

/** Whether {@link JobQueue#start()} runs workers in this process. */
public enum WorkerMode {
    /** {@code start()} consumes the configured queues in this process. The default. */
    IN_PROCESS,
    /** This process only enqueues; {@code jobq run} processes consume. {@code start()} starts no worker. */
    STANDALONE
}
