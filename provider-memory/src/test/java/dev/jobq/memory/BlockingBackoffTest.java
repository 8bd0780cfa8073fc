package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.Feature;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A job type's {@link Backoff} is user code, and one may block (a rate table read over the network, a lock). Its
 * delay is decided while the failed attempt still holds its lease (docs/semantics.md, Backoff): heartbeats go on
 * meanwhile, so the job is not delivered a second time, and the job's timeout bounds the wait. Decided after the
 * attempt was finished, it ran with neither: the lease ran out and the job ran again elsewhere.
 */
class BlockingBackoffTest {

    private final WorkerFixture fixture = new WorkerFixture();
    /** What the backoff waits for; counted down at the end, so that no test leaves one waiting. */
    private final CountDownLatch backoffGoesOn = new CountDownLatch(1);
    private final CountDownLatch inBackoff = new CountDownLatch(1);
    /** Counted down by the first attempt of "report:slow" ({@link #registerSlow}). */
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final Logger workerLog = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker");
    private final CapturedLog logged = new CapturedLog();

    @BeforeEach
    void capture() {
        logged.start();
        workerLog.addAppender(logged);
    }

    @AfterEach
    void close() throws Exception {
        backoffGoesOn.countDown();
        fixture.close();
        workerLog.detachAppender(logged);
    }

    @Test
    @DisplayName("a backoff that blocks past the lease: heartbeats keep the lease, the job is not delivered again "
            + "until its retry")
    void aBackoffThatBlocksKeepsItsLease() throws Exception {
        JobQueue jobs = queue();
        String id = jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(2)
                .timeout(Duration.ofSeconds(20)).build());
        jobs.start();
        assertThat(inBackoff.await(10, TimeUnit.SECONDS)).as("the backoff was asked").isTrue();

        noSecondDeliveryWhileTheBackoffBlocks();

        fixture.events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(fixture.events.all(JobEvent.Failed.class)).singleElement()
                .satisfies(failed -> assertThat(failed.attempt()).isEqualTo(1))
                .satisfies(failed -> assertThat(failed.error()).contains("the data is late"));
        assertThat(fixture.events.all(JobEvent.Completed.class)).singleElement()
                .satisfies(completed -> assertThat(completed.jobId()).isEqualTo(id))
                .satisfies(completed -> assertThat(completed.attempt()).isEqualTo(2));
        assertThat(fixture.events.all(JobEvent.Started.class)).as("deliveries").hasSize(2);
    }

    @Test
    @DisplayName("a backoff that blocks past the job's timeout: the attempt times out, its handler's failure is "
            + "retried with the worker's default backoff, and the backoff is not asked again on the timeout's thread")
    void aBackoffThatBlocksIsBoundedByTheJobsTimeout() throws Exception {
        JobQueue jobs = queue();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(2).timeout(Duration.ofSeconds(3))
                .build());
        jobs.start();
        assertThat(inBackoff.await(10, TimeUnit.SECONDS)).as("the backoff was asked").isTrue();

        JobEvent.Failed failed = fixture.events.awaitCount(JobEvent.Failed.class, 1).getFirst();
        assertThat(failed.attempt()).isEqualTo(1);
        assertThat(failed.error()).startsWith("timed out after 3s: the handler failed, and its backoff (a lambda in "
                + BlockingBackoffTest.class.getName() + ") did not return within the job's timeout");
        assertThat(failed.retryIn()).as("the worker's default backoff (Backoff.none()), not the built-in 1 s")
                .isEqualTo(Duration.ZERO);
        fixture.events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(fixture.events.all(JobEvent.Started.class)).as("deliveries").hasSize(2);
        // The timeout's interrupt ended the backoff: the worker's own doing, its result discarded, not a broken backoff
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logged.list)
                .as("the handler's thread's line once its backoff was interrupted")
                .anySatisfy(event -> assertThat(event.getFormattedMessage())
                        .contains("its backoff (a lambda in " + BlockingBackoffTest.class.getName()
                                + ") did not return within the job's timeout")));
        assertThat(logged.list).as("ERROR lines").filteredOn(event -> event.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    @Test
    @DisplayName("a backoff that blocks after a timeout: heartbeats keep the lease while the timeout's retry waits for "
            + "it, the job is not delivered again until its retry")
    void aBackoffThatBlocksAfterATimeoutKeepsItsLease() throws Exception {
        JobQueue jobs = queue();
        registerSlow(jobs, blockingBackoff());
        jobs.enqueue("report:slow", 1, EnqueueOptions.builder().maxAttempts(2).timeout(Duration.ofSeconds(5))
                .build()); // longer than the window below: heartbeats go on for one more timeout at most
        jobs.start();
        assertThat(slowStarted.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
        assertThat(inBackoff.await(10, TimeUnit.SECONDS)).as("the backoff was asked").isTrue();

        noSecondDeliveryWhileTheBackoffBlocks();

        fixture.events.awaitCount(JobEvent.Completed.class, 1);
        assertThat(fixture.events.all(JobEvent.Failed.class)).singleElement()
                .satisfies(failed -> assertThat(failed.error()).startsWith("timed out after 5s"));
        assertThat(fixture.events.all(JobEvent.Started.class)).as("deliveries").hasSize(2);
    }

    @Test
    @DisplayName("a timeout's backoff that blocks past one more job timeout: its heartbeats stop, as a handler's past "
            + "its timeout do, and the job comes back when its lease ends and runs again")
    void aTimeOutsBackoffThatNeverReturnsLetsTheJobGo() throws Exception {
        JobQueue jobs = queue();
        registerSlow(jobs, blockingBackoff());
        String id = jobs.enqueue("report:slow", 1, EnqueueOptions.builder().maxAttempts(2)
                .timeout(Duration.ofMillis(500)).build());
        jobs.start();
        assertThat(inBackoff.await(10, TimeUnit.SECONDS)).as("the backoff was asked").isTrue();

        // Heartbeats for 500 ms more, then the 1 s lease runs out: the job's next delivery starts while the backoff
        // still blocks (it was held for as long as the worker lived).
        JobEvent.Completed completed = fixture.events.awaitCount(JobEvent.Completed.class, 1).getFirst();
        assertThat(completed.jobId()).isEqualTo(id);
        assertThat(completed.attempt()).isEqualTo(2);
        assertThat(backoffGoesOn.getCount()).as("the backoff still blocks").isEqualTo(1);
        backoffGoesOn.countDown();
    }

    @Test
    @DisplayName("a heartbeat that finds the lease lost while a timeout's backoff blocks: the timed-out attempt is "
            + "neither announced nor counted, where the provider cannot tell a late settle")
    void aLeaseLostWhileATimeoutsBackoffBlocksRecordsNothing() throws Exception {
        var lose = new AtomicBoolean();
        var heartbeatFoundItLost = new CountDownLatch(1);
        // Memory without SETTLE_DETECTS_LOST_LEASE (as SQS): only the heartbeat can tell the worker the lease is gone.
        // A 1.5 s lease (heartbeats every 500 ms, so one may be a second late) and a 2 s timeout (heartbeats go on for
        // one more while its backoff blocks: four are due then, the first finds the lease lost). With a 300 ms lease one heartbeat 200 ms
        // late before the timeout let the lease run out under the running attempt, which was then ended as lost, and
        // its timeout's backoff never asked.
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "1500ms"));
        QueueProvider provider = new ForwardingQueueProvider(memory) {
            @Override
            public Capabilities capabilities() {
                Capabilities real = super.capabilities();
                Set<Feature> features = EnumSet.copyOf(real.features());
                features.remove(Feature.SETTLE_DETECTS_LOST_LEASE);
                return new Capabilities(real.maxDelay(), real.maxPayloadBytes(), features, real.receiveBatch(),
                        real.maxAttempts(), real.maxTimeout());
            }

            @Override
            public void extendLease(ReceivedJob job, Duration extension) {
                if (lose.get() && job.attempt() == 1) {
                    heartbeatFoundItLost.countDown();
                    throw new LeaseLostException("the lease of attempt 1 is no longer held (test)");
                }
                super.extendLease(job, extension);
            }
        };
        JobQueue jobs = fixture.queue(provider, 2, Duration.ofSeconds(5));
        registerSlow(jobs, failedAttempt -> {
            lose.set(true); // from here attempt 1's heartbeats find its lease lost, and it runs out unextended
            return blockingBackoff().delay(failedAttempt);
        });
        jobs.enqueue("report:slow", 1, EnqueueOptions.builder().maxAttempts(3).timeout(Duration.ofSeconds(2))
                .build());
        jobs.start();
        assertThat(inBackoff.await(10, TimeUnit.SECONDS)).as("the timeout's backoff was asked").isTrue();
        // The lease ran out: the job's other delivery runs and settles it while the timeout's backoff still blocks.
        assertThat(heartbeatFoundItLost.await(10, TimeUnit.SECONDS)).as("a heartbeat found the lease lost").isTrue();
        fixture.events.awaitCount(JobEvent.Completed.class, 1);
        backoffGoesOn.countDown();
        jobs.close(); // waits for the timeout's record

        assertThat(fixture.events.all(JobEvent.Failed.class)).as("Failed events").isEmpty();
        assertThat(fixture.events.all(JobEvent.Completed.class)).singleElement()
                .satisfies(completed -> assertThat(completed.attempt()).isEqualTo(2));
        assertThat(logged.list).as("the heartbeat's line").anySatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("attempt 1: the lease of attempt 1 is no longer held (test)"));
    }

    @Test
    @DisplayName("a handler's error whose message takes past the job's timeout to read: the timeout says the attempt "
            + "timed out, not that its backoff did not return")
    void anErrorWhoseMessageBlocksIsNotBlamedOnTheBackoff() throws Exception {
        var messages = new Semaphore(0);
        var readingMessage = new CountDownLatch(1);
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of("leaseDuration", "1s")), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:late-message", Integer.class, (n, ctx) -> {
            throw slowMessage(messages, new AtomicInteger(), readingMessage);
        });
        jobs.enqueue("report:late-message", 1, EnqueueOptions.builder().maxAttempts(2)
                .timeout(Duration.ofMillis(500)).build());
        jobs.start();
        assertThat(readingMessage.await(10, TimeUnit.SECONDS)).as("the error's message was read").isTrue();

        JobEvent.Failed failed = fixture.events.awaitCount(JobEvent.Failed.class, 1).getFirst();
        messages.release(1_000); // every read's worth
        // Before, it said "timed out after 500ms: the handler failed, and its backoff (…) did not return within the
        // job's timeout": no backoff had been asked, and its operator went looking at one that was never slow.
        assertThat(failed.error()).isEqualTo("timed out after 500ms");
        fixture.events.awaitCount(JobEvent.Dead.class, 1); // attempt 2: its handler's thread is done with attempt 1
        assertThat(logged.list).as("what the handler's thread logged once the message was read")
                .noneSatisfy(event -> assertThat(event.getFormattedMessage()).contains("did not return"));
    }

    @Test
    @DisplayName("a handler's error whose message takes past the job's timeout to read is read once: its thread is "
            + "free for the next job as soon as that read returns")
    void anErrorWhoseMessageBlocksIsReadOnce() throws Exception {
        var messages = new Semaphore(0);
        var reads = new AtomicInteger();
        var readingMessage = new CountDownLatch(1);
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of("leaseDuration", "1s")), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:late-message", Integer.class, (n, ctx) -> {
            if (ctx.attempt() > 1) {
                return;
            }
            throw slowMessage(messages, reads, readingMessage); // slow at every read
        });
        jobs.enqueue("report:late-message", 1, EnqueueOptions.builder().maxAttempts(2)
                .timeout(Duration.ofMillis(500)).build());
        jobs.start();
        assertThat(readingMessage.await(10, TimeUnit.SECONDS)).as("the error's message was read").isTrue();
        fixture.events.awaitCount(JobEvent.Failed.class, 1);
        messages.release(); // one read's worth

        // Before, once the timeout had settled the attempt, its thread read the message again for a DEBUG line, and
        // held the only permit for another such read: attempt 2 waited for it.
        await().atMost(Duration.ofSeconds(10)).until(() -> !fixture.events.all(JobEvent.Completed.class).isEmpty());
        assertThat(reads).as("reads of the error's message").hasValue(1);
    }

    /**
     * Over three leases and more, the job is not delivered again while its backoff blocks (unextended, its lease ran
     * out and it was delivered again meanwhile); then lets the backoff return.
     */
    private void noSecondDeliveryWhileTheBackoffBlocks() {
        await().during(Duration.ofMillis(3_300)).atMost(Duration.ofSeconds(6))
                .untilAsserted(() -> assertThat(fixture.events.all(JobEvent.Started.class))
                        .as("deliveries while the backoff blocks").hasSize(1));
        backoffGoesOn.countDown();
    }

    /**
     * Job type "report:build" on a memory queue with a 1 s lease (heartbeats every 333 ms, so one late by up to
     * 667 ms, as on a loaded core, still keeps it) and two handler threads: its first attempt fails, and its backoff
     * waits for {@link #backoffGoesOn} (or its thread's interrupt).
     */
    private JobQueue queue() {
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "1s"));
        JobQueue jobs = fixture.queue(memory, 2, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("the data is late");
            }
        }, blockingBackoff());
        return jobs;
    }

    /**
     * Job type "report:slow" with {@code backoff}: its first attempt counts {@link #slowStarted} down and waits until
     * its timeout interrupts it; later ones succeed.
     */
    private void registerSlow(JobQueue jobs, Backoff backoff) {
        jobs.registerJobHandler("report:slow", Integer.class, (n, ctx) -> {
            if (ctx.attempt() == 1) {
                slowStarted.countDown();
                new CountDownLatch(1).await(30, TimeUnit.SECONDS); // until its timeout interrupts it
            }
        }, backoff);
    }

    /** A backoff that waits for {@link #backoffGoesOn} (or its thread's interrupt), then answers no delay. */
    private Backoff blockingBackoff() {
        return failedAttempt -> {
            inBackoff.countDown();
            try {
                backoffGoesOn.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted while reading the rate table", e);
            }
            return Duration.ZERO;
        };
    }

    /**
     * An error whose message is built from what has to be fetched (a closed session's entity, a remote error page),
     * again at each read: a read counts in {@code reads}, counts {@code reading} down, and returns once {@code gate}
     * gives it a permit (or after 20 s), deaf to the timeout's interrupt.
     */
    private static IllegalStateException slowMessage(Semaphore gate, AtomicInteger reads, CountDownLatch reading) {
        return new IllegalStateException() {
            @Override
            public String getMessage() {
                reads.incrementAndGet();
                reading.countDown();
                while (true) {
                    try {
                        gate.tryAcquire(20, TimeUnit.SECONDS);
                        return "the rows of report 7";
                    } catch (InterruptedException deaf) {
                        // the timeout's interrupt: the message is read all the same
                    }
                }
            }
        };
    }
}
