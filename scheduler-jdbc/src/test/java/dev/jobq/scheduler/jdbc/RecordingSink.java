package dev.jobq.scheduler.jdbc;

import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A {@link JobSink} that records every envelope it accepts, counting submissions per job id, and
 * can be told to refuse some. Thread-safe: several scheduler instances may share one.
 */
final class RecordingSink implements JobSink {

    record Submission(JobEnvelope envelope, Instant at) {
    }

    private final InstantSource clock;
    private final ConcurrentLinkedQueue<Submission> submissions = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> perId = new ConcurrentHashMap<>();
    private volatile Predicate<JobEnvelope> refuse = envelope -> false;
    private volatile Predicate<JobEnvelope> reject = envelope -> false;

    RecordingSink(InstantSource clock) {
        this.clock = clock;
    }

    /** From now on, refuses envelopes matching {@code predicate} as an unreachable provider would. */
    void refuseWhen(Predicate<JobEnvelope> predicate) {
        this.refuse = predicate;
    }

    /**
     * From now on, rejects envelopes matching {@code predicate} as a provider rejects a job it cannot take as
     * it is (a payload over a limit lowered since the job was scheduled): a {@link JobRejectedException}.
     */
    void rejectWhen(Predicate<JobEnvelope> predicate) {
        this.reject = predicate;
    }

    @Override
    public EnqueueResult submit(JobEnvelope envelope) {
        if (reject.test(envelope)) {
            throw new JobRejectedException("job " + envelope.jobId() + " would be an SQS message of 300000 bytes, over "
                    + "the limit of 258048 bytes (rejected by the test)");
        }
        if (refuse.test(envelope)) {
            throw new JobQueueException("provider unreachable (refused by the test) for job " + envelope.jobId());
        }
        submissions.add(new Submission(envelope, clock.instant()));
        perId.computeIfAbsent(envelope.jobId(), id -> new AtomicInteger()).incrementAndGet();
        return EnqueueResult.accepted(envelope.jobId());
    }

    int count() {
        return submissions.size();
    }

    List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    List<JobEnvelope> envelopes() {
        return submissions.stream().map(Submission::envelope).toList();
    }

    List<JobEnvelope> ofType(String type) {
        return envelopes().stream().filter(e -> e.type().equals(type)).toList();
    }

    /** The occurrence instants (scheduledFor) of the submitted jobs of {@code type}, in submission order. */
    List<Instant> firedAt(String type) {
        return ofType(type).stream().map(JobEnvelope::scheduledFor).toList();
    }

    /** Job ids submitted more than once, with their counts. */
    Map<String, Integer> duplicates() {
        return perId.entrySet().stream().filter(e -> e.getValue().get() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }

    int distinctIds() {
        return perId.size();
    }
}
