package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;

/**
 * A heartbeat whose visibility change SQS does not answer (held by {@link BatchEntryFaults} until the test lets it
 * go, up to 30 s: an endpoint that accepts the call and answers slowly) beside the settling of its delivery. The
 * settle waits for the heartbeat a bounded while, then goes ahead, with a WARN: it neither waits for the heartbeat's
 * whole call (the SDK's attempts of requestTimeout each) nor behind it in the batch of visibility changes.
 */
@DisplayName("SQS: a heartbeat SQS does not answer beside the settling of its delivery (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsHungHeartbeatTest {

    /** Well under the 30 s the heartbeat is held, well over the provider's bounded wait for it. */
    private static final long SETTLE_WAIT_S = 10;
    private final ExecutorService callers = Executors.newFixedThreadPool(4);
    private final Logger providerLog = (Logger) LoggerFactory.getLogger(SqsQueueProvider.class);
    private final CapturedLog logged = new CapturedLog();
    private SqsServer.Queues queues;
    private BatchEntryFaults.Hold heartbeat;
    private BatchEntryFaults.Hold slowRelease;

    @AfterEach
    void letGo() throws InterruptedException {
        if (heartbeat != null) {
            heartbeat.release();
        }
        if (slowRelease != null) {
            slowRelease.release();
        }
        callers.shutdownNow();
        assertThat(callers.awaitTermination(40, TimeUnit.SECONDS)).isTrue();
        providerLog.detachAppender(logged);
        if (queues != null) {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("a release (standard queue) goes ahead within seconds, and the job is on the queue again at once")
    void releaseDoesNotWaitForAHungHeartbeat() throws Exception {
        settleBesideAHungHeartbeat(false, "release", (provider, job) -> provider.release(job),
                visibleAtOnce("released"));
    }

    @Test
    @DisplayName("a release (FIFO queue) goes ahead within seconds, not behind the heartbeat's batch, and the job is "
            + "visible again at once")
    void fifoReleaseDoesNotWaitForAHungHeartbeat() throws Exception {
        settleBesideAHungHeartbeat(true, "release", (provider, job) -> provider.release(job),
                visibleAtOnce("released"));
    }

    @Test
    @DisplayName("a retry with no delay goes ahead within seconds, not behind the heartbeat's batch, and the job is "
            + "visible again at once")
    void retryDoesNotWaitForAHungHeartbeat() throws Exception {
        settleBesideAHungHeartbeat(false, "retry",
                (provider, job) -> provider.fail(job, new Failure.RetryAfter(Duration.ZERO, "failed, retried now")),
                visibleAtOnce("retried"));
    }

    @Test
    @DisplayName("a FIFO release that went ahead beside a hung heartbeat: the heartbeat's extension, once SQS takes it, "
            + "does not hide the released job for a lease")
    void fifoReleaseStaysVisibleAfterTheLateHeartbeat() throws Exception {
        settleBesideAHungHeartbeat(true, "release", (provider, job) -> provider.release(job), () -> { },
                () -> assertThat(QueueContents.receive(queues.url(), 2))
                        .as("the released job, visible after the late heartbeat returned").hasSize(1));
    }

    @Test
    @DisplayName("a retry with no delay that went ahead beside a hung heartbeat: the heartbeat's extension, once SQS "
            + "takes it, does not hold the retry back for a lease")
    void retryStaysDueAfterTheLateHeartbeat() throws Exception {
        settleBesideAHungHeartbeat(false, "retry",
                (provider, job) -> provider.fail(job, new Failure.RetryAfter(Duration.ZERO, "failed, retried now")),
                () -> { },
                () -> assertThat(QueueContents.receive(queues.url(), 2))
                        .as("the retried job, visible after the late heartbeat returned").hasSize(1));
    }

    @Test
    @DisplayName("a heartbeat whose call fails after its release went ahead (the provider closed meanwhile, as a worker's "
            + "close() does) is told the delivery was settled, not that extending the lease failed")
    void heartbeatFailingAfterTheReleaseIsToldItWasSettled() throws Exception {
        queues = ElasticMq.newQueues("hung-heartbeat-closed", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("hung-heartbeat-scratch-" + System.nanoTime(),
                Map.of()));
        QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()));
        try {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "hung-2", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            ReceivedJob job = received.getFirst();
            heartbeat = BatchEntryFaults.hold(queues.url(), "ChangeMessageVisibilityBatch",
                    e -> e instanceof ChangeMessageVisibilityBatchRequestEntry change && change.visibilityTimeout() > 0);
            Future<Throwable> extending = callers.submit(() -> {
                try {
                    provider.extendLease(job, Duration.ofSeconds(30));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            heartbeat.awaitReached();
            provider.release(job);
            provider.close();
            heartbeat.release();

            // Before: a JobQueueException 'extending the lease of job hung-2 ... failed: Task ... rejected from ...',
            // which the worker logs as a lease it could not extend ('the job may run twice') for a job released.
            assertThat(extending.get(30, TimeUnit.SECONDS)).as("what the heartbeat is told")
                    .isInstanceOf(LeaseLostException.class).hasMessageContaining("hung-2");
        } finally {
            provider.close();
        }
    }

    @Test
    @DisplayName("a heartbeat SQS does not answer holds up no other job's heartbeat: with a 3 s lease, the other job's "
            + "lease is extended within the 2 s its heartbeat (a third into the lease) has left")
    void aHungHeartbeatHoldsUpNoOtherJobsHeartbeat() throws Exception {
        queues = ElasticMq.newQueues("hung-heartbeat-other", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("hung-heartbeat-scratch-" + System.nanoTime(),
                Map.of()));
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "3s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            for (String id : List.of("hung-a", "hung-b")) {
                provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "report:build", "1",
                        JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            }
            List<ReceivedJob> received = new java.util.ArrayList<>(provider.receive(2, Duration.ofSeconds(5)));
            if (received.size() < 2) {
                received.addAll(provider.receive(1, Duration.ofSeconds(5)));
            }
            assertThat(received).hasSize(2);
            ReceivedJob hung = received.get(0);
            ReceivedJob other = received.get(1);
            heartbeat = BatchEntryFaults.hold(queues.url(), "ChangeMessageVisibilityBatch",
                    e -> e instanceof ChangeMessageVisibilityBatchRequestEntry change
                            && change.receiptHandle().equals(hung.receipt()));
            callers.submit(() -> {
                try {
                    provider.extendLease(hung, Duration.ofSeconds(3));
                } catch (RuntimeException e) {
                    // failed once let go: not what this test looks at
                }
                return null;
            });
            heartbeat.awaitReached();

            long began = System.nanoTime();
            Future<?> extending = callers.submit(() -> {
                provider.extendLease(other, Duration.ofSeconds(3));
                return null;
            });
            try {
                extending.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the other job's heartbeat did not return within 2 s (its lease of 3 s runs "
                        + "out meanwhile, and the job runs twice): it waits behind the hung heartbeat's batch", e);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the other job's heartbeat")
                    .isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    @DisplayName("an acknowledgement goes ahead within seconds, and the job is gone")
    void acknowledgementDoesNotWaitForAHungHeartbeat() throws Exception {
        settleBesideAHungHeartbeat(false, "acknowledge", (provider, job) -> provider.acknowledge(job),
                () -> assertThat(QueueContents.total(queues.url())).as("messages left after the acknowledgement").isZero());
    }

    @Test
    @DisplayName("a worker's close() past shutdownTimeout releases a running job whose heartbeat SQS does not answer: "
            + "within close()'s wait for releases, the job is on the queue again at once")
    void closeReleasesAJobWhoseHeartbeatHangs() throws Exception {
        closeBesideAHungHeartbeat(Duration.ZERO);
    }

    @Test
    @DisplayName("close() past shutdownTimeout releases a running job whose heartbeat SQS does not answer, though SQS "
            + "takes a second to answer the release: the settle does not wait again for the heartbeat the worker "
            + "waited for")
    void closeReleasesAJobWhoseHeartbeatHangsThoughTheReleaseIsSlow() throws Exception {
        closeBesideAHungHeartbeat(Duration.ofSeconds(1));
    }

    /** {@code releaseAnswer}: how long SQS takes to answer the release's copy of the job (beyond its round trip). */
    private void closeBesideAHungHeartbeat(Duration releaseAnswer) throws Exception {
        queues = ElasticMq.newQueues("hung-heartbeat-close", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("hung-heartbeat-scratch-" + System.nanoTime(),
                Map.of()));
        var workers = new WorkerQueues();
        var answering = Executors.newSingleThreadScheduledExecutor();
        try {
            // A 9 s lease (heartbeats every 3 s): the held heartbeat's delivery turns visible by itself 6 s after it began,
            // well after the release (2.6 s, 3.6 s with the slow answer). With 3 s it did so first, 2 s after, and the
            // job was on the queue again at once after close() with no release at all.
            JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "9s", "waitTime", "1s"), Duration.ZERO);
            var interrupted = new java.util.concurrent.CountDownLatch(1);
            jobs.registerJobHandler("report:build", String.class, (payload, ctx) -> {
                try {
                    new java.util.concurrent.CountDownLatch(1).await(60, TimeUnit.SECONDS); // until close() interrupts it
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
            });
            jobs.start();
            String id = jobs.enqueue("report:build", "q1");
            workers.awaitEvent(JobEvent.Started.class, e -> e.jobId().equals(id));
            heartbeat = BatchEntryFaults.hold(queues.url(), "ChangeMessageVisibilityBatch",
                    e -> e instanceof ChangeMessageVisibilityBatchRequestEntry change && change.visibilityTimeout() > 0);
            heartbeat.awaitReached();
            if (releaseAnswer.isPositive()) {
                // A release on a standard queue sends a fresh copy (then deletes the delivery).
                BatchEntryFaults.Hold release = BatchEntryFaults.hold(queues.url(), "SendMessageBatch",
                        BatchEntryFaults.any());
                slowRelease = release;
                callers.submit(() -> {
                    release.awaitReached();
                    return answering.schedule(release::release, releaseAnswer.toMillis(), TimeUnit.MILLISECONDS);
                });
            }

            Future<?> closing = callers.submit(jobs::close);
            closing.get(20, TimeUnit.SECONDS);

            assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the handler, interrupted at close").isTrue();
            assertThat(workers.all(JobEvent.Released.class, e -> e.jobId().equals(id))).as("Released").hasSize(1);
            // Before, the release waited behind the heartbeat past close()'s wait, and failed on the closed provider.
            assertThat(QueueContents.receive(queues.url(), 0)).as("the released job, visible at once after close()")
                    .extracting(m -> QueueContents.attribute(m, OutgoingMessage.JOB_ID)).containsExactly(id);
        } finally {
            workers.close();
            answering.shutdownNow();
        }
    }

    /** Checks that the {@code which} (released, retried) job is on the queue, visible at once. */
    private Runnable visibleAtOnce(String which) {
        return () -> assertThat(QueueContents.receive(queues.url(), 0)).as("the " + which + " job, visible at once")
                .hasSize(1);
    }

    /**
     * Settles a delivery while a heartbeat of it is held; {@code then} checks the queue while the heartbeat is still
     * held: let go, it sets the visibility back to a lease (the race the provider's WARN tells of).
     */
    private void settleBesideAHungHeartbeat(boolean fifo, String what, BiConsumer<QueueProvider, ReceivedJob> settle,
                                            Runnable then) throws Exception {
        settleBesideAHungHeartbeat(fifo, what, settle, then, () -> { });
    }

    /** As above; {@code afterHeartbeat} checks the queue once the heartbeat, let go, has returned. */
    private void settleBesideAHungHeartbeat(boolean fifo, String what, BiConsumer<QueueProvider, ReceivedJob> settle,
                                            Runnable then, Runnable afterHeartbeat) throws Exception {
        queues = ElasticMq.newQueues("hung-heartbeat", fifo);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("hung-heartbeat-scratch-" + System.nanoTime()
                + (fifo ? ".fifo" : ""), Map.of()));
        logged.start();
        providerLog.addAppender(logged);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()))) {
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "hung-1", "report:build", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(5));
            assertThat(received).hasSize(1);
            ReceivedJob job = received.getFirst();
            heartbeat = BatchEntryFaults.hold(queues.url(), "ChangeMessageVisibilityBatch",
                    e -> e instanceof ChangeMessageVisibilityBatchRequestEntry change && change.visibilityTimeout() > 0);
            Future<?> extending = callers.submit(() -> {
                try {
                    provider.extendLease(job, Duration.ofSeconds(30));
                } catch (LeaseLostException settledMeanwhile) {
                    // what it is told once its call returns after the settle
                }
                return null;
            });
            heartbeat.awaitReached();

            long began = System.nanoTime();
            Future<?> settling = callers.submit(() -> settle.accept(provider, job));
            try {
                settling.get(SETTLE_WAIT_S, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the " + what + " did not return within " + SETTLE_WAIT_S + " s of a heartbeat "
                        + "of its delivery that SQS does not answer", e);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the %s's wait", what)
                    .isLessThan(Duration.ofSeconds(SETTLE_WAIT_S));
            assertThat(logged.list).as("the WARN of the settle that went ahead")
                    .anySatisfy(event -> {
                        assertThat(event.getLevel()).isEqualTo(Level.WARN);
                        assertThat(event.getFormattedMessage()).contains("hung-1", "heartbeat", what);
                    });
            then.run();
            heartbeat.release();
            extending.get(30, TimeUnit.SECONDS);
            afterHeartbeat.run();
        }
    }
}
