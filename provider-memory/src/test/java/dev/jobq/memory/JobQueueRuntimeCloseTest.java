package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What close() logs of the parts it closes. */
class JobQueueRuntimeCloseTest {

    @Test
    @DisplayName("a provider whose close() fails is named with its queue's name escaped: a U+202E in it reversed the "
            + "rest of the WARN line, the one place a queue's name was still logged raw")
    void aProviderWhoseCloseFailsIsNamedWithItsQueueEscaped() {
        String name = "bills\u202Efdp.exe";
        QueueProvider memory = new MemoryProviderFactory().create(
                new ProviderContext(name, Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        QueueProvider failingClose = new ForwardingQueueProvider(memory) {
            @Override
            public void close() {
                super.close();
                throw new IllegalStateException("connection pool already shut down");
            }
        };
        JobQueue jobs = JobQueue.builder().queue(name, failingClose).build();

        try (CapturedLog log = CapturedLog.of(JobQueueRuntime.class)) {
            jobs.close();
            assertThat(log.warnings()).containsExactly("closing the provider of queue 'bills\\u202efdp.exe' failed");
        }
    }
}
