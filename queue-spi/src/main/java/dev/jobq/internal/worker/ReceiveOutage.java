package dev.jobq.internal.worker;

import java.time.Instant;

/**
 * Receives from {@code queue} failing, each one since {@code since}: {@code failures} in a row, the last with
 * {@code error} (its message as one line, the secrets of its URLs masked before the cut). While it lasts the worker takes no job from the queue, though its stats may still read (SQS
 * credentials that allow {@code GetQueueAttributes} but not {@code ReceiveMessage}).
 */
public record ReceiveOutage(String queue, Instant since, int failures, String error) {
}
