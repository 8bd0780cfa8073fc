package dev.jobq.memory;

import dev.jobq.Backoff;
import dev.jobq.JobQueue;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The memory providers and job queues of one worker test, all recording into one {@link EventRecorder};
 * {@link #close()} closes them, newest first.
 */
final class WorkerFixture implements AutoCloseable {

    final EventRecorder events = new EventRecorder();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** A memory provider of queue "default" with these settings. */
    QueueProvider memoryProvider(Map<String, ?> settings) {
        return closeLater(new MemoryProviderFactory().create(
                new ProviderContext("default", Settings.of("test", "provider", settings), Clock.systemUTC())));
    }

    /** A queue on {@code provider} (left open for the fixture to close), no retry backoff, events recorded. */
    JobQueue queue(QueueProvider provider, int concurrency, Duration shutdownTimeout) {
        return closeLater(JobQueue.builder()
                .provider(new KeepOpen(provider))
                .concurrency(concurrency)
                .shutdownTimeout(shutdownTimeout)
                .backoff(Backoff.none())
                .listener(events)
                .build());
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }
}
