package dev.jobq;

import java.time.Duration;

/**
 * Counters for one named queue. {@code waiting}, {@code delayed} and {@code dead} come from the
 * provider and are -1 where it cannot tell (SQS reports approximations); the rest are counted by
 * this process's worker since it started.
 *
 * @param waiting            jobs ready to run
 * @param delayed            jobs waiting for a delay or a retry backoff
 * @param active             jobs running in this process now
 * @param completed          jobs completed by this process
 * @param failed             failed attempts (retried or not) in this process
 * @param dead               jobs in the dead letters
 * @param throughputPerSecond completed jobs per second over the last minute
 * @param successRate        completed / (completed + failed attempts), 1.0 when nothing ran
 * @param averageDuration    mean handler time of completed attempts
 * @param peakActive         the most jobs that ran at once
 */
public record QueueStats(String queue, long waiting, long delayed, long active, long completed, long failed,
                         long dead, double throughputPerSecond, double successRate, Duration averageDuration,
                         long peakActive) {
}
