package dev.jobq.scheduler.jdbc;

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
 * A real memory provider that reports SQS's 15-minute delay limit, so the core routes longer
 * delays to the scheduler as it does for SQS; everything else is the memory provider's.
 */
final class ShortDelayProvider implements QueueProvider {

    static final Duration MAX_DELAY = Duration.ofMinutes(15);

    private final QueueProvider memory;

    ShortDelayProvider(QueueProvider memory) {
        this.memory = memory;
    }

    @Override
    public Capabilities capabilities() {
        Capabilities real = memory.capabilities();
        return new Capabilities(MAX_DELAY, real.maxPayloadBytes(), real.features());
    }

    @Override
    public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
        if (delay.compareTo(MAX_DELAY) > 0) {
            throw new AssertionError("the core handed a " + delay + " delay to a provider that holds at most 15 min");
        }
        return memory.enqueue(envelope, delay);
    }

    @Override
    public List<ReceivedJob> receive(int max, Duration wait) {
        return memory.receive(max, wait);
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        memory.acknowledge(job);
    }

    @Override
    public void fail(ReceivedJob job, Failure failure) {
        memory.fail(job, failure);
    }

    @Override
    public void extendLease(ReceivedJob job, Duration extension) {
        memory.extendLease(job, extension);
    }

    @Override
    public void release(ReceivedJob job) {
        memory.release(job);
    }

    @Override
    public Optional<JobInfo> getJob(String jobId) {
        return memory.getJob(jobId);
    }

    @Override
    public ProviderStats stats() {
        return memory.stats();
    }

    @Override
    public Optional<DeadLetters> deadLetters() {
        return memory.deadLetters();
    }

    @Override
    public void close() {
        memory.close();
    }
}
