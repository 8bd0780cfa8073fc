package dev.jobq.memory;

import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.util.List;

/**
 * A provider seen through a queue that does not close it, so a test can hand the same jobs to a
 * second queue after the first one shut down (as two worker processes share one SQS queue). It can
 * also run a step before each acknowledgement, to make one as slow as an SQS call.
 */
final class KeepOpen extends ForwardingQueueProvider {

    private final Runnable beforeAcknowledge;

    KeepOpen(QueueProvider delegate) {
        this(delegate, () -> { });
    }

    KeepOpen(QueueProvider delegate, Runnable beforeAcknowledge) {
        super(delegate);
        this.beforeAcknowledge = beforeAcknowledge;
    }

    @Override
    public void acknowledge(ReceivedJob job) {
        beforeAcknowledge.run();
        super.acknowledge(job);
    }

    /** Forwarded whole, so the provider beneath still takes the next job with the acknowledgement. */
    @Override
    public List<ReceivedJob> acknowledgeAndReceive(ReceivedJob job, int max) {
        beforeAcknowledge.run();
        return delegate().acknowledgeAndReceive(job, max);
    }

    @Override
    public void close() {
        // The test closes the real provider.
    }
}
