package dev.jobq.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * A leased delivery of a job. Until it is acknowledged, failed or released, or its lease ends, no
 * other receiver gets the same job.
 *
 * @param envelope      the job
 * @param attempt       the attempt number of this delivery, 1-based, counting deliveries whose lease
 *                      expired (a crashed worker's attempt counts)
 * @param receipt       the provider's handle for this delivery (SQS receipt handle, memory lease token)
 * @param leaseDuration how long the lease lasts from receipt unless extended
 */
public record ReceivedJob(JobEnvelope envelope, int attempt, String receipt, Duration leaseDuration) {

    public ReceivedJob {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(receipt, "receipt");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be ≥ 1, got " + attempt);
        }
    }

    public String jobId() {
        return envelope.jobId();
    }
}
