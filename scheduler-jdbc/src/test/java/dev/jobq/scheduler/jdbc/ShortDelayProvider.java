package dev.jobq.scheduler.jdbc;

import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;

/**
 * A real memory provider that reports SQS's 15-minute delay limit, so the core routes longer
 * delays to the scheduler as it does for SQS; everything else is the memory provider's.
 */
final class ShortDelayProvider extends ForwardingQueueProvider {

    static final Duration MAX_DELAY = Duration.ofMinutes(15);

    ShortDelayProvider(QueueProvider memory) {
        super(memory);
    }

    @Override
    public Capabilities capabilities() {
        Capabilities real = delegate().capabilities();
        return new Capabilities(MAX_DELAY, real.maxPayloadBytes(), real.features());
    }

    @Override
    public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
        if (delay.compareTo(MAX_DELAY) > 0) {
            throw new AssertionError("the core handed a " + delay + " delay to a provider that holds at most 15 min");
        }
        return delegate().enqueue(envelope, delay);
    }
}
