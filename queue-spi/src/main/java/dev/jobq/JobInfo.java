package dev.jobq;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A job as the queue knows it, for inspection ({@link JobQueue#getJob(String)}).
 *
 * @param attempts    attempts started so far
 * @param payloadJson the payload as JSON text
 * @param lastError   the error of the latest attempt that failed, if any; kept when a later attempt
 *                    succeeds or the job is run again from the dead letters, so a completed job still
 *                    shows what it got past (its {@code attempts} say how many tries that took)
 */
public record JobInfo(String id, String type, String queue, JobState state, int attempts, JobOptions options,
                      String payloadJson, Instant createdAt, Instant updatedAt, @Nullable String lastError) {
}
