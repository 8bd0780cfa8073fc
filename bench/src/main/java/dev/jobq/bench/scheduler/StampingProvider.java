package dev.jobq.bench.scheduler;

import dev.jobq.DeadLetters;
import dev.jobq.JobInfo;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A provider that notes each job the moment its enqueue is called, before the provider it wraps
 * takes it: the earliest the job can have been anyone's to run. B7 judges "never early" by it; a
 * moment taken once the provider accepted the job (the queue's {@code Enqueued} event) comes after
 * the enqueue's own time, and would hide a hand-on that began earlier than that before its instant.
 */
final class StampingProvider implements QueueProvider {

    private final QueueProvider provider;
    private final Consumer<String> enqueueCalled;

    /** {@code enqueueCalled} gets the job's id, on the calling thread, before {@code provider} sees the job. */
    StampingProvider(QueueProvider provider, Consumer<String> enqueueCalled) {
        this.provider = provider;
        this.enqueueCalled = enqueueCalled;
    }

    @Override
    public Capabilities capabilities() {
        return provider.capabilities();
    }

    @Override
    public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
        enqueueCalled.accept(envelope.jobId());
        return provider.enqueue(envelope, delay);
    }

    @Override
    public void checkAcceptable(JobEnvelope envelope) {
        provider.checkAcceptable(envelope);
    }

    @Override
    public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
        envelopes.forEach(envelope -> enqueueCalled.accept(envelope.jobId()));
        return provider.enqueueAll(envelopes, delay);
    }

    @Override
    public List<ReceivedJob> receive(int max, Duration wait) {
        return provider.receive(max, wait);
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        provider.acknowledge(job);
    }

    @Override
    public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
        return provider.acknowledgeAndReceive(job, max);
    }

    @Override
    public void fail(ReceivedJob job, Failure failure) {
        provider.fail(job, failure);
    }

    @Override
    public void extendLease(ReceivedJob job, Duration extension) {
        provider.extendLease(job, extension);
    }

    @Override
    public void release(ReceivedJob job) {
        provider.release(job);
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        return provider.getJob(jobId);
    }

    @Override
    public Optional<String> jobHoldingKey(String deduplicationKey) {
        return provider.jobHoldingKey(deduplicationKey);
    }

    @Override
    public ProviderStats stats() {
        return provider.stats();
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return provider.deadLetters();
    }

    @Override
    public void close() {
        provider.close();
    }
}
