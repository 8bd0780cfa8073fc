package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.ConfigException;
import dev.jobq.JobQueue;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One SQS queue behind two of a JobQueue's queue names, or behind one name's jobs and another's dead letters (a
 * copied section, an environment variable used twice): each name's worker loop would receive the other's jobs, and a
 * dead-letter queue that is another name's queue would run every dead job again. Refused when the queue is built,
 * naming both.
 */
@DisplayName("SQS: one SQS queue under two queue names of a JobQueue (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsQueueUnderTwoNamesTest {

    private static Map<String, Object> settings(String url, String deadLetterUrl) {
        Map<String, Object> settings = new LinkedHashMap<>(ElasticMq.connectionSettings());
        settings.put("queueUrl", url);
        settings.put("deadLetterQueueUrl", deadLetterUrl);
        return settings;
    }

    private static JobQueue build(Map<String, ?> provider, Map<String, ?> reports) {
        return JobQueue.builder().environment(Map.of())
                .provider("sqs", provider)
                .queue("reports", "sqs", reports)
                .build();
    }

    @Test
    @DisplayName("two names on one SQS queue are refused, naming the key, the queue and the other name")
    void twoNamesOnOneQueueAreRefused() {
        SqsServer.Queues jobs = ElasticMq.newQueues("twonames", false);
        SqsServer.Queues other = ElasticMq.newQueues("twonames-dlq", false);

        assertThatThrownBy(() -> build(settings(jobs.url(), jobs.deadLetterUrl()),
                settings(jobs.url(), other.deadLetterUrl())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queues.reports.queueUrl: SQS queue " + jobs.url()
                        + " is already the queue of 'default'")
                .hasMessageContaining("give 'reports' an SQS queue of its own");
    }

    @Test
    @DisplayName("the refusal names a queue name with a U+202E escaped, as the holder and as the name to fix")
    void aQueueNameWithARightToLeftOverrideIsNamedEscaped() {
        SqsServer.Queues jobs = ElasticMq.newQueues("rlo", false);
        SqsServer.Queues other = ElasticMq.newQueues("rlo-dlq", false);
        String name = "bills\u202Efdp.exe";

        assertThatThrownBy(() -> JobQueue.builder().environment(Map.of())
                .queue(name, "sqs", settings(jobs.url(), jobs.deadLetterUrl()))
                .queue("reports", "sqs", settings(jobs.url(), other.deadLetterUrl()))
                .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is already the queue of 'bills\\u202efdp.exe'")
                .hasMessageNotContaining("\u202E");
        assertThatThrownBy(() -> JobQueue.builder().environment(Map.of())
                .queue("reports", "sqs", settings(jobs.url(), jobs.deadLetterUrl()))
                .queue(name, "sqs", settings(jobs.url(), other.deadLetterUrl()))
                .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("give 'bills\\u202efdp.exe' an SQS queue of its own")
                .hasMessageNotContaining("\u202E");
        try (QueueProvider provider = new SqsProviderFactory().create(new ProviderContext(name,
                Settings.of("builder", "queues." + name, settings(jobs.url(), jobs.deadLetterUrl())), Clock.systemUTC()))) {
            assertThat(provider.toString()).contains("SQS queue 'bills\\u202efdp.exe' (").doesNotContain("\u202E");
        }
    }

    @Test
    @DisplayName("a long queueUrl under a second name is repeated cut after 200 characters, with its length, not whole")
    void refusesASecondNameOnALongQueueUrlRepeatingItCut() {
        SqsServer.Queues jobs = ElasticMq.newQueues("twonames-long", false);
        SqsServer.Queues other = ElasticMq.newQueues("twonames-long-dlq", false);
        String url = jobs.url() + "?pad=" + "x".repeat(100_000);

        assertThatThrownBy(() -> build(settings(url, jobs.deadLetterUrl()), settings(url, other.deadLetterUrl())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queues.reports.queueUrl: SQS queue " + url.substring(0, 200) + "… ("
                        + url.length() + " characters) is already the queue of 'default' in this JobQueue; ")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000));
    }

    @Test
    @DisplayName("one SQS queue named by its URL under one name and by its name under another is refused too")
    void oneQueueByUrlAndByNameIsRefused() {
        SqsServer.Queues jobs = ElasticMq.newQueues("byname", false);
        SqsServer.Queues other = ElasticMq.newQueues("byname-dlq", false);
        Map<String, Object> byName = settings(jobs.url(), other.deadLetterUrl());
        byName.remove("queueUrl");
        byName.put("queueName", jobs.url().substring(jobs.url().lastIndexOf('/') + 1));

        assertThatThrownBy(() -> build(settings(jobs.url(), jobs.deadLetterUrl()), byName))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queues.reports.queueName: SQS queue")
                .hasMessageContaining("is already the queue of 'default'");
    }

    @Test
    @DisplayName("a dead-letter queue that is another name's queue is refused: its worker would run the dead jobs again")
    void aDeadLetterQueueThatIsAnotherNamesQueueIsRefused() {
        SqsServer.Queues jobs = ElasticMq.newQueues("dlqclash", false);
        SqsServer.Queues reports = ElasticMq.newQueues("dlqclash-reports", false);

        assertThatThrownBy(() -> build(settings(jobs.url(), reports.url()),
                settings(reports.url(), reports.deadLetterUrl())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queues.reports.queueUrl: SQS queue " + reports.url()
                        + " is already the dead-letter queue of 'default'");
        // and the other way round: the named queue's dead letters in the default queue
        assertThatThrownBy(() -> build(settings(jobs.url(), jobs.deadLetterUrl()),
                settings(reports.url(), jobs.url())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queues.reports.deadLetterQueueUrl: SQS queue " + jobs.url()
                        + " is already the queue of 'default'");
    }

    /**
     * Two names sharing one dead-letter queue (as SQS's redrive policies often do): the first name's close gave up
     * the dead-letter claim while the second still sent its dead jobs there, so a provider built after it whose own
     * queue is that dead-letter queue was accepted, and its worker would run the second name's dead jobs again.
     */
    @Test
    @DisplayName("a shared dead-letter queue stays claimed until every name that uses it has closed")
    void aSharedDeadLetterQueueStaysClaimedUntilTheLastUserCloses() {
        SqsServer.Queues jobs = ElasticMq.newQueues("shareddlq", false);
        SqsServer.Queues reports = ElasticMq.newQueues("shareddlq-reports", false);
        var factory = new SqsProviderFactory();

        QueueProvider first = create(factory, "default", settings(jobs.url(), jobs.deadLetterUrl()));
        try (QueueProvider second = create(factory, "reports", settings(reports.url(), jobs.deadLetterUrl()))) {
            first.close();
            assertThatThrownBy(() -> create(factory, "retries", settings(jobs.deadLetterUrl(),
                    reports.deadLetterUrl())).close())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("queues.retries.queueUrl: SQS queue " + jobs.deadLetterUrl()
                            + " is already the dead-letter queue of 'reports'");
        }
        // guard: once no name uses it, it may be a queue again
        create(factory, "retries", settings(jobs.deadLetterUrl(), reports.deadLetterUrl())).close();
    }

    /**
     * The provider's constructor runs after the factory claimed the queue; one that failed kept the claim, and the
     * factory then refused every later provider of that queue as a second name on it. It takes no I/O and throws
     * nothing of its own, so what fails there is an Error (a class that fails to link, memory): made to here.
     */
    @Test
    @DisplayName("a provider whose construction failed after its queue was claimed gives the claim up")
    void aFailedConstructionGivesTheQueueUp() {
        SqsServer.Queues jobs = ElasticMq.newQueues("failedmake", false);
        var failOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        var factory = new SqsProviderFactory((connection, queue, settings, context) -> {
            if (failOnce.getAndSet(false)) {
                throw new NoClassDefFoundError("dev/jobq/sqs/Missing");
            }
            return new SqsQueueProvider(connection, queue, settings, context);
        });

        assertThatThrownBy(() -> create(factory, "default", settings(jobs.url(), jobs.deadLetterUrl())).close())
                .isInstanceOf(NoClassDefFoundError.class);
        create(factory, "default", settings(jobs.url(), jobs.deadLetterUrl())).close();
    }

    private static QueueProvider create(SqsProviderFactory factory, String name, Map<String, Object> values) {
        return factory.create(new ProviderContext(name, Settings.of("jobq.yaml", "queues." + name, values),
                Clock.systemUTC()));
    }

    @Test
    @DisplayName("a queue that is its own dead-letter queue is refused")
    void aQueueThatIsItsOwnDeadLetterQueueIsRefused() {
        SqsServer.Queues jobs = ElasticMq.newQueues("selfdlq", false);

        assertThatThrownBy(() -> JobQueue.builder().environment(Map.of())
                .provider("sqs", settings(jobs.url(), jobs.url())).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("provider.deadLetterQueueUrl: SQS queue " + jobs.url()
                        + " is the queue itself");
    }

    @Test
    @DisplayName("guard: two names on two SQS queues, and two JobQueues on one (two processes), build as before")
    void separateQueuesAndSeparateJobQueuesBuild() {
        SqsServer.Queues jobs = ElasticMq.newQueues("apart", false);
        SqsServer.Queues reports = ElasticMq.newQueues("apart-reports", false);

        try (JobQueue both = build(settings(jobs.url(), jobs.deadLetterUrl()),
                settings(reports.url(), reports.deadLetterUrl()));
             JobQueue again = build(settings(jobs.url(), jobs.deadLetterUrl()),
                     settings(reports.url(), reports.deadLetterUrl()))) {
            assertThat(both.queueNames()).containsExactly("default", "reports");
            assertThat(again.queueNames()).containsExactly("default", "reports");
        }
    }
}
