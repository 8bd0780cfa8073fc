package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.BulkEnqueueException;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import dev.jobq.RecurringJob;
import dev.jobq.WorkerMode;
import dev.jobq.spi.EnqueueOutcome;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** What SQS cannot hold is refused at enqueue with the limit and the way out, never clamped or dropped. */
@DisplayName("SQS enqueue limits (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsEnqueueRulesTest {

    private final WorkerQueues workers = new WorkerQueues();

    @AfterEach
    void closeQueues() {
        workers.close();
    }

    private JobQueue producer(boolean fifo) {
        return workers.open(ElasticMq.newQueues(fifo ? "rules-fifo" : "rules", fifo), Map.of(), Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("a delay of up to 15 minutes goes out as the message's DelaySeconds")
    void shortDelayIsHeldBySqs() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-delay", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));

        jobs.enqueue("reminder:send", "soon", EnqueueOptions.delay(Duration.ofMinutes(15)));

        var counts = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.url())
                .attributeNames(QueueAttributeName.ALL)).attributes();
        assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo("1");
        assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("0");
    }

    @Test
    @DisplayName("a longer delay without a scheduler is refused, naming the 15-minute limit and the scheduler")
    void longDelayWithoutSchedulerIsRefused() {
        JobQueue jobs = producer(false);

        assertThatThrownBy(() -> jobs.enqueue("reminder:send", "later", EnqueueOptions.delay(Duration.ofMinutes(16))))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("16m")
                .hasMessageContaining("at most 15m")
                .hasMessageContaining("enable the scheduler");
    }

    @Test
    @DisplayName("a job for an instant more than 15 minutes ahead without a scheduler is refused as a long delay is, "
            + "not clamped to 15 minutes")
    void scheduledForBeyondTheLimitWithoutSchedulerIsRefused() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-at", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));

        assertThatThrownBy(() -> jobs.enqueue("report:send", "later",
                EnqueueOptions.at(Instant.now().plus(Duration.ofHours(1)))))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("at most 15m")
                .hasMessageContaining("enable the scheduler");
        assertThat(QueueContents.total(queues.url())).as("messages sent").isZero();
    }

    @Test
    @DisplayName("enqueueAll with a longer delay without a scheduler is refused once, as enqueue is, not as failed sends")
    void enqueueAllWithLongDelayWithoutSchedulerIsRefused() {
        JobQueue jobs = producer(false);

        assertThatThrownBy(() -> jobs.enqueueAll("reminder:send", List.of("first", "second"),
                EnqueueOptions.delay(Duration.ofMinutes(16))))
                .isExactlyInstanceOf(JobRejectedException.class)
                .hasMessageContaining("a delay of 16m is beyond what provider 'sqs'")
                .hasMessageContaining("enable the scheduler")
                .hasMessageEndingWith("none of the 2 jobs was enqueued");
    }

    @Test
    @DisplayName("the provider, asked directly for a delay past 15 minutes by less than a millisecond, refuses it shown "
            + "as given, in ISO-8601, not cut to the 15m it holds")
    void aDelayPastWhatSqsHoldsByLessThanAMillisecondIsNotShownAsItsMaximum() {
        // PT15M0.0005S was refused as "a delay of 15m is beyond …, which holds delays of 0 to 15m"
        SqsServer.Queues queues = ElasticMq.newQueues("rules-just-past", false);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), Clock.systemUTC()))) {
            JobEnvelope envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, "just-past-1", "reminder:send", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null);

            assertThatThrownBy(() -> provider.enqueue(envelope, Duration.ofMinutes(15).plusNanos(500_000)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("job just-past-1 of type 'reminder:send': a delay of PT15M0.0005S is beyond ")
                    .hasMessageContaining(", which holds delays of 0 to 15m; longer delays go through the scheduler");
        }
        var counts = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.url())
                .attributeNames(QueueAttributeName.ALL)).attributes();
        assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo("0");
        assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("0");
    }

    @Test
    @DisplayName("a FIFO queue takes no per-message delay: a delay without a scheduler is refused")
    void fifoDelayIsRefused() {
        JobQueue jobs = producer(true);

        assertThatThrownBy(() -> jobs.enqueue("reminder:send", "later", EnqueueOptions.delay(Duration.ofSeconds(5))))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("no per-message delay")
                .hasMessageContaining("enable the scheduler");
    }

    @Test
    @DisplayName("a non-zero priority is refused with a pointer to named queues")
    void priorityIsRefused() {
        JobQueue jobs = producer(false);

        assertThatThrownBy(() -> jobs.enqueue("email:send", "x", EnqueueOptions.builder().priority(1).build()))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("priority 1 is not supported by provider 'sqs'")
                .hasMessageContaining("named queue");
    }

    @Test
    @DisplayName("a deduplication key on a standard queue is refused, pointing to FIFO queues")
    void deduplicationOnStandardQueueIsRefused() {
        JobQueue jobs = producer(false);

        assertThatThrownBy(() -> jobs.enqueue("email:send", "x",
                EnqueueOptions.builder().deduplicationKey("welcome-42").build()))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("deduplicationKey 'welcome-42'")
                .hasMessageContaining("FIFO");
        // A 10,000-character key was echoed whole: a 10 KB message, where a long trace id is cut after 80.
        assertThatThrownBy(() -> jobs.enqueue("email:send", "x",
                EnqueueOptions.builder().deduplicationKey("w".repeat(10_000)).build()))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageStartingWith("deduplicationKey '" + "w".repeat(80) + "…' (10000 characters) is not "
                        + "supported by provider 'sqs' of queue 'default'")
                .message().hasSizeLessThan(400);
    }

    @Test
    @DisplayName("on a FIFO queue a deduplication key within five minutes returns the first job")
    void deduplicationOnFifoQueueReturnsTheFirstJob() {
        JobQueue jobs = producer(true);
        EnqueueOptions once = EnqueueOptions.builder().deduplicationKey("welcome-42").build();

        String first = jobs.enqueue("email:send", "x", once);
        String second = jobs.enqueue("email:send", "y", once);

        assertThat(second).isEqualTo(first);
    }

    /** SQS takes 1 to 128 printable ASCII characters as a MessageDeduplicationId; any other key is sent hashed. */
    @Test
    @DisplayName("on a FIFO queue a key SQS would refuse as a deduplication id (long, not ASCII) deduplicates all the same")
    void deduplicationKeyBeyondWhatSqsTakesIsHashedAndDeduplicates() {
        JobQueue jobs = producer(true);
        EnqueueOptions once = EnqueueOptions.builder().deduplicationKey("grüße an " + "k".repeat(300)).build();

        String first = jobs.enqueue("email:send", "x", once);
        String second = jobs.enqueue("email:send", "y", once);

        assertThat(second).isEqualTo(first);
    }

    @Test
    @DisplayName("a payload over the limit is refused with its size and the limit")
    void oversizedPayloadIsRefused() {
        JobQueue jobs = producer(false);
        String big = "x".repeat(1024 * 1024);

        assertThatThrownBy(() -> jobs.enqueue("report:store", big))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("is 1048578 bytes")
                .hasMessageContaining("over the " + (1024 * 1024 - OutgoingMessage.DEAD_LETTER_RESERVE) + "-byte limit");
    }

    @Test
    @DisplayName("a payload under the limit whose message with its envelope is over it is refused by the provider")
    void envelopeOverTheLimitIsRefused() {
        JobQueue jobs = producer(false);
        int limit = 1024 * 1024 - OutgoingMessage.DEAD_LETTER_RESERVE;
        String nearly = "x".repeat(limit - 10);

        assertThatThrownBy(() -> jobs.enqueue("report:store", nearly))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("would be an SQS message of")
                .hasMessageContaining("over the limit of " + limit + " bytes");
    }

    /**
     * A job the scheduler holds first (a delay past 15 minutes, an instant, a recurring job) is
     * checked as the SQS message it will become when it is due: refused at enqueue, to its caller,
     * and not stored, rather than refused by SQS at every hand-off once it is due, where no caller
     * sees it (it once was, and was tried again every five minutes, for ever).
     */
    @Test
    @DisplayName("a message over the limit its dead-letter queue's smaller MaximumMessageSize sets is refused naming "
            + "the dead-letter queue, not only maxPayloadBytes and the queue's own size, which allow it")
    void aMessageOverTheDeadLetterQueuesLimitNamesIt() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-small-dlq", false);
        BatchEntryFaults.reportMaximumMessageSize(queues.url(), 1024 * 1024);
        BatchEntryFaults.reportMaximumMessageSize(queues.deadLetterUrl(), 256 * 1024);
        int limit = 256 * 1024 - OutgoingMessage.DEAD_LETTER_RESERVE;
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), Clock.systemUTC()))) {
            JobEnvelope big = new JobEnvelope(JobEnvelope.CURRENT_VERSION, "small-dlq-1", "report:store",
                    "\"" + "x".repeat(limit) + "\"", JobOptions.defaults(), 0, Instant.now(), null, null);

            assertThatThrownBy(() -> provider.enqueue(big, Duration.ZERO))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("over the limit of " + limit + " bytes")
                    .hasMessageContaining("its dead-letter queue");
        }
    }

    /**
     * A payload over the limit the dead-letter queue's smaller MaximumMessageSize sets is refused by the core's size
     * check, before the provider sees it. It said "…or raise maxPayloadBytes where the provider allows", which cannot
     * help: maxPayloadBytes and the queue's own size allow it.
     */
    @Test
    @DisplayName("a payload over the limit its dead-letter queue's smaller MaximumMessageSize sets is refused naming "
            + "the lowest of maxPayloadBytes and the two queues' sizes, less 4 KiB, and the fix")
    void aPayloadOverTheDeadLetterQueuesLimitIsRefusedNamingTheQueuesSizes() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-small-dlq-payload", false);
        BatchEntryFaults.reportMaximumMessageSize(queues.url(), 1024 * 1024);
        BatchEntryFaults.reportMaximumMessageSize(queues.deadLetterUrl(), 256 * 1024);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));

        assertThatThrownBy(() -> jobs.enqueue("report:store", "x".repeat(300 * 1024)))
                .isInstanceOf(JobRejectedException.class)
                .hasMessage("payload of job type 'report:store' is 307202 bytes, over the 258048-byte limit of provider "
                        + "'sqs' of queue 'default': 262144 bytes, the lowest of maxPayloadBytes and the "
                        + "MaximumMessageSize of the SQS queue and of its dead-letter queue if it has one (each dead job "
                        + "is copied there), less 4096 kept for the attributes of a dead-letter copy; store large data "
                        + "elsewhere (S3, a database) and put its id in the payload, or raise the lowest of them (SQS "
                        + "takes up to 1 MiB: docs/sqs.md)");
        assertThat(QueueContents.total(queues.url())).as("messages sent").isZero();
        // At SQS's own most, raising is no way out.
        JobQueue large = producer(false);
        assertThatThrownBy(() -> large.enqueue("report:store", "x".repeat(1024 * 1024)))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageEndingWith(": 1048576 bytes, the lowest of maxPayloadBytes and the MaximumMessageSize of "
                        + "the SQS queue and of its dead-letter queue if it has one (each dead job is copied there), "
                        + "less 4096 kept for the attributes of a dead-letter copy; store large data elsewhere (S3, a "
                        + "database) and put its id in the payload: 1 MiB is the most SQS takes");
    }

    @Test
    @DisplayName("a job for the scheduler whose message would be over the limit is refused at enqueue and not stored")
    void jobForTheSchedulerOverTheLimitIsRefusedAtEnqueue() {
        int limit = 1024 * 1024 - OutgoingMessage.DEAD_LETTER_RESERVE;
        String nearly = "x".repeat(limit - 10); // under the payload limit; the envelope takes it over
        JobQueue jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(ElasticMq.newQueues("rules-held", false), Map.of()))
                .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:sqs-rules-held;DB_CLOSE_DELAY=-1"))
                .mode(WorkerMode.STANDALONE)
                .build();
        try (jobs) {
            Instant inAnHour = Instant.now().plus(Duration.ofHours(1));
            assertThatThrownBy(() -> jobs.enqueue("report:store", nearly, EnqueueOptions.delay(Duration.ofMinutes(20))))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("would be an SQS message of")
                    .hasMessageContaining("for the scheduler");
            assertThatThrownBy(() -> jobs.enqueue("report:store", nearly, EnqueueOptions.at(inAnHour)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("would be an SQS message of");
            assertThatThrownBy(() -> jobs.scheduler().schedule("report:store", nearly, inAnHour))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("would be an SQS message of");
            assertThatThrownBy(() -> jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "report:store")
                    .schedule("every 30 minutes").payload(nearly).build()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("would be an SQS message of");

            assertThat(jobs.scheduler().listScheduled(10)).isEmpty();
            assertThat(jobs.scheduler().listRecurring()).isEmpty();
            // A small job takes the same ways.
            jobs.enqueue("report:store", "small", EnqueueOptions.delay(Duration.ofMinutes(20)));
            jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "report:store")
                    .schedule("every 30 minutes").payload("small").build());
            assertThat(jobs.scheduler().listScheduled(10)).hasSize(1);
            assertThat(jobs.scheduler().listRecurring()).hasSize(1);
        }
    }

    @Test
    @DisplayName("in enqueueAll on a standard queue, a job whose message is over the limit fails alone; the others are sent")
    void enqueueAllRefusesOnlyTheMessageOverTheLimit() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-bulk", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        int limit = 1024 * 1024 - OutgoingMessage.DEAD_LETTER_RESERVE;
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            payloads.add(i == 13 ? "x".repeat(limit - 10) : "small " + i);
        }

        assertThatThrownBy(() -> jobs.enqueueAll("report:store", payloads))
                .isInstanceOfSatisfying(BulkEnqueueException.class, e -> {
                    assertThat(e.failedIndexes()).containsExactly(13);
                    assertThat(e.jobIds()).hasSize(25).containsOnlyOnce((String) null);
                    assertThat(e.jobIds().get(13)).isNull();
                    assertThat(e.getCause()).hasMessageContaining("would be an SQS message of");
                });

        var counts = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.url())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes();
        assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("24");
    }

    /**
     * The queue's redrive policy moves a message to its DLQ after {@code maxReceiveCount} receives,
     * whatever jobq's attempts: a job allowed more attempts than that would be moved by SQS before
     * its last one, without its error and without a Dead event. Refused at enqueue instead, on every
     * way a job reaches the queue (directly, in enqueueAll, through the scheduler), naming both numbers.
     */
    @Test
    @DisplayName("a job with more attempts than the queue's redrive policy lets SQS deliver is refused at enqueue")
    void moreAttemptsThanMaxReceiveCountAreRefused() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-receives", false);
        String deadLetterArn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.deadLetterUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        ElasticMq.client().setQueueAttributes(r -> r.queueUrl(queues.url()).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"5\"}")));
        JobQueue jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of()))
                .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:sqs-rules-receives;DB_CLOSE_DELAY=-1"))
                .mode(WorkerMode.STANDALONE)
                .build();
        try (jobs) {
            EnqueueOptions six = EnqueueOptions.builder().maxAttempts(6).build();
            String refusal = "maxAttempts 6 is more than provider 'sqs' of queue 'default' lets a job have (5): the SQS "
                    + "queue's redrive policy moves a message to its dead-letter queue after 5 receives";
            assertThatThrownBy(() -> jobs.enqueue("report:store", "r-1", six))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal)
                    .hasMessageContaining("lower maxAttempts to at most 5, or raise the queue's maxReceiveCount");
            assertThatThrownBy(() -> jobs.enqueueAll("report:store", List.of("r-1", "r-2"), six))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal);
            assertThatThrownBy(() -> jobs.enqueue("report:store", "r-1", six.toBuilder()
                    .delay(Duration.ofMinutes(20)).build()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal);
            assertThatThrownBy(() -> jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "report:store")
                    .schedule("every 30 minutes").options(six).payload("r").build()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal);
            assertThat(QueueContents.total(queues.url())).isZero();
            assertThat(jobs.scheduler().listScheduled(10)).isEmpty();
            assertThat(jobs.scheduler().listRecurring()).isEmpty();

            jobs.enqueue("report:store", "r-1", EnqueueOptions.builder().maxAttempts(5).build());
            jobs.enqueueAll("report:store", List.of("r-2", "r-3"));
            assertThat(QueueContents.total(queues.url())).isEqualTo(3);
        }
    }

    /**
     * At start-up a redrive policy's maxReceiveCount at or below jobq's default attempts is warned of, saying what
     * it does: it caps a job's attempts (more are refused at enqueue), and at a job's maxAttempts a worker lost in
     * the last attempt leaves the job to SQS's move, without its error. It said the move "may come before jobq's
     * last attempt", which the refusal at enqueue keeps from happening to jobq's own jobs.
     */
    @Test
    @DisplayName("a maxReceiveCount at or below the default attempts is warned of at start-up, saying what it costs")
    void aLowMaxReceiveCountIsWarnedOfAtStartUp() {
        var setupLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(QueueSetup.class);
        var logged = new CapturedLog();
        logged.start();
        setupLog.addAppender(logged);
        try {
            SqsServer.Queues low = ElasticMq.newQueues("rules-low-count", false);
            redrivePolicy(low, 3);
            SqsServer.Queues ample = ElasticMq.newQueues("rules-ample-count", false);
            redrivePolicy(ample, 10);
            for (SqsServer.Queues queues : List.of(low, ample)) {
                JobQueue.builder().environment(Map.of())
                        .provider("sqs", ElasticMq.settings(queues, Map.of()))
                        .mode(WorkerMode.STANDALONE)
                        .build()
                        .close();
            }

            // Test classes run side by side here: only the WARNs naming this test's two queues are its own.
            assertThat(logged.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filteredOn(m -> m.contains(low.url()) || m.contains(ample.url()))
                    .singleElement().isEqualTo("SQS queue " + low.url() + " moves a message to its dead-letter queue "
                            + "after 3 receives (redrive policy maxReceiveCount): a job on it may have at most 3 "
                            + "attempts (jobq's default is 3), one with more is refused at enqueue, and a job whose "
                            + "last attempt is cut short (its worker lost) is moved there by SQS without its error and "
                            + "with no Dead event; set maxReceiveCount above the largest maxAttempts you use (10 is a "
                            + "good default: docs/sqs.md)");
        } finally {
            setupLog.detachAppender(logged);
        }
    }

    /**
     * A redrive policy whose maxReceiveCount is too big for an int (AWS allows 1 to 1000; a hand-set policy on
     * another server need not) lets a job have as many attempts as jobq counts: the enqueue check reads it as
     * unlimited. The start-up warning read the same number with a bare Integer.parseInt, so the provider failed
     * to start with a NumberFormatException naming neither the queue nor the setting.
     */
    @Test
    @DisplayName("a maxReceiveCount too big for an int starts as no limit, as the enqueue check reads it, not with a "
            + "NumberFormatException")
    void aMaxReceiveCountTooBigForAnIntIsNoLimit() {
        var setupLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(QueueSetup.class);
        var logged = new CapturedLog();
        logged.start();
        setupLog.addAppender(logged);
        try {
            SqsServer.Queues queues = ElasticMq.newQueues("rules-huge-count", false);
            String deadLetterArn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.deadLetterUrl())
                    .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
            // ElasticMQ refuses to keep such a policy (HTTP 500): its attributes answer it instead.
            BatchEntryFaults.reportRedrivePolicy(queues.url(),
                    "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"99999999999\"}");

            try (JobQueue jobs = JobQueue.builder().environment(Map.of())
                    .provider("sqs", ElasticMq.settings(queues, Map.of()))
                    .mode(WorkerMode.STANDALONE)
                    .build()) {
                jobs.enqueue("report:store", "r-1", EnqueueOptions.builder().maxAttempts(1_000_000).build());
            }

            assertThat(QueueContents.total(queues.url())).isEqualTo(1);
            assertThat(logged.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filteredOn(m -> m.contains(queues.url()))
                    .isEmpty();
        } finally {
            setupLog.detachAppender(logged);
        }
    }

    private static void redrivePolicy(SqsServer.Queues queues, int maxReceiveCount) {
        String deadLetterArn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.deadLetterUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        ElasticMq.client().setQueueAttributes(r -> r.queueUrl(queues.url()).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")));
    }

    /**
     * A job the scheduler stored while the redrive policy allowed its attempts, due after the policy was lowered:
     * handed on, SQS would move it to the dead-letter queue after the new maxReceiveCount, before its last attempt,
     * without its error and with no Dead event. Rejected at hand-off instead, like a payload over a lowered limit:
     * kept with the reason, WARNed once, tried again every 5 minutes.
     */
    @Test
    @DisplayName("a job stored before the queue's maxReceiveCount was lowered below its attempts is rejected at "
            + "hand-off and kept, not sent")
    void moreAttemptsThanALoweredMaxReceiveCountAreRejectedAtHandOff() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-lowered", false);
        redrivePolicy(queues, 10);
        String database = "jdbc:h2:mem:sqs-rules-lowered;DB_CLOSE_DELAY=-1";
        Instant due = Instant.now().plus(Duration.ofSeconds(3));
        String eight;
        String five;
        try (JobQueue before = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of()))
                .scheduler("jdbc", Map.of("jdbcUrl", database))
                .mode(WorkerMode.STANDALONE)
                .build()) {
            eight = before.scheduler().schedule("report:store", "r-8", due, EnqueueOptions.builder().maxAttempts(8).build());
            five = before.scheduler().schedule("report:store", "r-5", due, EnqueueOptions.builder().maxAttempts(5).build());
        }
        redrivePolicy(queues, 5);

        try (JobQueue lowered = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of()))
                .scheduler("jdbc", Map.of("jdbcUrl", database))
                .mode(WorkerMode.STANDALONE)
                .build()) {
            lowered.start(); // fires the scheduler; no worker
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                    lowered.scheduler().listScheduled(10).stream().noneMatch(job -> job.id().equals(five))
                    && lowered.scheduler().listScheduled(10).stream().anyMatch(job -> job.error() != null));
            // Before, both were sent: the one of 8 attempts would have been moved to the DLQ after its 5th receive.
            assertThat(QueueContents.total(queues.url())).isEqualTo(1);
            assertThat(lowered.scheduler().listScheduled(10)).singleElement().satisfies(job -> {
                assertThat(job.id()).isEqualTo(eight);
                assertThat(job.status()).isEqualTo(dev.jobq.ScheduledJobInfo.Status.SCHEDULED);
                assertThat(job.error()).contains("maxAttempts 8 is more than provider 'sqs' of queue 'default' lets a "
                        + "job have (5)", "lower maxAttempts to at most 5, or raise the queue's maxReceiveCount");
            });
        }
    }

    /**
     * SQS hides a received message for at most 12 hours, however often the heartbeat extends it: a
     * handler still running then is delivered again and runs a second time beside itself, which the
     * heartbeats are there to prevent (DESIGN §4). A timeout that allows that is refused at enqueue.
     */
    @Test
    @DisplayName("a timeout longer than SQS can keep a running job hidden is refused at enqueue, on every path")
    void timeoutBeyondTwelveHoursIsRefused() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-timeout", false);
        JobQueue jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of()))
                .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:sqs-rules-timeout;DB_CLOSE_DELAY=-1"))
                .mode(WorkerMode.STANDALONE)
                .build();
        try (jobs) {
            EnqueueOptions day = EnqueueOptions.builder().timeout(Duration.ofDays(1)).build();
            String refusal = "timeout 1d is longer than provider 'sqs' of queue 'default' can keep a running job from "
                    + "being delivered again (11h59m: SQS hides a received message for at most 12 h)";
            assertThatThrownBy(() -> jobs.enqueue("report:store", "r-1", day))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal)
                    .hasMessageContaining("give a timeout of at most 11h59m, or split the work into shorter jobs");
            assertThatThrownBy(() -> jobs.enqueueAll("report:store", List.of("r-1", "r-2"), day))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal);
            assertThatThrownBy(() -> jobs.scheduler().schedule("report:store", "r-1",
                    Instant.now().plus(Duration.ofHours(1)), day))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal);
            assertThatThrownBy(() -> jobs.scheduler().registerRecurring(RecurringJob.builder("nightly", "report:store")
                    .schedule("every 30 minutes").options(day).payload("r").build()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining(refusal);
            assertThat(QueueContents.total(queues.url())).isZero();
            assertThat(jobs.scheduler().listScheduled(10)).isEmpty();
            assertThat(jobs.scheduler().listRecurring()).isEmpty();

            jobs.enqueue("report:store", "r-1", EnqueueOptions.builder().timeout(Duration.ofMinutes(719)).build());
            assertThat(QueueContents.total(queues.url())).isEqualTo(1);
        }
    }

    record PublicKey(String owner, BigInteger modulus) {
    }

    /**
     * An application's mapper that reads longer numbers than Jackson's default writes a payload it can read back, but
     * the envelope around it is read with the default limits: the enqueue returned an id, and every worker then
     * dead-lettered the job unread, though docs/wire-format.md says such a payload is refused at enqueue.
     */
    @Test
    @DisplayName("a number longer than a job envelope is read with is refused at enqueue, also with a mapper that "
            + "reads it, not sent for every worker to dead-letter unread")
    void aNumberLongerThanAnEnvelopeIsReadWithIsRefusedAtEnqueue() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-long-number", false);
        var mapper = new ObjectMapper(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNumberLength(5000).build()).build());
        JobQueue jobs = JobQueue.builder().environment(Map.of())
                .provider("sqs", ElasticMq.settings(queues, Map.of()))
                .objectMapper(mapper)
                .build();
        try (jobs) {
            // An RSA-4096 modulus: 1233 digits.
            assertThatThrownBy(() -> jobs.enqueue("key:rotate", new PublicKey("ada", new BigInteger("7".repeat(1233)))))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessage("payload of job type 'key:rotate' (dev.jobq.sqs.SqsEnqueueRulesTest$PublicKey) is "
                            + "written as JSON a job envelope cannot carry (Number value length (1233) exceeds the "
                            + "maximum allowed (1000), as jobq reads every envelope, whatever the queue's ObjectMapper "
                            + "reads), so every job of it would be dead-lettered unread; write a number that long as a "
                            + "string into a String field");
            assertThat(QueueContents.total(queues.url())).as("messages sent").isZero();

            jobs.enqueue("key:rotate", new PublicKey("ada", BigInteger.TEN.pow(999)));
            assertThat(QueueContents.total(queues.url())).isEqualTo(1);
        }
    }

    /**
     * A job type may hold a bidirectional override (U+202E: requireType refuses only control characters), and an id an
     * application gives the provider anything: each refusal at enqueue repeated both raw, and the override showed the
     * rest of the line reversed.
     */
    @Test
    @DisplayName("refusals and send failures at enqueue show a job's id and type with a bidirectional override escaped")
    void refusalsAtEnqueueShowAnIdAndTypeWithABidirectionalOverrideEscaped() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-rlo", false);
        String shown = "job order-rlo-\\u202egnp.exe of type 'report:\\u202efdp'";
        var provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), Clock.systemUTC()));
        try (provider) {
            assertThatThrownBy(() -> provider.enqueue(rlo("x"), Duration.ofMinutes(16)))
                    .isInstanceOf(JobRejectedException.class).hasMessageStartingWith(shown + ": a delay of 16m is beyond");
            assertThatThrownBy(() -> provider.enqueue(rlo("x".repeat(1024 * 1024)), Duration.ZERO))
                    .isInstanceOf(JobRejectedException.class).hasMessageStartingWith(shown + " would be an SQS message");
            ElasticMq.client().deleteQueue(r -> r.queueUrl(queues.url()));
            assertThatThrownBy(() -> provider.enqueue(rlo("x"), Duration.ZERO))
                    .isInstanceOf(JobQueueException.class).hasMessageStartingWith("sending " + shown + " to ");
            assertThat(provider.enqueueAll(List.of(rlo("x"), rlo("y")), Duration.ZERO))
                    .extracting(EnqueueOutcome::failure)
                    .allSatisfy(failure -> assertThat(failure).hasMessageStartingWith("sending " + shown + " to "));
        }
        assertThatThrownBy(() -> provider.enqueue(rlo("x"), Duration.ZERO))
                .isInstanceOf(JobQueueException.class).hasMessageEndingWith("is closed; " + shown + " was not enqueued");
    }

    @Test
    @DisplayName("on a FIFO queue, a job not sent after a refused one in its group names both ids and its type escaped")
    void aFifoJobNotSentAfterARefusedOneShowsTheIdsEscaped() {
        SqsServer.Queues queues = ElasticMq.newQueues("rules-rlo-fifo", true);
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of())), Clock.systemUTC()))) {
            JobEnvelope next = new JobEnvelope(JobEnvelope.CURRENT_VERSION, "next-\u202e1", "report:\u202efdp", "1",
                    JobOptions.defaults(), 0, Instant.now(), null, null);

            List<EnqueueOutcome> outcomes = provider.enqueueAll(List.of(rlo("x".repeat(1024 * 1024)), next),
                    Duration.ZERO);

            assertThat(outcomes.get(0).failure()).hasMessageStartingWith("job order-rlo-\\u202egnp.exe of type "
                    + "'report:\\u202efdp' would be an SQS message");
            assertThat(outcomes.get(1).failure()).hasMessageStartingWith("job next-\\u202e1 of type "
                    + "'report:\\u202efdp' was not sent to ").hasMessageContaining(": job order-rlo-\\u202egnp.exe before "
                    + "it in message group ");
        }
    }

    private static JobEnvelope rlo(String payload) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, "order-rlo-\u202egnp.exe", "report:\u202efdp",
                "\"" + payload + "\"", JobOptions.defaults(), 0, Instant.now(), null, null);
    }
}
