package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * docs/sqs.md's "IAM permissions", read from the page and held against the SQS calls the provider makes
 * on ElasticMQ ({@link SqsActions} records each by the IAM action that authorizes it): every call a
 * producer or a worker makes on the queue or on its dead-letter queue is one the page grants there, so
 * that a policy written from the page never fails with AccessDenied.
 */
@DisplayName("docs/sqs.md's IAM permissions against the calls the provider makes (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsIamPermissionsPageTest {

    private static final Pattern ACTION = Pattern.compile("`(?:sqs:)?([A-Z][A-Za-z]+)`( \\(with `queueName`\\))?");

    private final WorkerQueues workers = new WorkerQueues();
    private String watched;

    @AfterEach
    void close() {
        workers.close();
        if (watched != null) {
            SqsActions.forget(watched);
        }
    }

    static String section() throws IOException {
        String page = ProjectDocs.read("docs/sqs.md");
        int start = page.indexOf("\n## IAM permissions\n");
        assertThat(start).as("docs/sqs.md has an IAM permissions section").isNotNegative();
        return page.substring(start + 1, page.indexOf("\n## ", start + 1)).replaceAll("\\s+", " ");
    }

    /** The actions of the table: what the worker and producers need on the queue. */
    static Set<String> onTheQueue() throws IOException {
        Set<String> actions = new TreeSet<>();
        Matcher row = Pattern.compile("\\| `sqs:([A-Za-z]+)` \\|").matcher(section());
        while (row.find()) {
            actions.add("sqs:" + row.group(1));
        }
        assertThat(actions).as("the table's actions").contains("sqs:SendMessage", "sqs:ReceiveMessage");
        return actions;
    }

    /** The actions the sentence after the table grants on the DLQ. */
    static Set<String> onTheDeadLetterQueue() throws IOException {
        String section = section();
        int at = section.indexOf("and on the DLQ:");
        assertThat(at).as("the page says what the DLQ needs").isNotNegative();
        return actions(section.substring(at, section.indexOf(". ", at)), true);
    }

    /**
     * What the page says a producer that only enqueues needs, on the queue ({@code dlq} false) or on the
     * DLQ: a sentence that names no queue speaks of both; an action "(with `queueName`)" is needed only
     * when the section names the queue by {@code queueName}.
     */
    static Set<String> forAProducer(boolean dlq, boolean byQueueName) throws IOException {
        String section = section();
        int at = section.indexOf("A producer that only enqueues needs");
        assertThat(at).as("the page says what a producer needs").isNotNegative();
        String sentence = section.substring(at, section.indexOf(". ", at));
        int dlqAt = sentence.indexOf("on the DLQ");
        String part = dlqAt < 0 ? sentence : dlq ? sentence.substring(dlqAt) : sentence.substring(0, dlqAt);
        return actions(part, byQueueName);
    }

    private static Set<String> actions(String text, boolean byQueueName) {
        Set<String> actions = new TreeSet<>();
        Matcher action = ACTION.matcher(text);
        while (action.find()) {
            if (action.group(2) == null || byQueueName) {
                actions.add("sqs:" + action.group(1));
            }
        }
        return actions;
    }

    private static String name(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    @Test
    @DisplayName("a producer that only enqueues, to a queue given by URL whose redrive policy names its DLQ, "
            + "needs only what the page says a producer needs")
    void aProducerNeedsOnlyWhatThePageSays() throws IOException {
        watched = "iam-producer-";
        SqsActions.watch(watched);
        String deadLetterUrl = ElasticMq.createQueue(watched + "dlq", Map.of());
        String arn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(deadLetterUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String url = ElasticMq.createQueue(watched + "jobs", Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"10\"}"));
        SqsActions.forget(watched);
        SqsActions.watch(watched);

        Map<String, Object> settings = new LinkedHashMap<>(ElasticMq.connectionSettings());
        settings.put("queueUrl", url);
        JobQueue jobs = workers.open(settings, Duration.ofSeconds(5));
        jobs.enqueue("email:send", "ada@example.com");
        jobs.enqueueAll("email:send", List.of("grace@example.com", "edsger@example.com"));
        jobs.close();

        Map<String, Set<String>> calls = SqsActions.calls(watched);
        assertThat(calls.get(name(url))).as("the producer's calls on the queue, against docs/sqs.md's producer sentence")
                .isNotEmpty().isSubsetOf(forAProducer(false, false));
        assertThat(calls.getOrDefault(name(deadLetterUrl), Set.of()))
                .as("the producer's calls on the DLQ, against docs/sqs.md's producer sentence").isSubsetOf(forAProducer(true, false));
    }

    @Test
    @DisplayName("a worker that runs, retries, heartbeats, dead-letters and releases jobs, and reads the stats, "
            + "calls on the queue and on the DLQ only actions the page grants there")
    void aWorkerNeedsOnlyWhatThePageSays() throws Exception {
        watched = "iam-worker-";
        SqsServer.Queues queues = ElasticMq.newQueues(watched.substring(0, watched.length() - 1), false);
        SqsActions.watch(watched);

        JobQueue jobs = workers.open(queues, Map.of(), Duration.ofMillis(200));
        var failedOnce = new java.util.concurrent.atomic.AtomicBoolean();
        var hanging = new CountDownLatch(1);
        var stop = new CountDownLatch(1);
        jobs.registerJobHandler("work", String.class, (job, ctx) -> {
            switch (job.payload()) {
                case "retry" -> {
                    if (failedOnce.compareAndSet(false, true)) {
                        throw new IllegalStateException("first attempt fails");
                    }
                }
                case "die" -> throw new IllegalStateException("always fails");
                // runs until the worker has extended its lease: a heartbeat, a third of the 2 s lease in
                case "slow" -> org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                        .until(() -> SqsActions.calls(watched).getOrDefault(name(queues.url()), Set.of())
                                .contains("sqs:ChangeMessageVisibility"));
                case "hang" -> {
                    hanging.countDown();
                    stop.await();
                }
                default -> { }
            }
        });
        jobs.start();
        jobs.enqueue("work", "slow");
        workers.awaitEvents(JobEvent.Completed.class, e -> true, 1);
        jobs.enqueue("work", "ok");
        jobs.enqueue("work", "retry", EnqueueOptions.builder().maxAttempts(2).build());
        jobs.enqueue("work", "die", EnqueueOptions.builder().maxAttempts(1).build());
        workers.awaitEvents(JobEvent.Completed.class, e -> true, 3);
        workers.awaitEvent(JobEvent.Dead.class, e -> true);
        jobs.stats("default");
        jobs.enqueue("work", "hang");
        assertThat(hanging.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        jobs.close();
        stop.countDown();

        Map<String, Set<String>> calls = SqsActions.calls(watched);
        assertThat(calls.get(name(queues.url()))).as("the worker's calls on the queue, against docs/sqs.md's table")
                .contains("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")
                .isSubsetOf(onTheQueue());
        assertThat(calls.get(name(queues.deadLetterUrl()))).as("the worker's calls on the DLQ, against docs/sqs.md")
                .contains("sqs:SendMessage").isSubsetOf(onTheDeadLetterQueue());
    }

    @Test
    @DisplayName("createIfMissing with queueName calls on the queue only actions the table grants")
    void createIfMissingNeedsOnlyWhatThePageSays() throws IOException {
        watched = "iam-created-";
        SqsActions.watch(watched);
        Map<String, Object> settings = new LinkedHashMap<>(ElasticMq.connectionSettings());
        settings.put("queueName", watched + "jobs");
        settings.put("createIfMissing", true);
        settings.put("deadLetter", "discard");
        JobQueue jobs = workers.open(settings, Duration.ofSeconds(5));
        jobs.enqueue("email:send", "ada@example.com");
        jobs.close();

        assertThat(SqsActions.calls(watched).get(watched + "jobs")).as("calls on the created queue")
                .contains("sqs:GetQueueUrl", "sqs:CreateQueue").isSubsetOf(onTheQueue())
                .isSubsetOf(new TreeSet<>(java.util.stream.Stream.concat(forAProducer(false, true).stream(),
                        java.util.stream.Stream.of("sqs:CreateQueue")).toList()));
    }
}
