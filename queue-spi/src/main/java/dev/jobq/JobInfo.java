package dev.jobq;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A job as the queue knows it, for inspection ({@link JobQueue#getJob(String)}).
 *
 * @param attempts    attempts started so far
 * @param payloadJson the payload as JSON text
 * @param lastError   the last attempt's error, if one failed
 */
public record JobInfo(String id, String type, String queue, JobState state, int attempts, JobOptions options,
                      String payloadJson, Instant createdAt, Instant updatedAt, @Nullable String lastError) {
}
