package dev.jobq;

import java.time.Instant;

/**
 * A job that ran out of attempts or was not retryable, kept with why it died.
 *
 * @param error    the last error: exception class and message, or the reason it could not run
 * @param attempts attempts made
 * @param deadAt   when it was dead-lettered
 */
public record DeadLetter(JobInfo job, String error, int attempts, Instant deadAt) {
}
