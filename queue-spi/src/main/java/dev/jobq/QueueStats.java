package dev.jobq;

import java.time.Duration;

/**
 * Counters for one named queue. {@code waiting}, {@code delayed}, {@code dead} and {@code inFlight}
 * come from the provider and are -1 where it cannot tell (SQS reports approximations, and cannot tell
 * in flight from waiting out a retry backoff); the rest are counted by this process's worker since it
 * started.
 *
 * @param waiting            jobs ready to run
 * @param delayed            jobs waiting for a delay or a retry backoff
 * @param active             jobs running in this process now
 * @param completed          jobs completed by this process
 * @param failed             failed attempts (retried or not) in this process, the last of each dead job
 *                           included, and the messages its provider postponed or dead-lettered because
 *                           it could not read them: as many as {@code Failed} and {@code Dead} events
 * @param dead               jobs in the dead letters
 * @param throughputPerSecond completed jobs per second over the last minute
 * @param successRate        completed / (completed + failed attempts), 1.0 when nothing ran
 * @param averageDuration    mean handler time of completed attempts
 * @param peakActive         the most jobs that ran at once
 * @param inFlight           jobs received by any worker of the queue and not yet settled (BullMQ's
 *                           {@code active}, Sidekiq's busy), where {@code active} counts this process's only
 */
public record QueueStats(String queue, long waiting, long delayed, long active, long completed, long failed,
                         long dead, double throughputPerSecond, double successRate, Duration averageDuration,
                         long peakActive, long inFlight) {

    /** Stats without the provider's in-flight count ({@code -1}), as before it was one. */
    public QueueStats(String queue, long waiting, long delayed, long active, long completed, long failed, long dead,
                      double throughputPerSecond, double successRate, Duration averageDuration, long peakActive) {
        this(queue, waiting, delayed, active, completed, failed, dead, throughputPerSecond, successRate,
                averageDuration, peakActive, -1);
    }
}
