package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * docs/sqs.md's "Where dead jobs go, in order", read from the page and held against where a dead job goes on
 * ElasticMQ: the first item that applies to a section is where the provider sends the section's dead jobs.
 */
@DisplayName("docs/sqs.md's order of where dead jobs go, against the provider (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsDeadLetterOrderPageTest {

    private final WorkerQueues workers = new WorkerQueues();

    @AfterEach
    void close() {
        workers.close();
    }

    /** The items of the page's ordered list, each as one line of text. */
    static List<String> items() throws IOException {
        String page = SqsPageNumbersTest.page();
        int at = page.indexOf("Where dead jobs go, in order:");
        assertThat(at).as("docs/sqs.md says where dead jobs go").isNotNegative();
        String list = page.substring(at, page.indexOf("jobq copies a dead job to the DLQ itself", at));
        List<String> items = new ArrayList<>();
        Matcher item = Pattern.compile("\\d\\. (.*?)(?= \\d\\. |$)").matcher(list);
        while (item.find()) {
            items.add(item.group(1));
        }
        assertThat(items).as("the list's items").hasSizeGreaterThanOrEqualTo(3);
        return items;
    }

    /** Where the page's list sends a dead job of a section with a redrive policy and deadLetter: discard. */
    static String pageSaysForDiscardWithARedrivePolicy() throws IOException {
        for (String item : items()) {
            if (item.startsWith("`deadLetter: discard`")) {
                return "deleted";
            }
            if (item.matches("(otherwise )?the target of the queue's redrive policy.*")) {
                return "the redrive policy's DLQ";
            }
        }
        throw new AssertionError("no item of the list applies: " + items());
    }

    @Test
    @DisplayName("deadLetter: discard on a queue whose redrive policy names a DLQ deletes dead jobs, as the page's "
            + "order says")
    void discardWinsOverARedrivePolicy() throws IOException {
        SqsServer.Queues queues = ElasticMq.newQueues("discard-redrive", false);
        String arn = ElasticMq.client().getQueueAttributes(r -> r.queueUrl(queues.deadLetterUrl())
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        ElasticMq.client().setQueueAttributes(r -> r.queueUrl(queues.url()).attributes(Map.of(
                QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"10\"}")));
        Map<String, Object> settings = new LinkedHashMap<>(ElasticMq.connectionSettings());
        settings.put("queueUrl", queues.url());
        settings.put("deadLetter", "discard");
        settings.put("visibilityTimeout", "2s");
        JobQueue jobs = workers.open(settings, Duration.ofSeconds(5));
        jobs.registerJobHandler("email:send", String.class, (job, ctx) -> {
            throw new IllegalStateException("mail server said no");
        });
        jobs.start();
        String id = jobs.enqueue("email:send", "ada@example.com", EnqueueOptions.builder().maxAttempts(1).build());
        workers.awaitEvent(JobEvent.Dead.class, e -> e.jobId().equals(id));
        jobs.close();

        String went = QueueContents.total(queues.deadLetterUrl()) == 1 ? "the redrive policy's DLQ"
                : QueueContents.total(queues.url()) == 0 ? "deleted" : "left on the queue";
        assertThat(went).as("where the dead job went, against docs/sqs.md's list %s", items())
                .isEqualTo(pageSaysForDiscardWithARedrivePolicy());
    }
}
