package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.Backoff;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.DurationFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SQS hides a received message for at most 12 hours: a retry backoff longer than what is left of
 * them cannot be held by the message, and is shortened to it with a WARN (docs/sqs.md, Limits). And
 * it holds whole seconds: a backoff is rounded up to them, so that none is made 0, a redelivery at once
 * (docs/sqs.md, Delivery on SQS).
 */
@DisplayName("SQS: a retry backoff beyond 12 h, and one of a fraction of a second (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsRetryBackoffTest {

    private final WorkerQueues workers = new WorkerQueues();
    private final Logger providerLog = (Logger) LoggerFactory.getLogger(SqsQueueProvider.class);
    private final CapturedLog logged = new CapturedLog();

    @BeforeEach
    void capture() {
        logged.start();
        providerLog.addAppender(logged);
    }

    @AfterEach
    void close() {
        workers.close();
        providerLog.detachAppender(logged);
    }

    @Test
    @DisplayName("a backoff of 13 h is shortened to what is left of SQS's 12 h, with a WARN naming both; the job waits")
    void backoffBeyondTwelveHoursIsShortenedWithAWarning() {
        SqsServer.Queues queues = ElasticMq.newQueues("backoff-cap", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> {
            throw new IllegalStateException("the report service is down");
        }, HandlerOptions.defaults().maxAttempts(2).backoff(Backoff.fixed(Duration.ofHours(13))));
        jobs.start();

        String id = jobs.enqueue("report:build", "r-1");

        JobEvent.Failed failed = workers.awaitEvent(JobEvent.Failed.class, e -> e.jobId().equals(id));
        assertThat(failed.retryIn()).as("the backoff's delay: the Failed is announced before SQS takes the retry and "
                + "shortens it (JobEvent.Failed, docs/sqs.md, Limits)").isEqualTo(Duration.ofHours(13));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> logged.list.stream()
                .anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(id)));
        String warning = logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(id)).findFirst().orElseThrow();
        assertThat(warning).contains("retry delay 13h is beyond what SQS can hold (12 h from the receive, ",
                "it is retried in 11h59m", "For SQS queues keep the backoff below 11h59m55s less the time from a job's "
                + "receive to its retry");
        var counts = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.url()).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).as("not run again at once")
                .isEqualTo("0");
        assertThat(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isEqualTo("1");
    }

    @Test
    @DisplayName("a backoff under 12 h that does not fit in what is left of them is shortened, and its WARN does not "
            + "advise a backoff under 12 h, which it is, but one under 12 h less the time from the receive")
    void aBackoffUnderTwelveHoursThatDoesNotFitIsAdvisedRightly() {
        SqsServer.Queues queues = ElasticMq.newQueues("backoff-cap-under", false);
        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofSeconds(5));
        // under 12 h, but over what is left of them at the retry: at most 12 h less the 5 s kept for the call
        Duration backoff = Duration.ofHours(12).minusSeconds(2);
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> {
            throw new IllegalStateException("the report service is down");
        }, HandlerOptions.defaults().maxAttempts(2).backoff(Backoff.fixed(backoff)));
        jobs.start();

        String id = jobs.enqueue("report:build", "r-1");

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> logged.list.stream()
                .anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(id)));
        String warning = logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(id)).findFirst().orElseThrow();
        // "below 12 h less the time from a job's receive to its retry" was kept too: 11h59m58s failing 0s after its
        // receive is below 12 h less 0s; the bound is the 12 h less the 5 s kept for the call
        assertThat(warning).as("a backoff of 11h59m58s, under 12 h already")
                .contains("retry delay 11h59m58s is beyond what SQS can hold (12 h from the receive", "ago")
                .doesNotContain("Cap the backoff below 12 h for SQS queues")
                .contains("keep the backoff below 11h59m55s less the time from a job's receive to its retry");
    }

    @Test
    @DisplayName("the WARN of a backoff shortened to the 12 h says the retry in the whole seconds SQS holds it for, "
            + "not in the milliseconds left of the 12 h")
    void theShortenedBackoffsWarningSaysWhatSqsHolds() {
        String watched = "backoff-cap-said-";
        SqsActions.watch(watched);
        try {
            int held = retryVisibility(watched, "a", Duration.ofHours(13));
            String warning = logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("retry delay 13h")).findFirst()
                    .orElseThrow();
            assertThat(warning).as("the retry SQS was asked for, %d s", held)
                    .contains("it is retried in " + DurationFormat.format(Duration.ofSeconds(held)) + " instead");
        } finally {
            SqsActions.forget(watched);
        }
    }

    @Test
    @DisplayName("a backoff of 1500 ms is held as 2 s and one of 1 ms as 1 s: rounded up to whole seconds, never "
            + "down to 0, which would deliver the job again at once")
    void aBackoffOfAFractionOfASecondIsRoundedUpNeverToZero() {
        String watched = "backoff-round-";
        SqsActions.watch(watched);
        try {
            assertThat(retryVisibility(watched, "a", Duration.ofMillis(1500))).as("1500 ms, rounded up").isEqualTo(2);
            assertThat(retryVisibility(watched, "b", Duration.ofMillis(1))).as("1 ms: 1 s, not 0").isEqualTo(1);
        } finally {
            SqsActions.forget(watched);
        }
    }

    @Test
    @DisplayName("a backoff shortened to what is left of the 12 h is rounded up too: in the last second before the "
            + "margin it is 1 s, not 0, and only with nothing left is it 0")
    void aBackoffShortenedInTheLastSecondIsNotMadeZero() {
        assertThat(SqsQueueProvider.retrySeconds(Duration.ofHours(13), Duration.ofMillis(400)))
                .as("400 ms left of the 12 h: 1 s, not 0, a redelivery at once").isEqualTo(1);
        assertThat(SqsQueueProvider.retrySeconds(Duration.ofHours(13), Duration.ofSeconds(7).plusMillis(1)))
                .as("7.001 s left: 8 s, within the 5 s kept off the 12 h").isEqualTo(8);
        assertThat(SqsQueueProvider.retrySeconds(Duration.ofHours(13), Duration.ZERO))
                .as("nothing left: at once, the only change SQS takes then").isZero();
    }

    @Test
    @DisplayName("a backoff is said shortened (the WARN) only when SQS holds the job for fewer whole seconds than the "
            + "backoff's own: 800 ms with 300 ms left is held 1 s, as it is with the whole 12 h left")
    void aBackoffHeldForItsOwnWholeSecondsIsNotSaidShortened() {
        assertThat(SqsQueueProvider.shortened(Duration.ofMillis(800), Duration.ofMillis(300)))
                .as("800 ms with 300 ms left: held %d s, as without the 12 h; 'retried in 1s instead' of 800ms",
                        SqsQueueProvider.retrySeconds(Duration.ofMillis(800), Duration.ofMillis(300))).isFalse();
        assertThat(SqsQueueProvider.shortened(Duration.ofMillis(10_500), Duration.ofMillis(10_300)))
                .as("10.5 s with 10.3 s left: held 11 s either way").isFalse();
        assertThat(SqsQueueProvider.shortened(Duration.ofMillis(11_200), Duration.ofMillis(10_300)))
                .as("11.2 s with 10.3 s left: held 11 s, not 12").isTrue();
        assertThat(SqsQueueProvider.shortened(Duration.ofHours(13), Duration.ofSeconds(43_194).plusMillis(906)))
                .as("13 h").isTrue();
        assertThat(SqsQueueProvider.shortened(Duration.ofMillis(1), Duration.ZERO)).as("nothing left: at once").isTrue();
        assertThat(SqsQueueProvider.shortened(Duration.ZERO, Duration.ZERO)).as("a backoff of 0").isFalse();
        assertThat(SqsQueueProvider.shortened(Duration.ofSeconds(30), Duration.ofSeconds(30))).as("exactly what is left")
                .isFalse();
    }

    @Test
    @DisplayName("the longest Duration (ChronoUnit.FOREVER's), from a custom backoff or given directly, is said shortened "
            + "to what is left of the 12 h: its whole seconds rounded up overflowed to 0, and no WARN came")
    void theLongestBackoffIsSaidShortened() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        Duration left = Duration.ofSeconds(43_194).plusMillis(906);
        assertThat(SqsQueueProvider.shortened(forever, left))
                .as("%s with %s left: held %d s", forever, left, SqsQueueProvider.retrySeconds(forever, left)).isTrue();
        assertThat(SqsQueueProvider.shortened(Duration.ofSeconds(Long.MAX_VALUE), left)).as("Long.MAX_VALUE s").isTrue();
    }

    /**
     * The seconds of the visibility change of a job's first retry with {@code backoff}, on a queue of its own (its name
     * {@code watched} and {@code suffix}): a lease of 30 s, so that no heartbeat changes its visibility before the retry.
     */
    private int retryVisibility(String watched, String suffix, Duration backoff) {
        SqsServer.Queues queues = ElasticMq.newQueues(watched + suffix, false);
        String name = queues.url().substring(queues.url().lastIndexOf('/') + 1);
        JobQueue jobs = workers.open(queues, Map.of("visibilityTimeout", "30s"), Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", String.class, (job, ctx) -> {
            throw new IllegalStateException("the report service is down");
        }, HandlerOptions.defaults().maxAttempts(5).backoff(Backoff.fixed(backoff)));
        jobs.start();
        String id = jobs.enqueue("report:build", "r-1");
        workers.awaitEvent(JobEvent.Failed.class, e -> e.jobId().equals(id));
        List<Integer> changes = Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> SqsActions.visibilityChanges(watched, name), seconds -> !seconds.isEmpty());
        return changes.get(0);
    }
}
