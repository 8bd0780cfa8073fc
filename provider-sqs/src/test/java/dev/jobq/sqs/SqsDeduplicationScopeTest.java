package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobQueue;
import dev.jobq.WorkerMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A high-throughput FIFO queue deduplicates within each message group (DeduplicationScope messageGroup), and jobq
 * puts each job type in a group of its own: SQS then stores a job of another type with a key another process
 * enqueued, where docs/semantics.md says a key belongs to its queue and SQS drops such a job. ElasticMQ keeps no
 * DeduplicationScope, so {@link BatchEntryFaults} answers it as SQS does.
 */
@DisplayName("a FIFO queue that deduplicates per message group (ElasticMQ, the scope answered by an SDK interceptor)")
@ExtendWith(ElasticMq.class)
@Isolated // captures the log
class SqsDeduplicationScopeTest {

    @Test
    @DisplayName("is warned of at start-up, with a message group per job type, saying what SQS does not drop and the "
            + "ways out")
    void aPerGroupDeduplicationScopeIsWarnedOf() {
        var setupLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(QueueSetup.class);
        var logged = new CapturedLog();
        logged.start();
        setupLog.addAppender(logged);
        try {
            SqsServer.Queues perGroup = ElasticMq.newQueues("scope-group", true);
            BatchEntryFaults.reportAttribute(perGroup.url(), QueueAttributeName.DEDUPLICATION_SCOPE, "messageGroup");
            SqsServer.Queues oneGroup = ElasticMq.newQueues("scope-one-group", true);
            BatchEntryFaults.reportAttribute(oneGroup.url(), QueueAttributeName.DEDUPLICATION_SCOPE, "messageGroup");
            SqsServer.Queues perQueue = ElasticMq.newQueues("scope-queue", true);
            BatchEntryFaults.reportAttribute(perQueue.url(), QueueAttributeName.DEDUPLICATION_SCOPE, "queue");
            for (var settings : List.of(ElasticMq.settings(perGroup, Map.of()),
                    ElasticMq.settings(oneGroup, Map.of("groupId", "orders")), ElasticMq.settings(perQueue, Map.of()))) {
                JobQueue.builder().environment(Map.of())
                        .provider("sqs", settings)
                        .mode(WorkerMode.STANDALONE)
                        .build()
                        .close();
            }

            assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage)
                    // These queues have no redrive policy, which SqsRedrivePolicyMismatchTest's WARN is about.
                    .filteredOn(m -> !m.contains("has no redrive policy"))
                    .filteredOn(m -> m.contains(perGroup.url()) || m.contains(oneGroup.url())
                            || m.contains(perQueue.url()))
                    .singleElement().isEqualTo("SQS queue " + perGroup.url() + " deduplicates within each message "
                            + "group (DeduplicationScope messageGroup), and jobq puts each job type in a message group "
                            + "of its own (provider.groupId is not set): a deduplicationKey is held across job types "
                            + "by this process only, and SQS stores a job of another type with the key that another "
                            + "process, or this one restarted, enqueues within SQS's 5 minutes; put the job type in the "
                            + "key, set the queue's DeduplicationScope to queue, or set provider.groupId to put every "
                            + "job in one message group (docs/sqs.md)");
        } finally {
            setupLog.detachAppender(logged);
        }
    }
}
