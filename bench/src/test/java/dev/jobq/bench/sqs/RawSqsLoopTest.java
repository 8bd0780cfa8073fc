package dev.jobq.bench.sqs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.bench.runner.Countdown;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** B5's raw loop on an ElasticMQ server in this JVM. */
class RawSqsLoopTest {

    /**
     * A receiver that fails ends the drain with its error; it must not leave the drain waiting out its
     * three-minute limit and then report only a count, with the cause lost.
     */
    @Test
    void aReceiverThatFailsEndsTheDrainAtOnceWithItsError() {
        try (var server = ElasticMqServer.start(); SqsClient sqs = server.newClient()) {
            String url = server.newQueue("gone");
            sqs.deleteQueue(r -> r.queueUrl(url));
            var loop = new RawSqsLoop(sqs, 2);

            assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                    assertThatThrownBy(() -> loop.drain(url, 10, 30, new Countdown(10)))
                            .hasMessageContaining("a raw receiver failed")
                            .hasRootCauseInstanceOf(QueueDoesNotExistException.class));
        }
    }
}
