package dev.jobq.localsqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.BindException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@link LocalSqs} against itself through the plain SDK client it hands out: one server for the class. */
class LocalSqsTest {

    private static LocalSqs sqs;

    @BeforeAll
    static void start() {
        sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0);
    }

    @AfterAll
    static void stop() {
        if (sqs != null) {
            sqs.close();
        }
    }

    private static Map<QueueAttributeName, String> attributes(String url) {
        return sqs.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.ALL))
                .attributes();
    }

    @Test
    @DisplayName("a queue and its dead-letter queue, joined by a redrive policy, at URLs on the endpoint's port")
    void createsQueueWithDeadLetterQueue() {
        LocalSqs.Queues queues = sqs.createQueues("jobs");

        assertThat(queues.url()).isEqualTo(sqs.endpoint() + "/000000000000/jobs");
        assertThat(queues.deadLetterName()).isEqualTo("jobs-dlq");
        assertThat(queues.deadLetterUrl()).isEqualTo(sqs.endpoint() + "/000000000000/jobs-dlq");
        String deadLetterArn = attributes(queues.deadLetterUrl()).get(QueueAttributeName.QUEUE_ARN);
        assertThat(attributes(queues.url()).get(QueueAttributeName.REDRIVE_POLICY))
                .contains("\"deadLetterTargetArn\":\"" + deadLetterArn + "\"")
                .containsPattern("\"maxReceiveCount\":\"?10\"?");

        sqs.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("hello"));
        assertThat(sqs.client().receiveMessage(r -> r.queueUrl(queues.url()).waitTimeSeconds(5)).messages())
                .singleElement().satisfies(m -> assertThat(m.body()).isEqualTo("hello"));
    }

    @Test
    @DisplayName("creating the same queues again is no error")
    void createsQueuesIdempotently() {
        LocalSqs.Queues first = sqs.createQueues("again");

        assertThat(sqs.createQueues("again")).isEqualTo(first);
    }

    @Test
    @DisplayName("a .fifo name makes a FIFO queue with a FIFO dead-letter queue")
    void fifoQueues() {
        LocalSqs.Queues queues = sqs.createQueues("orders.fifo");

        assertThat(queues.deadLetterName()).isEqualTo("orders-dlq.fifo");
        assertThat(attributes(queues.url()).get(QueueAttributeName.FIFO_QUEUE)).isEqualTo("true");
        assertThat(attributes(queues.deadLetterUrl()).get(QueueAttributeName.FIFO_QUEUE)).isEqualTo("true");
    }

    @Test
    @DisplayName("a taken port is refused with the address and what to do")
    void takenPortIsReported() {
        int port = sqs.endpoint().getPort();

        assertThatThrownBy(() -> LocalSqs.start(LocalSqs.DEFAULT_HOST, port))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("ElasticMQ could not listen on 127.0.0.1:" + port)
                .hasMessageEndingWith("is another local-sqs or ElasticMQ running there? Stop it, or choose another port");
    }

    @Test
    @DisplayName("the jobq.yaml names the endpoint, the static keys and both queue URLs")
    void configSnippet() {
        LocalSqs.Queues queues = sqs.createQueues("snippet");

        String yaml = new ConfigSnippet(sqs.endpoint(), queues).yaml();

        assertThat(yaml).startsWith("provider:\n  type: sqs\n  region: us-east-1\n")
                .contains("  endpoint: " + sqs.endpoint() + "\n")
                .contains("  accessKeyId: test ", "  secretAccessKey: test\n")
                .contains("  queueUrl: " + queues.url() + "\n", "  deadLetterQueueUrl: " + queues.deadLetterUrl() + "\n")
                .endsWith("worker:\n  concurrency: 5\n  shutdownTimeout: 30s\n");
        assertThat(sqs.connectionSettings()).containsEntry("endpoint", sqs.endpoint().toString())
                .containsEntry("accessKeyId", "test").containsEntry("type", "sqs");
    }

    @Test
    @DisplayName("an IPv6 host is bracketed in the endpoint and the queue URLs, and both answer")
    void ipv6Host() {
        try (LocalSqs v6 = LocalSqs.start("::1", 0)) {
            assertThat(v6.endpoint().toString()).startsWith("http://[::1]:");
            assertThat(v6.endpoint().getPort()).isPositive();

            LocalSqs.Queues queues = v6.createQueues("v6");

            assertThat(queues.url()).isEqualTo(v6.endpoint() + "/000000000000/v6");
            v6.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("hello"));
            assertThat(v6.client().receiveMessage(r -> r.queueUrl(queues.url()).waitTimeSeconds(5)).messages())
                    .singleElement().satisfies(m -> assertThat(m.body()).isEqualTo("hello"));
        }
    }

    @Test
    @DisplayName("a port the user may not bind (below 1024, no privileges) gets that advice, not 'is another running there?'")
    void privilegedPortGetsItsOwnAdvice() {
        // what ElasticMQ threw for --port 80 run as an unprivileged user
        var refusal = new RuntimeException("Bind failed because of java.net.BindException: [/127.0.0.1:80] Permission denied",
                new BindException("[/127.0.0.1:80] Permission denied"));

        IllegalStateException e = LocalSqs.cannotListen("127.0.0.1", 80, refusal);

        assertThat(e).hasMessageStartingWith("ElasticMQ could not listen on 127.0.0.1:80 (")
                .hasMessageContaining("below 1024").hasMessageContaining("0 for any free one")
                .hasMessageNotContaining("is another local-sqs").hasCause(refusal);
    }

    @Test
    void aStartRefusedWithCausesThatLoopIsToldAtOnce() {
        var outer = new RuntimeException("Bind failed because of java.net.BindException: Address already in use");
        var inner = new IllegalStateException("bind refused", outer);
        outer.initCause(inner);

        // Before, the search for "Permission denied" walked the loop for ever, and start() never returned.
        IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> LocalSqs.cannotListen("127.0.0.1", 9324, outer));

        assertThat(e).hasMessage("ElasticMQ could not listen on 127.0.0.1:9324 (Bind failed because of "
                + "java.net.BindException: Address already in use); is another local-sqs or ElasticMQ running there? "
                + "Stop it, or choose another port").hasCause(outer);
    }

    @Test
    void aStartRefusedWithAMessageThatCannotBeReadIsStillToldWithItsAddress() {
        var unreadable = new IllegalStateException("never read", new BindException("Permission denied")) {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("no message here");
            }
        };
        var refusal = new RuntimeException("Bind failed", unreadable);
        var unreadableRefusal = new RuntimeException("never read") {
            @Override
            public String getMessage() {
                throw new UnsupportedOperationException("no message here");
            }
        };

        // Before, what getMessage() threw went out of cannotListen in place of the refusal naming the address.
        assertThat(LocalSqs.cannotListen("127.0.0.1", 80, refusal)).as("a cause's message unreadable")
                .hasMessage("ElasticMQ could not listen on 127.0.0.1:80 (Bind failed); ports below 1024 need "
                        + "privileges here: choose one of 1024 or above (9324 is the default), or 0 for any free one");
        assertThat(LocalSqs.cannotListen("127.0.0.1", 9324, unreadableRefusal)).as("the refusal's message unreadable")
                .hasMessage("ElasticMQ could not listen on 127.0.0.1:9324 (its getMessage() threw "
                        + "java.lang.UnsupportedOperationException); is another local-sqs or ElasticMQ running there? "
                        + "Stop it, or choose another port")
                .hasCause(unreadableRefusal);
    }

    @Test
    void aStartRefusedWithACauseWhoseGetCauseThrowsIsStillToldWithItsAddress() {
        var refusal = new RuntimeException("Bind failed because of java.net.BindException: Permission denied") {
            @Override
            public synchronized Throwable getCause() {
                throw new UnsupportedOperationException("no cause here");
            }
        };

        // Before, what getCause() threw went out of cannotListen in place of the refusal naming the address.
        IllegalStateException e = LocalSqs.cannotListen("127.0.0.1", 80, refusal);

        assertThat(e).hasMessage("ElasticMQ could not listen on 127.0.0.1:80 (Bind failed because of "
                + "java.net.BindException: Permission denied); ports below 1024 need privileges here: choose one of "
                + "1024 or above (9324 is the default), or 0 for any free one").hasCause(refusal);
    }

    @Test
    void aPermissionDeniedAsTheThirtySecondCauseIsFound() {
        Throwable cause = new java.net.BindException("Permission denied");
        for (int level = 31; level >= 1; level--) {
            cause = new IllegalStateException("level " + level, cause);
        }
        var refusal = new RuntimeException("Bind failed", cause);

        // Before, the search read the refusal and only its first 31 causes, where it says it reads the first 32.
        IllegalStateException e = LocalSqs.cannotListen("127.0.0.1", 80, refusal);

        assertThat(e).hasMessage("ElasticMQ could not listen on 127.0.0.1:80 (Bind failed); ports below 1024 need "
                + "privileges here: choose one of 1024 or above (9324 is the default), or 0 for any free one");
    }
}
