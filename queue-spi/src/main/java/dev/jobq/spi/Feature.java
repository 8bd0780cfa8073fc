package dev.jobq.spi;

/** Optional things a provider can do; the TCK skips the tests of features a provider lacks. */
public enum Feature {
    /** Honours {@link dev.jobq.JobOptions#priority()}: lower first, FIFO within a priority. */
    PRIORITY,
    /**
     * Honours {@link dev.jobq.JobOptions#deduplicationKey()} while a job with that key is waiting, delayed (its delay
     * or a retry's backoff) or running.
     */
    DEDUPLICATION,
    /** Answers {@link QueueProvider#getJob(String)}. */
    JOB_LOOKUP,
    /** Keeps dead letters that can be listed, redriven and deleted ({@link QueueProvider#deadLetters()}). */
    DEAD_LETTER_STORE,
    /** Delivers in enqueue order within a message group (SQS FIFO). */
    ORDERED,
    /**
     * Receives in this process without I/O: {@code receive(1, Duration.ZERO)} costs about a map
     * lookup. The worker then lets a handler's thread that just finished take the next job itself,
     * keeping its permit, instead of handing the permit back to the poll loop for every job.
     * Providers behind a network (SQS) leave it out: one receive per job would cost a round trip.
     */
    LOCAL_RECEIVE,
    /**
     * Always knows when a settle comes too late: {@link QueueProvider#acknowledge}, {@link
     * QueueProvider#acknowledgeAndReceive} and {@link QueueProvider#fail} of a delivery whose lease ran out (its
     * job delivered again since, or due to be) throw {@link LeaseLostException}, so that the worker neither
     * announces nor counts that attempt's outcome beside the other delivery's (the memory provider). A provider
     * that cannot always tell leaves it out, and may still throw where it can (SQS: a receipt this provider has
     * received the message again since, or one SQS refuses; a delete with an old receipt may succeed there
     * without deleting anything).
     */
    SETTLE_DETECTS_LOST_LEASE
}
