package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** A provider closed while a long poll begins, or from a listener of what a long poll whose receiver left took. */
@DisplayName("SQS close() beside its long polls (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsCloseDuringPollTest {

    private final Logger jobqLog = (Logger) LoggerFactory.getLogger("dev.jobq");
    private final CapturedLog logged = new CapturedLog();

    @BeforeEach
    void capture() {
        logged.start();
        jobqLog.addAppender(logged);
    }

    @AfterEach
    void release() {
        jobqLog.detachAppender(logged);
    }

    @Test
    @DisplayName("a close() between a poll's check for closing and its registration: no ReceiveMessage goes out after "
            + "close() returned")
    void aPollThatCloseDidNotSeeIsNotSent() {
        SqsServer.Queues queues = ElasticMq.newQueues("close-before-register", false);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{}"));
        SqsQueue queue = new SqsQueue("default", queues.url(), false, null, Duration.ofSeconds(30), 1 << 20);
        List<Message> orphans = new CopyOnWriteArrayList<>();
        var polls = new AtomicReference<LongPolls>();
        var closedFirst = new AtomicReference<Boolean>();
        // The close lands after the poll found the polls open and before it registered itself.
        polls.set(new LongPolls(ElasticMq.client(), queue, Duration.ofSeconds(10), orphans::addAll, () -> {
            polls.get().close(Duration.ofSeconds(10));
            closedFirst.set(true);
        }));

        var polled = polls.get().poll(10, 1);
        // Waits for the polls close() can see now: a poll that registered after close() looked is among them.
        polls.get().close(Duration.ofSeconds(10));

        assertThat(closedFirst.get()).as("close() ran in the window").isTrue();
        assertThat(polled).as("the poll began after close()").isEmpty();
        // Before, the poll went out anyway, after close() had returned: the provider then closes its clients under it,
        // and what SQS handed it waits out its visibility timeout, that delivery counted (or close() waits out its
        // whole wait, when its registration landed before close() looked).
        assertThat(orphans).as("messages a ReceiveMessage sent after close() took").isEmpty();
        List<Message> left = ElasticMq.client().receiveMessage(r -> r.queueUrl(queues.url()).waitTimeSeconds(5)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        assertThat(left).as("the message, still visible and never received").hasSize(1);
        assertThat(left.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).isEqualTo("1");
    }
}
