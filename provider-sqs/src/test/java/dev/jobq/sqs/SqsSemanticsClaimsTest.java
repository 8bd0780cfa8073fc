package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.NonRetryableJobException;
import dev.jobq.QueueStats;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What docs/semantics.md says of every provider, and of SQS in its provider table, checked on SQS (ElasticMQ): the
 * numbers it names against the provider's constants, and each claim run through a worker or the provider as a
 * second process would. The memory side is the examples module's {@code SemanticsClaimsTest}.
 */
@DisplayName("docs/semantics.md on SQS (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsSemanticsClaimsTest {

    record Work(String what) {
    }

    private final WorkerQueues workers = new WorkerQueues();

    @AfterEach
    void closeQueues() {
        workers.close();
    }

    /** The page with its lines joined by spaces, as a reader reads a paragraph. */
    static String page() throws IOException {
        return ProjectDocs.read("docs/semantics.md").replaceAll("\\s*\n\\s*", " ");
    }

    @Test
    @DisplayName("every SQS limit the page names is the provider's constant")
    void everySqsLimitThePageNamesIsTheProvidersConstant() throws IOException {
        String page = page();
        Map<String, List<Object>> numbers = new LinkedHashMap<>();
        numbers.put("`maxPayloadBytes` (1 MiB, down to 256 KiB), less 4 KiB kept for dead-letter attributes",
                List.of(List.of(SqsSettings.DEFAULT_MAX_PAYLOAD_BYTES, SqsSettings.MIN_MAX_PAYLOAD_BYTES,
                        OutgoingMessage.DEAD_LETTER_RESERVE), List.of(1 << 20, 256 << 10, 4 << 10)));
        numbers.put("| retry backoff | any length | up to 12 h from the receive", List.of(Lease.MAX_VISIBILITY, Duration.ofHours(12)));
        numbers.put("| `timeout` | any | at most 11h59m", List.of(Lease.MAX_TIMEOUT, Duration.ofHours(12).minusMinutes(1)));
        numbers.put("SQS cuts the `JobqError` attribute to 1,000 characters too", List.of(DeadLetterCopies.MAX_ERROR_CHARS, 1000));
        numbers.put("they leave in `SendMessageBatch` calls of ten", List.of(Batcher.MAX_ENTRIES, 10));
        numbers.put("(up to eight on the wire)", List.of(Batcher.MAX_IN_FLIGHT, 8));
        numbers.put("with 64 bytes kept for what the hand-off rewrites", List.of(OutgoingMessage.REWRITE_RESERVE, 64));
        numbers.put("| deduplication | while waiting, delayed or running | rejected | `MessageDeduplicationId`, 5-minute window",
                List.of(FifoDeduplication.WINDOW, Duration.ofMinutes(5)));
        numbers.put("SQS standard 15 minutes", List.of(SqsQueueProvider.MAX_DELAY, Duration.ofMinutes(15)));
        numbers.put("dead on the third delivery", List.of(JobOptions.DEFAULT_MAX_ATTEMPTS, 3));
        numbers.put("SQS's SDK waits out `requestTimeout` up to four times, about 40 s by default",
                List.of(SqsSettings.DEFAULT_REQUEST_TIMEOUT.multipliedBy(4), Duration.ofSeconds(40)));
        numbers.forEach((phrase, codeAndPage) -> {
            assertThat(page.contains(phrase)).as("docs/semantics.md says: %s", phrase).isTrue();
            assertThat(codeAndPage.get(0)).as("the provider's value behind '%s'", phrase).isEqualTo(codeAndPage.get(1));
        });
        String ids = "sent as itself when SQS takes it (1 to 128 printable ASCII without spaces), else `sha256:` and "
                + "its hash";
        assertThat(page.contains(ids)).as("docs/semantics.md says: %s", ids).isTrue();
        assertThat(OutgoingMessage.sqsId("k".repeat(128))).isEqualTo("k".repeat(128));
        assertThat(OutgoingMessage.sqsId("k".repeat(129))).startsWith("sha256:");
        assertThat(OutgoingMessage.sqsId("key with spaces")).startsWith("sha256:");
        assertThat(OutgoingMessage.sqsId(" ")).as("a space alone is printable ASCII, which SQS refuses")
                .startsWith("sha256:");
    }

    @Test
    @DisplayName("the outcomes table on SQS: Completed, Failed with retryIn, Dead after the last, NonRetryable dead at once; "
            + "the Dead's error is the dead letter's")
    void theOutcomesTableHoldsOnSqs() {
        SqsServer.Queues queues = ElasticMq.newQueues("semantics-outcomes", false);
        JobQueue jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of("visibilityTimeout", "5s")))
                .backoff(Backoff.fixed(Duration.ofMillis(200))).concurrency(2).pollInterval(Duration.ofSeconds(1))
                .listener(workers.events::add).build();
        try (jobs) {
            jobs.registerJobHandler("work:return", Work.class, (job, ctx) -> { });
            jobs.registerJobHandler("work:throw", Work.class, (job, ctx) -> {
                throw new IllegalStateException("no rows", new RuntimeException("query", new java.sql.SQLException("timeout")));
            });
            jobs.registerJobHandler("work:never", Work.class, (job, ctx) -> {
                throw new NonRetryableJobException("never");
            });
            jobs.start();
            String returns = jobs.enqueue("work:return", new Work("x"));
            String throwsAgain = jobs.enqueue("work:throw", new Work("x"), EnqueueOptions.builder().maxAttempts(2).build());
            String never = jobs.enqueue("work:never", new Work("x"));

            assertThat(workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(returns)).attempt()).isEqualTo(1);
            JobEvent.Failed failed = workers.awaitEvent(JobEvent.Failed.class, e -> e.jobId().equals(throwsAgain));
            assertThat(failed.retryIn()).isEqualTo(Duration.ofMillis(200));
            assertThat(failed.error()).isEqualTo("IllegalStateException: no rows (caused by SQLException: timeout)");
            JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(throwsAgain));
            assertThat(dead.attempt()).isEqualTo(2);
            JobEvent.Dead atOnce = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(never));
            assertThat(atOnce.attempt()).isEqualTo(1);
            assertThat(workers.all(JobEvent.Failed.class, e -> e.jobId().equals(never))).isEmpty();

            List<Message> letters = QueueContents.receive(queues.deadLetterUrl(), 1);
            assertThat(letters).hasSize(2);
            Map<String, String> errors = new LinkedHashMap<>();
            letters.forEach(m -> errors.put(QueueContents.attribute(m, OutgoingMessage.JOB_ID),
                    QueueContents.attribute(m, DeadLetterCopies.ERROR)));
            assertThat(errors).containsEntry(throwsAgain, dead.error()).containsEntry(never, atOnce.error());
        }
    }

    @Test
    @DisplayName("getJob finds no SQS job, deadLetters(...) is empty, and stats give delayed and in flight as -1")
    void getJobDeadLettersAndStatsAreAsTheProviderTableSays() {
        SqsServer.Queues queues = ElasticMq.newQueues("semantics-lookup", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        String id = jobs.enqueue("work:do", new Work("x"));
        jobs.enqueue("work:do", new Work("y"));
        assertThat(jobs.getJob(id)).isEmpty();
        assertThat(jobs.deadLetters("default")).isEmpty();
        QueueStats stats = jobs.stats("default");
        assertThat(stats.waiting()).isEqualTo(2);
        assertThat(stats.delayed()).isEqualTo(-1);
        assertThat(stats.inFlight()).isEqualTo(-1);
        assertThat(stats.dead()).isZero();
    }

    private static QueueProvider provider(SqsServer.Queues queues) {
        return new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), Clock.systemUTC()));
    }

    private static JobEnvelope envelope(String id, String key) {
        return new JobEnvelope(1, id, "work:do", "{\"what\":\"x\"}",
                new JobOptions(3, Duration.ofSeconds(30), 0, key, "default"), 0, Instant.now(), null, null);
    }

    /** The messages on {@code url} now, each received and deleted. */
    private static List<String> drain(String url) {
        List<String> ids = new CopyOnWriteArrayList<>();
        for (List<Message> got = QueueContents.receive(url, 1); !got.isEmpty(); got = QueueContents.receive(url, 1)) {
            for (Message m : got) {
                ids.add(QueueContents.attribute(m, OutgoingMessage.JOB_ID));
                ElasticMq.client().deleteMessage(r -> r.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
        }
        return ids;
    }

    @Test
    @DisplayName("a job id handed on again (a scheduler's retried hand-off, from another process): SQS FIFO drops it "
            + "within its 5-minute window even once the first copy is gone; a standard queue holds it twice")
    void aJobIdHandedOnAgainIsDroppedByFifoWithinTheWindow_andHeldTwiceByAStandardQueue() throws IOException {
        String page = page();
        String said = "which the memory provider recognises as a duplicate while it is waiting, delayed or running, "
                + "and SQS FIFO within 5 minutes of the first hand-off, still there or not (SQS standard queues would "
                + "hold it twice)";
        assertThat(page.contains(said)).as("docs/semantics.md on a hand-off repeated after a crash says: %s", said).isTrue();

        SqsServer.Queues fifo = ElasticMq.newQueues("semantics-handoff", true);
        String id = UUID.randomUUID().toString();
        try (QueueProvider first = provider(fifo); QueueProvider second = provider(fifo)) {
            first.enqueue(envelope(id, null), Duration.ZERO);
            assertThat(drain(fifo.url())).as("the first copy, run and deleted").containsExactly(id);
            second.enqueue(envelope(id, null), Duration.ZERO);
            second.enqueue(envelope("after-" + id, null), Duration.ZERO);
            assertThat(drain(fifo.url())).as("the job handed on again after the first was gone").containsExactly("after-" + id);
        }

        SqsServer.Queues standard = ElasticMq.newQueues("semantics-handoff", false);
        try (QueueProvider first = provider(standard); QueueProvider second = provider(standard)) {
            first.enqueue(envelope(id, null), Duration.ZERO);
            second.enqueue(envelope(id, null), Duration.ZERO);
            assertThat(drain(standard.url())).containsExactly(id, id);
        }
    }

    @Test
    @DisplayName("on SQS FIFO a deduplication key is held for 5 minutes from the first enqueue, whether that job is "
            + "still pending or has completed: an enqueue after its Completed returns its id, and another process's is dropped")
    void aFifoKeyIsHeldForTheWindowEvenAfterItsJobCompleted() throws IOException {
        String page = page();
        String said = "Once it has completed or died, the key is free again (on the memory provider; on SQS FIFO a key "
                + "is held for 5 minutes from the first enqueue, whatever its job's state";
        assertThat(page.contains(said)).as("docs/semantics.md's Deduplication section says: %s", said).isTrue();
        String afterCompleted = "an enqueue begun after that job's `Completed` (or `Dead`) was seen always makes a new one "
                + "(`ConcurrentCallsTest`, `SchedulerRacesContract`) — on the memory provider and the scheduler: on SQS FIFO "
                + "it returns the first job's id until the key's 5 minutes have passed";
        assertThat(page.contains(afterCompleted)).as("docs/semantics.md says: %s", afterCompleted).isTrue();

        SqsServer.Queues fifo = ElasticMq.newQueues("semantics-key", true);
        List<String> ran = new CopyOnWriteArrayList<>();
        JobQueue jobs = workers.open(fifo, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> ran.add(job.payload().what()));
        jobs.start();
        EnqueueOptions keyed = EnqueueOptions.builder().deduplicationKey("report-42").build();
        String first = jobs.enqueue("work:do", new Work("first"), keyed);
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(first));

        assertThat(jobs.enqueue("work:do", new Work("again"), keyed)).as("after its Completed, in the same process")
                .isEqualTo(first);
        assertThat(workers.awaitEvent(JobEvent.Deduplicated.class, e -> e.jobId().equals(first)).deduplicationKey())
                .isEqualTo("report-42");
        JobQueue other = workers.open(fifo, Map.of(), Duration.ofSeconds(5));
        String elsewhere = other.enqueue("work:do", new Work("elsewhere"), keyed);
        assertThat(elsewhere).as("another process cannot learn the first job's id").isNotEqualTo(first);
        // one message group (the job type): a marker sent after them runs after whatever SQS kept of them
        String marker = other.enqueue("work:do", new Work("marker"));
        workers.awaitEvent(JobEvent.Completed.class, e -> e.jobId().equals(marker));
        assertThat(ran).containsExactly("first", "marker");
    }
    @Test
    @DisplayName("on a FIFO queue a job handed back unstarted at a shutdown counts as an attempt, as the page says: with "
            + "maxAttempts 1 it is dead without running, and the reason names that hand-back rather than only a crash")
    void aFifoJobHandedBackUnstartedCountsAndItsDeadLetterSaysWhy() throws IOException {
        String page = page();
        String said = "goes back to the queue unstarted: its handler is not called, no event is sent, and `close()` returns "
                + "only once it is back; its attempt is not counted, except on an SQS FIFO queue";
        assertThat(page.contains(said)).as("docs/semantics.md says: %s", said).isTrue();

        SqsServer.Queues fifo = ElasticMq.newQueues("semantics-handback", true);
        List<String> ran = new CopyOnWriteArrayList<>();
        JobQueue producer = workers.open(fifo, Map.of(), Duration.ofSeconds(5));
        String id = producer.enqueue("work:do", new Work("once"), EnqueueOptions.builder().maxAttempts(1).build());
        try (QueueProvider stopping = provider(fifo)) {
            // what a stopping worker does with a job its receive brought after the shutdown began
            List<dev.jobq.spi.ReceivedJob> got = stopping.receive(1, Duration.ofSeconds(5));
            assertThat(got).singleElement().satisfies(job -> assertThat(job.jobId()).isEqualTo(id));
            stopping.release(got.get(0));
        }
        JobQueue next = workers.open(fifo, Map.of(), Duration.ofSeconds(5));
        next.registerJobHandler("work:do", Work.class, (job, ctx) -> ran.add(job.payload().what()));
        next.start();
        JobEvent.Dead dead = workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        assertThat(ran).isEmpty();
        assertThat(dead.error()).startsWith("delivered for attempt 2 but maxAttempts is 1: earlier attempts ended without "
                + "finishing").contains("handed back at a worker's shutdown");
    }
    @Test
    @DisplayName("on SQS only the scheduler answers getJob, for a one-time job it still holds: DELAYED")
    void onSqsOnlyTheSchedulerAnswersGetJob() throws IOException {
        String said = "SQS finds no message by id, so there only the scheduler answers, for a one-time job it still holds "
                + "(an instant, or a delay beyond the provider's): `DELAYED`, on any provider";
        assertThat(page().contains(said)).as("docs/semantics.md says: %s", said).isTrue();
        SqsServer.Queues queues = ElasticMq.newQueues("semantics-held", false);
        JobQueue jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of()))
                .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:semantics-held-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"))
                .build();
        try (jobs) {
            String atInstant = jobs.enqueue("work:do", new Work("x"), EnqueueOptions.at(Instant.now().plusSeconds(3600)));
            String beyond = jobs.enqueue("work:do", new Work("y"), EnqueueOptions.delay(Duration.ofMinutes(16)));
            String onQueue = jobs.enqueue("work:do", new Work("z"), EnqueueOptions.delay(Duration.ofMinutes(10)));
            assertThat(jobs.getJob(atInstant).orElseThrow().state()).isEqualTo(dev.jobq.JobState.DELAYED);
            assertThat(jobs.getJob(beyond).orElseThrow().state()).isEqualTo(dev.jobq.JobState.DELAYED);
            assertThat(jobs.getJob(onQueue)).as("a delay SQS holds itself").isEmpty();
        }
    }
}
