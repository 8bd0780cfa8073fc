package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A refused priority says how to fix it both in code and with {@code jobq enqueue}, which shows the
 * same message: a command-line user has no EnqueueOptions to call.
 */
class UnsupportedOptionAdviceTest {

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void aPriorityTheProviderCannotHonourNamesTheQueueFixForCodeAndCommand() {
        QueueProvider withoutPriority = new ForwardingQueueProvider(fixture.memoryProvider(Map.of())) {
            @Override
            public Capabilities capabilities() {
                Capabilities own = super.capabilities();
                return new Capabilities(own.maxDelay(), own.maxPayloadBytes(), Set.of(), own.receiveBatch());
            }
        };
        JobQueue jobs = fixture.queue(withoutPriority, 1, Duration.ofSeconds(1));

        assertThatThrownBy(() -> jobs.enqueue("a:b", null, EnqueueOptions.builder().priority(5).build()))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("EnqueueOptions.queue(\"critical\")")
                .hasMessageContaining("jobq enqueue --queue critical");
    }
}
