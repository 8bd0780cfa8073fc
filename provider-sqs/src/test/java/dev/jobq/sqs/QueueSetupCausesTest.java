package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/** How {@link QueueSetup} reads the causes of an SDK's failure to reach SQS (no server needed). */
@DisplayName("SQS queue setup: the causes of a failure to reach SQS")
class QueueSetupCausesTest {

    @Test
    @DisplayName("a failure whose causes loop is read at once, and a connect timeout under it is still found")
    void aFailureWhoseCausesLoopIsReadAtOnce() {
        var outer = new RuntimeException("connection reset");
        var inner = new IllegalStateException("pool closed", outer);
        outer.initCause(inner);
        var failure = SdkClientException.builder().message("Unable to execute HTTP request").cause(outer).build();

        // Before, the search for a connect timeout walked the loop for ever, and the queue's build never returned.
        boolean timedOut = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> QueueSetup.connectTimedOut(failure));

        assertThat(timedOut).isFalse();
        var reached = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectTimeoutException("Connect to sqs timed out")).build();
        assertThat(QueueSetup.connectTimedOut(reached)).isTrue();
    }
}
