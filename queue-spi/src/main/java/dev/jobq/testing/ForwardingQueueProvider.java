package dev.jobq.testing;

import dev.jobq.DeadLetters;
import dev.jobq.JobInfo;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A provider that hands every call to another one: extend it and override only what a test must
 * change (report a shorter delay limit, hide the dead letters, fail stats, not close the real
 * provider). {@link #enqueueAll} and {@link #acknowledgeAndReceive} are not forwarded: they go
 * through this provider's {@link #enqueue}, one job after another, and its {@link #acknowledge} and
 * {@link #receive}, so that an override of those applies to both.
 * Thread-safe as far as its delegate is.
 */
public abstract class ForwardingQueueProvider implements QueueProvider {

    private final QueueProvider delegate;

    protected ForwardingQueueProvider(QueueProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The provider the calls go to. */
    protected final QueueProvider delegate() {
        return delegate;
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
        return delegate.enqueue(envelope, delay);
    }

    @Override
    public void checkAcceptable(JobEnvelope envelope) {
        delegate.checkAcceptable(envelope);
    }

    @Override
    public List<ReceivedJob> receive(int max, Duration wait) {
        return delegate.receive(max, wait);
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        delegate.acknowledge(job);
    }

    @Override
    public void fail(ReceivedJob job, Failure failure) {
        delegate.fail(job, failure);
    }

    @Override
    public void extendLease(ReceivedJob job, Duration extension) {
        delegate.extendLease(job, extension);
    }

    @Override
    public void release(ReceivedJob job) {
        delegate.release(job);
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        return delegate.getJob(jobId);
    }

    @Override
    public Optional<String> jobHoldingKey(String deduplicationKey) {
        return delegate.jobHoldingKey(deduplicationKey);
    }

    @Override
    public ProviderStats stats() {
        return delegate.stats();
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return delegate.deadLetters();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
