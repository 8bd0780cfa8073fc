package dev.jobq.bench.scheduler;

import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A provider that notes each job the moment its enqueue is called, before the provider it wraps
 * takes it: the earliest the job can have been anyone's to run. B7 judges "never early" by it; a
 * moment taken once the provider accepted the job (the queue's {@code Enqueued} event) comes after
 * the enqueue's own time, and would hide a hand-on begun earlier than that before its instant.
 * {@link #enqueueAll} and {@link #acknowledgeAndReceive} go to the wrapped provider whole, as without
 * the wrapper (ForwardingQueueProvider would take them apart).
 */
final class StampingProvider extends ForwardingQueueProvider {

    private final Consumer<String> enqueueCalled;

    /** {@code enqueueCalled} gets the job's id, on the calling thread, before {@code provider} sees the job. */
    StampingProvider(QueueProvider provider, Consumer<String> enqueueCalled) {
        super(provider);
        this.enqueueCalled = enqueueCalled;
    }

    @Override
    public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
        enqueueCalled.accept(envelope.jobId());
        return delegate().enqueue(envelope, delay);
    }

    @Override
    public List<EnqueueOutcome> enqueueAll(List<JobEnvelope> envelopes, Duration delay) {
        envelopes.forEach(envelope -> enqueueCalled.accept(envelope.jobId()));
        return delegate().enqueueAll(envelopes, delay);
    }

    @Override
    public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
        return delegate().acknowledgeAndReceive(job, max);
    }
}
