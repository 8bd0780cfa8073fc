package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.JobQueue;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** close() and enqueue calls made at the same time. */
class EnqueueDuringCloseTest {

    @Test
    @DisplayName("an enqueue under way when close() begins finishes before the provider is closed")
    void closeLetsAnEnqueueUnderWayFinish() throws Exception {
        var sending = new CountDownLatch(1);
        var answer = new CountDownLatch(1);
        var inSend = new AtomicBoolean();
        var closedInSend = new AtomicBoolean();
        QueueProvider memory = new MemoryProviderFactory().create(
                new ProviderContext("default", Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        // A send that takes its time, as an SQS call does: closing the provider under it failed the call.
        QueueProvider slow = new ForwardingQueueProvider(memory) {
            @Override
            public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
                inSend.set(true);
                sending.countDown();
                try {
                    assertThat(answer.await(10, TimeUnit.SECONDS)).isTrue();
                    return super.enqueue(envelope, delay);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    inSend.set(false);
                }
            }

            @Override
            public void close() {
                closedInSend.compareAndSet(false, inSend.get());
                super.close();
            }
        };
        JobQueue jobs = JobQueue.builder().provider(slow).shutdownTimeout(Duration.ofSeconds(10)).build();

        CompletableFuture<String> enqueued = CompletableFuture.supplyAsync(() -> jobs.enqueue("report:build", "q3"));
        assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(jobs::close);
        // close() is waiting for the send (or, before the fix, already closed the provider under it).
        await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.TIMED_WAITING
                || closer.getState() == Thread.State.TERMINATED);
        answer.countDown();
        closer.join(Duration.ofSeconds(10));

        assertThat(closer.isAlive()).isFalse();
        assertThat(closedInSend).as("provider closed while a send was under way").isFalse();
        assertThat(enqueued.get(10, TimeUnit.SECONDS)).isNotBlank();
    }
}
