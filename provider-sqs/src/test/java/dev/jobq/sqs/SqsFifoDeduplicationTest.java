package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jobq.JobOptions;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deduplication ids a FIFO queue's provider remembers for SQS's five-minute window ({@link FifoDeduplication}),
 * whichever way the jobs were enqueued: an earlier note said they were "cleared only on a single enqueue". On a FIFO
 * queue {@code enqueueAll} sends one job after another through {@code enqueue}, so it claims and forgets ids as a
 * single enqueue does; a standard queue claims none.
 */
@DisplayName("SQS FIFO deduplication ids over enqueue and enqueueAll (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsFifoDeduplicationTest {

    private final SettableClock clock = new SettableClock(Instant.now());

    private static JobEnvelope job(String id, String key) {
        var options = new JobOptions(3, Duration.ofSeconds(30), 0, key, "default");
        return new JobEnvelope(1, id, "t", "1", options, 0, Instant.now(), null, null);
    }

    private QueueProvider provider(boolean fifo) {
        return provider(ElasticMq.newQueues("dedup-ids", fifo));
    }

    private QueueProvider provider(SqsServer.Queues queues) {
        return new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), clock));
    }

    private static Thread enqueueOnItsOwnThread(QueueProvider provider, JobEnvelope job,
                                                CompletableFuture<EnqueueResult> result) {
        return Thread.ofPlatform().start(() -> {
            try {
                result.complete(provider.enqueue(job, Duration.ZERO));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
    }

    /** The enqueue on {@code caller} has answered, or waits for the claim of its key: either way it met the claim. */
    private static void awaitAnsweredOrWaitingForTheClaim(CompletableFuture<EnqueueResult> result, Thread caller) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() ->
                result.isDone() || caller.getState() == Thread.State.WAITING
                        && Arrays.stream(caller.getStackTrace()).anyMatch(frame ->
                        frame.getClassName().equals(FifoDeduplication.class.getName())));
    }

    @Test
    @DisplayName("an enqueue whose key is claimed by a send still on the wire waits for it: when that send fails, the "
            + "job is sent itself, not answered as a duplicate of a job SQS never stored")
    void aKeyWhoseFirstSendFailsIsFreeForTheEnqueueThatWaitedForIt() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("dedup-race", true);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("dedup-race-scratch-" + System.nanoTime() + ".fifo",
                Map.of()));
        try (QueueProvider provider = provider(queues)) {
            var held = BatchEntryFaults.hold(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("\"first\""));
            BatchEntryFaults.arm(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("\"first\""),
                    "InvalidMessageContents", true, 1);
            var first = CompletableFuture.supplyAsync(() -> catchThrowable(() -> provider.enqueue(job("first", "order-7"),
                    Duration.ZERO)));
            held.awaitReached();
            var second = new CompletableFuture<EnqueueResult>();
            Thread secondCaller = enqueueOnItsOwnThread(provider, job("second", "order-7"), second);
            awaitAnsweredOrWaitingForTheClaim(second, secondCaller);
            held.release();

            assertThat(first.get(30, TimeUnit.SECONDS)).as("the first send").hasMessageContaining("InvalidMessageContents");
            EnqueueResult result = second.get(30, TimeUnit.SECONDS);
            assertThat(result.duplicate()).as("answered as a duplicate of " + result.jobId()).isFalse();
            assertThat(result.jobId()).isEqualTo("second");
            assertThat(QueueContents.receive(queues.url(), 1)).as("messages on the queue").singleElement()
                    .satisfies(m -> assertThat(QueueContents.attribute(m, OutgoingMessage.JOB_ID)).isEqualTo("second"));
        } finally {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("an enqueue whose key is claimed by a send still on the wire that then succeeds is answered as its "
            + "duplicate, and sends nothing")
    void aKeyWhoseFirstSendSucceedsAnswersTheEnqueueThatWaitedForItAsADuplicate() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("dedup-wait", true);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("dedup-wait-scratch-" + System.nanoTime() + ".fifo",
                Map.of()));
        try (QueueProvider provider = provider(queues)) {
            var held = BatchEntryFaults.hold(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("\"first\""));
            var first = CompletableFuture.supplyAsync(() -> provider.enqueue(job("first", "order-8"), Duration.ZERO));
            held.awaitReached();
            var second = new CompletableFuture<EnqueueResult>();
            Thread secondCaller = enqueueOnItsOwnThread(provider, job("second", "order-8"), second);
            awaitAnsweredOrWaitingForTheClaim(second, secondCaller);
            held.release();

            assertThat(first.get(30, TimeUnit.SECONDS).duplicate()).isFalse();
            EnqueueResult result = second.get(30, TimeUnit.SECONDS);
            assertThat(result.duplicate()).isTrue();
            assertThat(result.jobId()).isEqualTo("first");
            assertThat(BatchEntryFaults.calls(queues.url())).as("send calls").hasSize(1);
        } finally {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("SQS's five minutes run from when it stored the first message: a send that took a minute holds its "
            + "key until five minutes after it was answered, not after it began")
    void theWindowRunsFromTheAnsweredSend() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("dedup-slow-send", true);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("dedup-slow-send-scratch-" + System.nanoTime()
                + ".fifo", Map.of()));
        try (QueueProvider provider = provider(queues)) {
            var held = BatchEntryFaults.hold(queues.url(), "SendMessageBatch", BatchEntryFaults.bodyContains("\"first\""));
            var first = CompletableFuture.supplyAsync(() -> provider.enqueue(job("first", "order-9"), Duration.ZERO));
            held.awaitReached();
            clock.advance(Duration.ofMinutes(1)); // the SDK's attempts of a slow network: SQS stores it after a minute
            held.release();
            assertThat(first.get(30, TimeUnit.SECONDS).duplicate()).isFalse();

            // 5m30s after the first enqueue began, 4m30s after SQS stored its message: SQS drops a second one
            clock.advance(Duration.ofSeconds(270));
            EnqueueResult second = provider.enqueue(job("second", "order-9"), Duration.ZERO);

            // Before, the claim ran from the start of the first send: the second was sent, SQS dropped it as a duplicate,
            // and its caller was told that job "second" was enqueued, a job that never runs.
            assertThat(second.duplicate()).as("answered as a duplicate (job id %s)", second.jobId()).isTrue();
            assertThat(second.jobId()).isEqualTo("first");
            assertThat(QueueContents.receive(queues.url(), 1)).as("messages on the queue").singleElement()
                    .satisfies(m -> assertThat(QueueContents.attribute(m, OutgoingMessage.JOB_ID)).isEqualTo("first"));
        } finally {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("enqueueAll on a FIFO queue answers a key within the window as a duplicate, frees it after, and "
            + "leaves no claim behind once the window has passed")
    void enqueueAllClaimsAndForgetsAsEnqueueDoes() {
        try (QueueProvider provider = provider(true)) {
            var deduplication = ((SqsQueueProvider) provider).fifoDeduplication();
            List<EnqueueOutcome> first = provider.enqueueAll(IntStream.range(0, 30)
                    .mapToObj(i -> job("first-" + i, "key-" + i)).toList(), Duration.ZERO);
            assertThat(first).allSatisfy(outcome -> assertThat(outcome.result().duplicate()).isFalse());
            assertThat(deduplication.held()).isEqualTo(30);

            List<EnqueueOutcome> again = provider.enqueueAll(List.of(job("again-0", "key-0")), Duration.ZERO);
            assertThat(again).singleElement().satisfies(outcome -> {
                assertThat(outcome.result().duplicate()).isTrue();
                assertThat(outcome.result().jobId()).isEqualTo("first-0");
            });

            clock.advance(FifoDeduplication.WINDOW.plusSeconds(11));
            // After SQS's window the key is free again: the answer is not a stale duplicate of first-0 ...
            EnqueueResult later = provider.enqueueAll(List.of(job("later-0", "key-0")), Duration.ZERO).get(0).result();
            assertThat(later.duplicate()).isFalse();
            assertThat(later.jobId()).isEqualTo("later-0");
            // ... and the 30 claims enqueueAll made are gone: only the new one is held.
            assertThat(deduplication.held()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a standard queue's enqueue and enqueueAll claim no deduplication id")
    void standardQueueHoldsNoClaims() {
        try (QueueProvider provider = provider(false)) {
            provider.enqueueAll(IntStream.range(0, 25).mapToObj(i -> job("std-" + i, null)).toList(), Duration.ZERO);
            provider.enqueue(job("std-single", null), Duration.ZERO);
            assertThat(((SqsQueueProvider) provider).fifoDeduplication().held()).isZero();
        }
    }
}
