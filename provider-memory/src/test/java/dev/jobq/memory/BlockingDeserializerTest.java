package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A payload class whose own deserializer blocks (on I/O, a lock, a huge payload): binding the payload is part of the
 * job's attempt, so it gets the lease heartbeats and the timeout a handler gets, and a shutdown treats a thread stuck
 * there as it treats a stuck handler (DESIGN §4, §7; docs/semantics.md#timeouts-and-cancellation).
 */
class BlockingDeserializerTest {

    /** What the deserializer waits for; opened at the end of each test. */
    private static volatile CountDownLatch gate = new CountDownLatch(1);
    /** How many times the deserializer was entered, and how many of those ended by an interrupt. */
    private static final AtomicInteger entered = new AtomicInteger();
    private static final AtomicInteger interrupted = new AtomicInteger();

    @JsonDeserialize(using = Blocking.Reader.class)
    record Blocking(int n) {

        /** Reads {@code n} once the gate opens, as a deserializer that fetches a part of the payload would. */
        static final class Reader extends JsonDeserializer<Blocking> {
            @Override
            public Blocking deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                int n = context.readTree(parser).get("n").asInt();
                entered.incrementAndGet();
                try {
                    if (!gate.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("the test never opened the gate");
                    }
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the payload");
                }
                return new Blocking(n);
            }
        }
    }

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void close() throws Exception {
        gate.countDown();
        fixture.close();
        gate = new CountDownLatch(1);
        entered.set(0);
        interrupted.set(0);
    }

    @Test
    @DisplayName("the lease of a job whose payload's deserializer blocks is extended while it blocks: the job is not "
            + "delivered again meanwhile")
    void leaseIsExtendedWhileThePayloadIsBound() {
        // A lease of 1 s: with 300 ms, a heartbeat 200 ms late (a loaded core's) let it run out under the deserializer,
        // and the job was delivered again to the second permit as if no heartbeat came.
        var provider = new CountingHeartbeats(fixture.memoryProvider(Map.of("leaseDuration", "1s")));
        JobQueue jobs = fixture.queue(provider, 2, Duration.ofSeconds(5));
        jobs.registerJobHandler("blocking", Blocking.class, (job, ctx) -> { });
        jobs.start();
        String id = jobs.enqueue("blocking", new Blocking(7), EnqueueOptions.builder().timeout(Duration.ofSeconds(60))
                .maxAttempts(5).build());

        // Heartbeats every 333 ms: three of them carry the lease past its length. Before, none came, the 1 s lease ran
        // out under the deserializer and the job was delivered again to the second permit.
        await().atMost(Duration.ofSeconds(10)).until(() -> provider.heartbeatsOf(id) >= 3 || entered.get() > 1);
        assertThat(entered).as("deliveries that reached the deserializer").hasValue(1);
        assertThat(provider.heartbeatsOf(id)).as("heartbeats while the deserializer blocked").isGreaterThanOrEqualTo(3);

        gate.countDown();
        fixture.events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(fixture.events.all(JobEvent.Completed.class)).extracting(JobEvent.Completed::jobId)
                .containsExactly(id);
        assertThat(entered).as("deliveries that reached the deserializer").hasValue(1);
    }

    @Test
    @DisplayName("a deserializer that blocks past the job's timeout is interrupted and the attempt fails as timed out, "
            + "its reason naming the payload's binding; no Started, as the handler never started")
    void timeoutAppliesToTheDeserializer() {
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("blocking", Blocking.class, (job, ctx) -> { });
        jobs.start();
        String id = jobs.enqueue("blocking", new Blocking(7), EnqueueOptions.builder()
                .timeout(Duration.ofMillis(500)).maxAttempts(1).build());

        // Before, nothing happened until the deserializer gave up by itself (here 30 s; for ever on a hung socket).
        await().atMost(Duration.ofSeconds(10)).until(() -> !fixture.events.all(JobEvent.Dead.class).isEmpty());
        JobEvent.Dead dead = fixture.events.all(JobEvent.Dead.class).get(0);
        assertThat(dead.jobId()).isEqualTo(id);
        assertThat(dead.error()).startsWith("timed out after 500ms while its payload was read as "
                + Blocking.class.getName() + ", before its handler started").endsWith("(attempt 1 of 1)");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(interrupted).hasValue(1));
        assertThat(fixture.events.all(JobEvent.Started.class)).isEmpty();
    }

    @Test
    @DisplayName("close() treats a thread stuck in a deserializer as a stuck handler: waited for up to shutdownTimeout, "
            + "then interrupted, its job released and counted")
    void closeTreatsAStuckDeserializerAsAStuckHandler() {
        var provider = fixture.memoryProvider(Map.of());
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofMillis(300));
        jobs.registerJobHandler("blocking", Blocking.class, (job, ctx) -> { });
        jobs.start();
        String id = jobs.enqueue("blocking", new Blocking(7), EnqueueOptions.builder().timeout(Duration.ofSeconds(60))
                .build());
        await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 1);

        jobs.close();

        // Before, close() handed the job back as unstarted and left the thread blocked, uninterrupted, for as long as
        // its deserializer waited (for ever on a hung socket), holding its permit.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(interrupted).hasValue(1));
        assertThat(fixture.events.all(JobEvent.Released.class)).extracting(JobEvent.Released::jobId).containsExactly(id);
        assertThat(fixture.events.all(JobEvent.WorkerStopped.class)).extracting(JobEvent.WorkerStopped::released)
                .containsExactly(1);
        assertThat(provider.stats().waiting()).as("the job, back in its queue").isEqualTo(1);
    }

    @Test
    @DisplayName("a job whose payload is being bound as close() begins does not start its handler once bound: it is "
            + "handed back unstarted, with no event")
    void aJobBoundDuringTheDrainIsHandedBackUnstarted() throws Exception {
        var provider = fixture.memoryProvider(Map.of());
        JobQueue jobs = fixture.queue(provider, 1, Duration.ofSeconds(10));
        var handled = new AtomicInteger();
        jobs.registerJobHandler("blocking", Blocking.class, (job, ctx) -> handled.incrementAndGet());
        jobs.start();
        jobs.enqueue("blocking", new Blocking(7), EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 1);

        Thread closing = Thread.ofVirtual().start(jobs::close);
        // close() waits for the running attempts once it began stopping (or it is done)
        await().atMost(Duration.ofSeconds(10)).until(() -> !closing.isAlive() || Arrays.stream(closing.getStackTrace())
                .anyMatch(frame -> frame.getMethodName().equals("awaitRunsSettled")));
        gate.countDown();
        assertThat(closing.join(Duration.ofSeconds(10))).as("close() returned").isTrue();

        assertThat(handled).as("handlers started after close() began").hasValue(0);
        assertThat(fixture.events.all(JobEvent.class)).as("events of the job")
                .noneMatch(e -> e instanceof JobEvent.Started || e instanceof JobEvent.Completed
                        || e instanceof JobEvent.Released || e instanceof JobEvent.Failed || e instanceof JobEvent.Dead);
        assertThat(provider.stats().waiting()).as("the job, back in its queue").isEqualTo(1);
    }

    /** A provider that counts each job's lease extensions. */
    private static final class CountingHeartbeats extends ForwardingQueueProvider {
        private final List<String> extended = new CopyOnWriteArrayList<>();

        CountingHeartbeats(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            extended.add(job.jobId());
            super.extendLease(job, extension);
        }

        long heartbeatsOf(String jobId) {
            return extended.stream().filter(jobId::equals).count();
        }
    }
}
