package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A running job whose delivery SQS no longer holds: its heartbeats failed long enough for its lease to
 * lapse (made to fail by {@link BatchEntryFaults}, with a sender-fault code, so they are not retried)
 * and another consumer received the message. ElasticMQ then answers the next heartbeat itself.
 */
@Isolated("captures the dev.jobq loggers, which the classes run beside it log to")
@DisplayName("SQS: a running job that lost its lease (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsLostLeaseTest {

    private final WorkerQueues workers = new WorkerQueues();
    private final Logger jobqLog = (Logger) LoggerFactory.getLogger("dev.jobq");
    private final CapturedLog logged = new CapturedLog();
    private SqsServer.Queues queues;
    private JobQueue jobs;

    @BeforeEach
    void capture() {
        logged.start();
        jobqLog.addAppender(logged);
    }

    @AfterEach
    void close() {
        workers.close();
        if (jobs != null) {
            jobs.close();
        }
        jobqLog.detachAppender(logged);
        if (queues != null) {
            BatchEntryFaults.forget(queues.url());
        }
    }

    @Test
    @DisplayName("heartbeats stop with one WARN and the attempt is cancelled (isCancelled, interrupt), nothing settled: "
            + "the other delivery keeps the message")
    void lostLeaseCancelsTheAttempt() throws Exception {
        queues = ElasticMq.newQueues("lost-lease", false);
        BatchEntryFaults.watch(queues.url(), ElasticMq.createQueue("lost-lease-scratch-" + System.nanoTime(), Map.of()));
        // one permit: while the job runs this worker does not poll, so the lapsed message goes to the other consumer
        jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of("visibilityTimeout", "2s")))
                .concurrency(1).pollInterval(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(5))
                .listener(workers.events::add).build();
        var finish = new CountDownLatch(1);
        var cancelledWhenInterrupted = new CompletableFuture<Boolean>();
        jobs.registerJobHandler("report:build", String.class, (payload, ctx) -> {
            try {
                assertThat(finish.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                cancelledWhenInterrupted.complete(ctx.isCancelled());
                throw e;
            }
        });
        jobs.start();
        String id = jobs.enqueue("report:build", "q1", EnqueueOptions.builder().timeout(Duration.ofSeconds(40)).build());
        workers.awaitEvent(JobEvent.Started.class, e -> e.jobId().equals(id));

        BatchEntryFaults.arm(queues.url(), "ChangeMessageVisibilityBatch", BatchEntryFaults.any(), "AccessDenied", true,
                Integer.MAX_VALUE);
        // the other worker: it gets the message once the two-second lease, no longer extended, lapses
        Message other = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> QueueContents.receive(queues.url(), 0), got -> !got.isEmpty()).get(0);
        BatchEntryFaults.disarm(queues.url());
        int callsBefore = BatchEntryFaults.calls(queues.url()).size();
        // the next heartbeat reaches ElasticMQ, which no longer holds the first delivery
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> BatchEntryFaults.calls(queues.url()).stream()
                .skip(callsBefore).anyMatch(c -> c.operation().equals("ChangeMessageVisibilityBatch")));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !warnings("lost its lease", id).isEmpty());
        // Before, the handler was not told: it ran on to its end, and a BullMQ user expects it to fail ("Missing lock").
        assertThat(cancelledWhenInterrupted.get(10, TimeUnit.SECONDS)).as("ctx.isCancelled() once interrupted").isTrue();
        int heartbeatsAfterLoss = heartbeats(callsBefore);
        jobs.close(); // waits for the attempt to be settled

        assertThat(warnings("lost its lease", id)).singleElement().satisfies(line -> assertThat(line)
                .contains(id, "lost-lease", "acknowledgement", "another", "the attempt is cancelled"));
        assertThat(heartbeats(callsBefore)).as("heartbeats after the loss").isEqualTo(heartbeatsAfterLoss);
        List<ILoggingEvent> all = List.copyOf(logged.list); // a subList of the live list fails once a thread logs
        int loss = all.indexOf(all.stream().filter(e -> e.getFormattedMessage().contains("lost its lease")
                        && e.getFormattedMessage().contains(id))
                .findFirst().orElseThrow());
        assertThat(all.subList(loss, all.size())).extracting(ILoggingEvent::getFormattedMessage)
                .as("heartbeat failures logged after the loss")
                .noneMatch(m -> m.contains("could not extend the lease") && m.contains(id));
        assertThat(BatchEntryFaults.calls(queues.url()).stream().skip(callsBefore))
                .as("no acknowledgement with the old receipt").noneMatch(c -> c.operation().equals("DeleteMessageBatch"));
        assertThat(workers.events).filteredOn(e -> e instanceof JobEvent.Completed || e instanceof JobEvent.Failed
                || e instanceof JobEvent.Dead).as("an outcome of the cancelled attempt").isEmpty();
        assertThat(QueueContents.total(queues.url())).as("the other delivery's message, not deleted by the old receipt")
                .isEqualTo(1);
        ElasticMq.client().deleteMessage(r -> r.queueUrl(queues.url()).receiptHandle(other.receiptHandle()));
    }

    @Test
    @DisplayName("heartbeats of one run under way together when SQS dropped the delivery each say the lease is lost")
    void concurrentHeartbeatsOfALostLeaseEachSayItIsLost() throws Exception {
        queues = ElasticMq.newQueues("lost-together", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("visibilityTimeout", "1s"))),
                Clock.systemUTC()))) {
            String id = provider.enqueue(new dev.jobq.spi.JobEnvelope(1, "lost-together-1", "report:build", "1",
                    dev.jobq.JobOptions.defaults(), 0, java.time.Instant.now(), null, null), Duration.ZERO).jobId();
            ReceivedJob job = Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> provider.receive(1, Duration.ofSeconds(1)), got -> !got.isEmpty()).get(0);
            // another consumer receives the message once the lease lapses: SQS no longer holds the first delivery
            Message other = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> QueueContents.receive(queues.url(), 0), got -> !got.isEmpty()).get(0);

            // a heartbeat still under way when the next is due (a slow call on a loaded machine): several at once
            int together = 8;
            var barrier = new CyclicBarrier(together);
            try (var threads = Executors.newFixedThreadPool(together)) {
                List<Future<?>> heartbeats = new ArrayList<>();
                for (int i = 0; i < together; i++) {
                    heartbeats.add(threads.submit(() -> {
                        barrier.await(30, TimeUnit.SECONDS);
                        provider.extendLease(job, Duration.ofSeconds(30));
                        return null;
                    }));
                }
                for (Future<?> heartbeat : heartbeats) {
                    // the one that meets ReceiptHandleIsInvalid, and those that find the lease already marked lost
                    assertThatThrownBy(() -> heartbeat.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(LeaseLostException.class).hasMessageContaining(id);
                }
            }
            // the worker logs the loss (once: a run has one heartbeat at a time); the provider leaves it to the worker
            assertThat(warnings("lost its lease", id)).as("warnings of job %s", id).isEmpty();
            ElasticMq.client().deleteMessage(r -> r.queueUrl(queues.url()).receiptHandle(other.receiptHandle()));
        }
    }

    private int heartbeats(int from) {
        return (int) BatchEntryFaults.calls(queues.url()).stream().skip(from)
                .filter(c -> c.operation().equals("ChangeMessageVisibilityBatch")).count();
    }

    /** The WARNs with {@code text} about job {@code id}: only those are this test's (see the class comment). */
    private List<String> warnings(String text, String id) {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains(text) && m.contains(id)).toList();
    }
}
