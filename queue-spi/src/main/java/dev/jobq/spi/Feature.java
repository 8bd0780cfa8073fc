package dev.jobq.spi;

/** Optional things a provider can do; the TCK skips the tests of features a provider lacks. */
public enum Feature {
    /** Honours {@link dev.jobq.JobOptions#priority()}: lower first, FIFO within a priority. */
    PRIORITY,
    /** Honours {@link dev.jobq.JobOptions#deduplicationKey()} while a job with that key is pending or running. */
    DEDUPLICATION,
    /** Answers {@link QueueProvider#getJob(String)}. */
    JOB_LOOKUP,
    /** Keeps dead letters that can be listed, redriven and deleted ({@link QueueProvider#deadLetters()}). */
    DEAD_LETTER_STORE,
    /** Delivers in enqueue order within a message group (SQS FIFO). */
    ORDERED
}
