package dev.jobq.cli;

import dev.jobq.DeadLetters;
import dev.jobq.JobInfo;
import dev.jobq.memory.MemoryProviderFactory;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real memory provider with two things a test can change: whether it shows its dead letters
 * (SQS-like providers do not), and whether reading its stats fails (an unreachable provider).
 */
public final class AlteredProvider implements QueueProvider {

    private final QueueProvider delegate = MemoryProviderFactory.builder().build();
    private final boolean showsDeadLetters;
    private final AtomicReference<RuntimeException> statsFailure = new AtomicReference<>();

    public AlteredProvider(boolean showsDeadLetters) {
        this.showsDeadLetters = showsDeadLetters;
    }

    /** From now on {@link #stats()} throws {@code failure}; null makes it work again. */
    public void failStats(RuntimeException failure) {
        statsFailure.set(failure);
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
        RuntimeException failure = statsFailure.get();
        if (failure != null) {
            throw failure;
        }
        return delegate.stats();
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return showsDeadLetters ? delegate.deadLetters() : Optional.empty();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
