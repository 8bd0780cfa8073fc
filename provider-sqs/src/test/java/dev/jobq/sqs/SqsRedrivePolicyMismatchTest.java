package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobQueue;
import dev.jobq.WorkerMode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A deadLetterQueueUrl that is not the queue's redrive policy target splits dead jobs between two queues: jobq copies
 * its dead jobs to the one configured, SQS moves the messages jobq never settles to the policy's, and the stats and
 * SQS's redrive see only one of them. Start-up said nothing of it.
 */
@DisplayName("a deadLetterQueueUrl other than the redrive policy's target (ElasticMQ)")
@ExtendWith(ElasticMq.class)
@Isolated // captures the log
class SqsRedrivePolicyMismatchTest {

    @Test
    @DisplayName("is warned of at start-up, naming both dead-letter queues, what each gets and the fixes")
    void aDeadLetterQueueUrlOtherThanTheRedriveTargetIsWarnedOf() {
        SqsServer.Queues other = ElasticMq.newQueues("redrive-elsewhere", false);
        String policyTarget = ElasticMq.createQueue("redrive-elsewhere-target-" + System.nanoTime(), Map.of());
        redrivePolicy(other.url(), policyTarget);
        SqsServer.Queues same = ElasticMq.newQueues("redrive-same", false);
        redrivePolicy(same.url(), same.deadLetterUrl());

        assertThat(warningsAtStartOf(other, same)).singleElement().isEqualTo("SQS queue " + other.url()
                + " has a redrive policy that moves messages to " + arn(policyTarget)
                + ", but provider.deadLetterQueueUrl is "
                + other.deadLetterUrl() + ": jobq copies dead jobs there, while SQS moves to the policy's "
                + "queue the messages jobq never settles (a job whose worker is lost in its last attempt), "
                + "without their error and with no Dead event, and jobq's stats count only the dead jobs in "
                + "provider.deadLetterQueueUrl; "
                + "point the redrive policy at " + arn(other.deadLetterUrl()) + ", or remove "
                + "provider.deadLetterQueueUrl to use the policy's queue (docs/sqs.md)");
    }

    /**
     * A deadLetterQueueUrl with no redrive policy at all: jobq copies the jobs it settles as dead, but a message whose
     * worker is lost on every receive is never moved by SQS and is received again without end, and SQS redrives only
     * from a queue some redrive policy names, so the jobs in that dead-letter queue cannot be moved back by its
     * redrive. docs/sqs.md advises the policy; start-up said nothing.
     */
    @Test
    @DisplayName("with no redrive policy at all is warned of at start-up, once, naming the queue, the DLQ and the "
            + "policy to set")
    void aDeadLetterQueueUrlWithNoRedrivePolicyIsWarnedOf() {
        SqsServer.Queues none = ElasticMq.newQueues("redrive-none", false);
        SqsServer.Queues same = ElasticMq.newQueues("redrive-set", false);
        redrivePolicy(same.url(), same.deadLetterUrl());

        assertThat(warningsAtStartOf(none, same)).singleElement().isEqualTo("SQS queue " + none.url()
                + " has no redrive policy, though "
                + "provider.deadLetterQueueUrl is " + none.deadLetterUrl() + ": jobq copies there the "
                + "jobs it settles as dead, but SQS never moves a message jobq does not settle, so a job "
                + "whose worker is lost on every receive (a crash, an out-of-memory kill) is received "
                + "again without end, and SQS's redrive cannot move jobs back from "
                + none.deadLetterUrl() + ", as it redrives only from a queue some redrive policy names; "
                + "give the queue the redrive policy {\"deadLetterTargetArn\":\""
                + arn(none.deadLetterUrl()) + "\",\"maxReceiveCount\":\"10\"} (maxReceiveCount above "
                + "the largest maxAttempts you use: docs/sqs.md)");
    }

    /** The WARN lines naming any of {@code queues} that start-up logs as a queue is built on each and closed. */
    private static List<String> warningsAtStartOf(SqsServer.Queues... queues) {
        var setupLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(QueueSetup.class);
        var logged = new CapturedLog();
        logged.start();
        setupLog.addAppender(logged);
        try {
            for (SqsServer.Queues each : queues) {
                JobQueue.builder().environment(Map.of())
                        .provider("sqs", ElasticMq.settings(each, Map.of()))
                        .mode(WorkerMode.STANDALONE)
                        .build()
                        .close();
            }
        } finally {
            setupLog.detachAppender(logged);
        }
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> Arrays.stream(queues).anyMatch(q -> m.contains(q.url())))
                .toList();
    }

    private static void redrivePolicy(String url, String deadLetterUrl) {
        ElasticMq.client().setQueueAttributes(r -> r.queueUrl(url).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + arn(deadLetterUrl) + "\",\"maxReceiveCount\":\"10\"}")));
    }

    private static String arn(String url) {
        return ElasticMq.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }
}
