package dev.jobq.memory;

import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.ForwardingQueueProvider;

/**
 * A provider seen through a queue that does not close it, so a test can hand the same jobs to a
 * second queue after the first one shut down (as two worker processes share one SQS queue).
 */
final class KeepOpen extends ForwardingQueueProvider {

    KeepOpen(QueueProvider delegate) {
        super(delegate);
    }

    @Override
    public void close() {
        // The test closes the real provider.
    }
}
