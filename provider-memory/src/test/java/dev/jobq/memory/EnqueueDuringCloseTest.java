package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
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

    record Step(int n) {
    }

    @Test
    @DisplayName("a handler that finishes during close()'s drain can enqueue its follow-up job")
    void handlerFinishingInTheDrainCanEnqueue() throws Exception {
        var events = new EventRecorder();
        JobQueue jobs = JobQueue.builder().shutdownTimeout(Duration.ofSeconds(20)).listener(events).build();
        var started = new CountDownLatch(1);
        var mayFinish = new CountDownLatch(1);
        jobs.registerJobHandler("order:pay", Step.class, (job, ctx) -> {
            started.countDown();
            assertThat(mayFinish.await(20, TimeUnit.SECONDS)).isTrue();
            jobs.enqueue("order:ship", new Step(job.payload().n() + 1));
        });
        jobs.start();
        String pay = jobs.enqueue("order:pay", new Step(1), EnqueueOptions.builder().maxAttempts(1).build());
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        Thread closer = Thread.ofPlatform().start(jobs::close);
        // close() has begun and waits for the running handler.
        await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
        mayFinish.countDown();
        closer.join(Duration.ofSeconds(30));

        assertThat(closer.isAlive()).isFalse();
        // Before, the enqueue threw "this JobQueue is closed" and the paid order went to the dead letters.
        assertThat(events.all(JobEvent.Dead.class)).isEmpty();
        assertThat(events.all(JobEvent.Completed.class)).extracting(JobEvent.Completed::jobId).containsExactly(pay);
        assertThat(events.all(JobEvent.Enqueued.class)).extracting(JobEvent.Enqueued::type)
                .containsExactly("order:pay", "order:ship");
        assertThatThrownBy(() -> jobs.enqueue("order:ship", new Step(3))).isInstanceOf(JobQueueException.class)
                .hasMessage("this JobQueue is closed; build a new one");
    }
}
