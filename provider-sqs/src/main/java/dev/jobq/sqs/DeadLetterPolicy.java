package dev.jobq.sqs;

/** What happens to a dead job (out of attempts, not retryable, or unreadable): the {@code deadLetter} setting. */
enum DeadLetterPolicy {
    /** Copy it to the dead-letter queue with its error, then delete it from the live queue. */
    MOVE,
    /** Delete it, with a WARN log line and a {@code JobEvent.Dead}; for development queues without a DLQ. */
    DISCARD
}
