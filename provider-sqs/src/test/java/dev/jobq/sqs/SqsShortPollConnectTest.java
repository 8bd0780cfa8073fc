package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobQueueException;
import dev.jobq.spi.QueueProvider;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A receive over an endpoint that stops taking connections after start-up (a firewall that drops them), with a
 * {@code requestTimeout} under the 2 s connect timeout: ElasticMQ behind a proxy that then accepts no connection.
 */
@DisplayName("SQS: a short poll to an endpoint that drops connection attempts (ElasticMQ behind a proxy)")
@ExtendWith(ElasticMq.class)
@Isolated("two timers 50 ms apart race (the connect timeout under the attempt's): classes run beside it delay the first")
class SqsShortPollConnectTest {

    private TcpProxy proxy;

    @AfterEach
    void closeProxy() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @DisplayName("with waitTime 0s and requestTimeout 500ms, a short poll whose connection is never made fails as a "
            + "connection that timed out, not as an answer SQS did not send within the attempt's timeout")
    void aShortPollThatCannotConnectSaysSo() throws Exception {
        URI server = URI.create((String) ElasticMq.connectionSettings().get("endpoint"));
        proxy = TcpProxy.start(server, request -> true, 1);
        SqsServer.Queues queues = ElasticMq.newQueues("short-poll-connect", false);
        try (QueueProvider provider = ElasticMq.providerThrough(proxy, queues,
                Map.of("waitTime", "0s", "requestTimeout", "500ms"))) {
            proxy.dropNewConnections(); // the polls' pool has no connection yet: each attempt's waits to connect

            long began = System.nanoTime();
            assertThatThrownBy(() -> provider.receive(1, Duration.ZERO))
                    .isInstanceOf(JobQueueException.class)
                    .hasMessageContaining("receiving from")
                    .hasMessageContaining("Connect timed out")
                    .message().doesNotContain("did not complete before the specified timeout configuration");
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("four attempts of at most 500ms, and pauses")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }
}
