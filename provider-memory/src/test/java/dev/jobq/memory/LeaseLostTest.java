package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A provider that answers a heartbeat with {@link LeaseLostException} (SQS: ReceiptHandleIsInvalid): the
 * attempt is cancelled as at a timeout, its heartbeats stop, and it ends without an outcome.
 */
class LeaseLostTest {

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    @DisplayName("a lost lease cancels the attempt: isCancelled, the handler interrupted, no more heartbeats, "
            + "no Completed, Failed or Dead")
    void lostLeaseCancelsTheAttempt() throws Exception {
        var losing = new LosingLeases(fixture.memoryProvider(Map.of("leaseDuration", "300ms")));
        JobQueue jobs = fixture.queue(losing, 1, Duration.ofSeconds(5));
        var cancelledWhenInterrupted = new CompletableFuture<Boolean>();
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            try {
                new CountDownLatch(1).await(30, TimeUnit.SECONDS);
                cancelledWhenInterrupted.complete(false); // not interrupted
            } catch (InterruptedException e) {
                cancelledWhenInterrupted.complete(ctx.isCancelled());
                throw e;
            }
        });
        jobs.start();
        String id = jobs.enqueue("report:build", 1, EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());

        // Before, the loss was not the handler's to know: it ran on for its 30 s, and on to its end.
        assertThat(cancelledWhenInterrupted.get(10, TimeUnit.SECONDS)).as("ctx.isCancelled() once interrupted")
                .isTrue();
        jobs.close(); // waits for the attempt to be settled

        assertThat(losing.heartbeats()).as("heartbeats: the one that found the lease lost").isEqualTo(1);
        assertThat(fixture.events.all(JobEvent.Started.class)).extracting(JobEvent.Started::jobId).containsExactly(id);
        assertThat(fixture.events.all(JobEvent.class)).as("an outcome of the cancelled attempt")
                .noneMatch(e -> e instanceof JobEvent.Completed || e instanceof JobEvent.Failed
                        || e instanceof JobEvent.Dead);
    }

    private static final class LosingLeases extends ForwardingQueueProvider {

        private final AtomicInteger heartbeats = new AtomicInteger();

        LosingLeases(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            heartbeats.incrementAndGet();
            throw new LeaseLostException("job " + job.jobId() + " lost its lease", new IllegalStateException("gone"));
        }

        int heartbeats() {
            return heartbeats.get();
        }
    }
}
