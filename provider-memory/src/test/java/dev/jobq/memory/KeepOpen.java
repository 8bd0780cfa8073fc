package dev.jobq.memory;

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
import java.util.Optional;

/**
 * A provider seen through a queue that does not close it, so a test can hand the same jobs to a
 * second queue after the first one shut down (as two worker processes share one SQS queue). It can
 * also run a step before each acknowledgement, to make one as slow as an SQS call.
 */
final class KeepOpen implements QueueProvider {

    private final QueueProvider delegate;
    private final Runnable beforeAcknowledge;

    KeepOpen(QueueProvider delegate) {
        this(delegate, () -> { });
    }

    KeepOpen(QueueProvider delegate, Runnable beforeAcknowledge) {
        this.delegate = delegate;
        this.beforeAcknowledge = beforeAcknowledge;
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
    public List<ReceivedJob> receive(int max, Duration wait) {
        return delegate.receive(max, wait);
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        beforeAcknowledge.run();
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
    public ProviderStats stats() {
        return delegate.stats();
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return delegate.deadLetters();
    }

    @Override
    public void close() {
        // The test closes the real provider.
    }
}
