package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Calls made at the same instant on an SQS queue (ElasticMQ): a heartbeat beside the settling of the same
 * delivery, and close() beside enqueues that wait in the send batcher. Each race lined up with a barrier,
 * repeated, every wait bounded.
 */
@DisplayName("SQS: calls racing each other (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsConcurrentCallsTest {

    private static final long WAIT_S = 20;
    private final ExecutorService callers = Executors.newFixedThreadPool(8);

    @AfterEach
    void stopCallers() throws InterruptedException {
        callers.shutdownNow();
        assertThat(callers.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
    }

    private static QueueProvider provider(SqsServer.Queues queues) {
        return new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "30s",
                        "waitTime", "1s"))), Clock.systemUTC()));
    }

    private static JobEnvelope job(String id) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "report:build", "1", JobOptions.defaults(), 0,
                Instant.now(), null, null);
    }

    private static ReceivedJob receiveOne(QueueProvider provider, String id) {
        List<ReceivedJob> got = provider.receive(1, Duration.ofSeconds(5));
        assertThat(got).as("job %s received", id).hasSize(1);
        assertThat(got.getFirst().jobId()).isEqualTo(id);
        return got.getFirst();
    }

    /** Runs both on threads of their own released together; a heartbeat may only fail as a lost lease. */
    private void heartbeatBeside(QueueProvider provider, ReceivedJob job, Runnable settle) throws Exception {
        var barrier = new CyclicBarrier(2);
        Future<?> heartbeat = callers.submit(() -> {
            barrier.await(WAIT_S, TimeUnit.SECONDS);
            try {
                provider.extendLease(job, Duration.ofSeconds(30));
            } catch (LeaseLostException settledFirst) {
                // the delivery was settled first: what a heartbeat after a settle is told
            }
            return null;
        });
        Future<?> settling = callers.submit(() -> {
            barrier.await(WAIT_S, TimeUnit.SECONDS);
            settle.run();
            return null;
        });
        heartbeat.get(WAIT_S, TimeUnit.SECONDS);
        settling.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a heartbeat racing the acknowledgement of its delivery: the job is gone, it never comes back")
    void heartbeatRacingAcknowledgement() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("race-ack", false);
        try (QueueProvider provider = provider(queues)) {
            int rounds = 60;
            for (int round = 0; round < rounds; round++) {
                String id = "race-ack-" + round;
                provider.enqueue(job(id), Duration.ZERO);
                ReceivedJob job = receiveOne(provider, id);
                heartbeatBeside(provider, job, () -> provider.acknowledge(job));
            }
            assertThat(QueueContents.total(queues.url())).as("messages left after %d acknowledged jobs", rounds).isZero();
        }
    }

    @Test
    @DisplayName("a heartbeat racing a retry with no delay: the job comes back at once, not after the heartbeat's "
            + "extension")
    void heartbeatRacingARetryDoesNotHoldTheRetryBack() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("race-retry", false);
        try (QueueProvider provider = provider(queues)) {
            int rounds = 60;
            for (int round = 0; round < rounds; round++) {
                String id = "race-retry-" + round;
                provider.enqueue(job(id), Duration.ZERO);
                ReceivedJob first = receiveOne(provider, id);
                heartbeatBeside(provider, first,
                        () -> provider.fail(first, new Failure.RetryAfter(Duration.ZERO, "failed, retried now")));
                // Before, a heartbeat whose visibility change reached SQS after the retry's hid the job for 30 s.
                ReceivedJob again = receiveOne(provider, id);
                assertThat(again.attempt()).as("round %d", round).isEqualTo(2);
                provider.acknowledge(again);
            }
            assertThat(QueueContents.total(queues.url())).isZero();
        }
    }

    @Test
    @DisplayName("a heartbeat racing a release on a FIFO queue: the job is visible again at once")
    void heartbeatRacingAFifoReleaseDoesNotHoldTheJobBack() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("race-release", true);
        try (QueueProvider provider = provider(queues)) {
            int rounds = 40;
            for (int round = 0; round < rounds; round++) {
                String id = "race-release-" + round;
                provider.enqueue(job(id), Duration.ZERO);
                ReceivedJob first = receiveOne(provider, id);
                heartbeatBeside(provider, first, () -> provider.release(first));
                ReceivedJob again = receiveOne(provider, id);
                provider.acknowledge(again);
            }
            assertThat(QueueContents.total(queues.url())).isZero();
        }
    }

    @Test
    @DisplayName("close() of a running worker while enqueues race it: each job whose id was returned either ran "
            + "once or is on the queue once, handed back unstarted; none is lost or doubled")
    void closeOfARunningWorkerRacingEnqueuesAccountsForEveryJob() throws Exception {
        int rounds = 5;
        for (int round = 0; round < rounds; round++) {
            SqsServer.Queues queues = ElasticMq.newQueues("race-run-" + round, false);
            var ran = new java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger>();
            var completed = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
            JobQueue jobs = JobQueue.builder().environment(Map.of())
                    .provider("sqs", ElasticMq.settings(queues, Map.of("waitTime", "1s"))).concurrency(4)
                    .shutdownTimeout(Duration.ofSeconds(10)).listener(event -> {
                        if (event instanceof dev.jobq.JobEvent.Completed done) {
                            completed.add(done.jobId());
                        }
                    }).build();
            jobs.registerJobHandler("report:build", Integer.class, (job, ctx) ->
                    ran.computeIfAbsent(job.id(), id -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet());
            jobs.start();
            var barrier = new CyclicBarrier(8);
            var unexpected = new CopyOnWriteArrayList<Throwable>();
            List<Future<List<String>>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                calls.add(callers.submit(() -> {
                    barrier.await(WAIT_S, TimeUnit.SECONDS);
                    List<String> ids = new ArrayList<>();
                    if (thread == 0) {
                        // Let some jobs be sent, received and running first.
                        ids.add(jobs.enqueue("report:build", -1));
                        jobs.close();
                        return ids;
                    }
                    for (int i = 0; i < 20; i++) {
                        int payload = i;
                        enqueueUnlessClosed(ids, unexpected, () -> List.of(jobs.enqueue("report:build", payload)));
                    }
                    return ids;
                }));
            }
            Set<String> accepted = new HashSet<>();
            for (Future<List<String>> call : calls) {
                accepted.addAll(call.get(WAIT_S * 2, TimeUnit.SECONDS));
            }
            jobs.close();
            assertThat(unexpected).as("round %d", round).isEmpty();
            List<String> onQueue = new ArrayList<>();
            for (List<Message> got = QueueContents.receive(queues.url(), 0); !got.isEmpty();
                 got = QueueContents.receive(queues.url(), 0)) {
                got.forEach(m -> onQueue.add(QueueContents.attribute(m, OutgoingMessage.JOB_ID)));
            }
            assertThat(ran.values()).as("round %d: runs per job", round).allSatisfy(n -> assertThat(n.get()).isOne());
            assertThat(completed).isEqualTo(ran.keySet());
            assertThat(onQueue).as("round %d: jobs left on the queue, once each", round).doesNotHaveDuplicates();
            assertThat(onQueue.stream().filter(completed::contains).toList()).as("round %d: completed jobs still on "
                    + "the queue", round).isEmpty();
            Set<String> accounted = new HashSet<>(onQueue);
            accounted.addAll(completed);
            assertThat(accounted).as("round %d: every accepted job ran or is on the queue", round).isEqualTo(accepted);
        }
    }

    @Test
    @DisplayName("close() while enqueues wait in the send batcher: every id returned is on the queue, every other "
            + "call says the JobQueue is closed")
    void closeWhileSendsAreBatchedLosesNoAcceptedJob() throws Exception {
        int rounds = 12;
        for (int round = 0; round < rounds; round++) {
            SqsServer.Queues queues = ElasticMq.newQueues("race-close-" + round, false);
            JobQueue jobs = JobQueue.builder().environment(Map.of())
                    .provider("sqs", ElasticMq.settings(queues, Map.of())).shutdownTimeout(Duration.ofSeconds(10))
                    .build();
            var barrier = new CyclicBarrier(8);
            var unexpected = new CopyOnWriteArrayList<Throwable>();
            List<Future<List<String>>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                calls.add(callers.submit(() -> {
                    barrier.await(WAIT_S, TimeUnit.SECONDS);
                    List<String> ids = new ArrayList<>();
                    if (thread == 0) {
                        jobs.close();
                        return ids;
                    }
                    for (int i = 0; i < 30; i++) {
                        int payload = i;
                        enqueueUnlessClosed(ids, unexpected, () -> payload % 3 == 2
                                ? jobs.enqueueAll("report:build", List.of(payload, payload + 1, payload + 2))
                                : List.of(jobs.enqueue("report:build", payload)));
                    }
                    return ids;
                }));
            }
            Set<String> accepted = new HashSet<>();
            for (Future<List<String>> call : calls) {
                accepted.addAll(call.get(WAIT_S, TimeUnit.SECONDS));
            }
            jobs.close();
            assertThat(unexpected).as("round %d", round).isEmpty();
            Set<String> onQueue = new HashSet<>();
            for (List<Message> got = QueueContents.receive(queues.url(), 0); !got.isEmpty();
                 got = QueueContents.receive(queues.url(), 0)) {
                got.forEach(m -> onQueue.add(QueueContents.attribute(m, OutgoingMessage.JOB_ID)));
            }
            assertThat(onQueue).as("round %d: the jobs on the queue are those whose ids were returned", round)
                    .isEqualTo(accepted);
        }
    }

    @Test
    @DisplayName("callers interrupted while their batch is on the wire: the batch is not aborted, each job is stored "
            + "and its enqueue returns its id, the interrupt flag kept")
    void anInterruptWhileABatchIsOnTheWireFailsNoEntryOfIt() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("race-interrupt", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("race-interrupt-scratch-" + System.nanoTime(),
                Map.of()));
        try (QueueProvider provider = provider(queues)) {
            // A batch of job a and job b, two callers: whichever of them sends it, the other's job rides along.
            var first = BatchEntryFaults.hold(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("\"x\""));
            var x = enqueueOnAVirtualThread(provider, "x");
            first.awaitReached();
            var both = BatchEntryFaults.hold(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("\"b\""));
            var a = enqueueOnAVirtualThread(provider, "a");
            var b = enqueueOnAVirtualThread(provider, "b");
            awaitWaitingInTheBatcher(a.thread());
            awaitWaitingInTheBatcher(b.thread());
            first.release();
            both.awaitReached();
            a.thread().interrupt();
            b.thread().interrupt();
            both.release();

            assertThat(x.result().get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("x accepted");
            assertThat(a.result().get(WAIT_S, TimeUnit.SECONDS)).as("job a's enqueue").isEqualTo("a accepted, interrupted");
            assertThat(b.result().get(WAIT_S, TimeUnit.SECONDS)).as("job b's enqueue").isEqualTo("b accepted, interrupted");
            Set<String> onQueue = new HashSet<>();
            for (List<Message> got = QueueContents.receive(queues.url(), 0); !got.isEmpty();
                 got = QueueContents.receive(queues.url(), 0)) {
                got.forEach(m -> onQueue.add(QueueContents.attribute(m, OutgoingMessage.JOB_ID)));
            }
            assertThat(onQueue).containsExactlyInAnyOrder("x", "a", "b");
        } finally {
            BatchEntryFaults.forget(queues.url());
        }
    }

    private record Caller(Thread thread, java.util.concurrent.CompletableFuture<String> result) {
    }

    /** Enqueues job {@code id}; the result says "ID accepted" (", interrupted" when the flag was set after) or the error. */
    private static Caller enqueueOnAVirtualThread(QueueProvider provider, String id) {
        var result = new java.util.concurrent.CompletableFuture<String>();
        Thread thread = Thread.ofVirtual().name("enqueue-" + id).start(() -> {
            try {
                String accepted = provider.enqueue(job(id), Duration.ZERO).jobId() + " accepted";
                result.complete(Thread.currentThread().isInterrupted() ? accepted + ", interrupted" : accepted);
            } catch (Throwable e) {
                result.complete(id + " failed: " + e);
            }
        });
        return new Caller(thread, result);
    }

    /** Waits until {@code caller}'s entry is queued in the batcher behind the batch on the wire. */
    private static void awaitWaitingInTheBatcher(Thread caller) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(WAIT_S)).pollInterval(Duration.ofMillis(5)).until(() ->
                caller.getState() == Thread.State.WAITING && java.util.Arrays.stream(caller.getStackTrace())
                        .anyMatch(frame -> frame.getMethodName().equals("awaitUninterruptibly"))
                        && java.util.Arrays.stream(caller.getStackTrace())
                        .anyMatch(frame -> frame.getClassName().equals(Batcher.class.getName())));
    }

    /**
     * Adds the ids {@code enqueue} returns to {@code ids}; a JobQueueException saying the queue is closed is the one
     * answer allowed when it races close(), and anything else thrown goes to {@code unexpected}.
     */
    private static void enqueueUnlessClosed(List<String> ids, List<Throwable> unexpected,
                                            java.util.function.Supplier<List<String>> enqueue) {
        try {
            ids.addAll(enqueue.get());
        } catch (JobQueueException e) {
            if (!"this JobQueue is closed; build a new one".equals(e.getMessage())) {
                unexpected.add(e);
            }
        } catch (RuntimeException e) {
            unexpected.add(e);
        }
    }
}
