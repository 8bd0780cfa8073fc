package dev.jobq.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.JobEvent;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

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
        polls.set(new LongPolls(ElasticMq.client(), queue, Duration.ofSeconds(10), "requestTimeout", messages -> {
            orphans.addAll(messages);
            return () -> { };
        }, () -> {
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

    @Test
    @DisplayName("a listener that closes the provider on the Dead of an unreadable message a left poll took: close() "
            + "does not wait for the poll that announced it, nor warn that it did not end")
    void closeFromTheDeadOfAHandedBackMessage() throws Exception {
        SqsServer.Queues queues = ElasticMq.newQueues("close-from-handback", false);
        var provider = new AtomicReference<QueueProvider>();
        var closing = new CompletableFuture<Duration>();
        var closedOn = new AtomicReference<String>();
        provider.set(new SqsProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", ElasticMq.settings(queues, Map.of("waitTime", "10s"))),
                Clock.systemUTC(), event -> {
                    if (event instanceof JobEvent.Dead) {
                        closedOn.set(Thread.currentThread().getName());
                        long start = System.nanoTime();
                        provider.get().close();
                        closing.complete(Duration.ofNanos(System.nanoTime() - start));
                    }
                })));
        try {
            Thread receiver = Thread.ofVirtual().name("long-poller").start(() ->
                    provider.get().receive(1, Duration.ofSeconds(10)));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> receiver.getState() == Thread.State.WAITING
                    && Arrays.stream(receiver.getStackTrace()).anyMatch(f -> f.getMethodName().equals("poll")
                            && f.getClassName().equals(LongPolls.class.getName())));
            receiver.interrupt();
            assertThat(receiver.join(Duration.ofSeconds(5))).as("the receiver left at once").isTrue();
            // taken by the poll the receiver left, dead-lettered by its hand-back
            ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("this is not JSON {"));

            Duration took = closing.get(60, TimeUnit.SECONDS);
            List<String> warned = logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(queues.url() + ")"))
                    .filter(m -> m.contains("long poll")).toList();
            // Before, the Dead was announced on the poll's thread before the poll counted as ended: close() waited for
            // that poll, its wait and 10 s more, and then warned that it did not end.
            assertThat(warned).as("WARNs of long polls of this queue").isEmpty();
            assertThat(took).as("close() from the listener (on %s)", closedOn.get()).isLessThan(Duration.ofSeconds(10));
            assertThat(QueueContents.total(queues.deadLetterUrl())).as("the dead-letter copy").isEqualTo(1);
            assertThat(QueueContents.total(queues.url())).as("left on the live queue").isZero();
        } finally {
            provider.get().close();
        }
    }

    @Test
    @DisplayName("a long poll's thread is named with its queue escaped: a U+202E or a line break in the queue's name "
            + "reached thread dumps and \"Exception in thread\" lines raw")
    void aPollsThreadIsNamedWithItsQueueEscaped() {
        SqsServer.Queues queues = ElasticMq.newQueues("poll-thread-name", false);
        SqsQueue queue = new SqsQueue("bills\u202Efdp.exe\nforged", queues.url(), false, null, Duration.ofSeconds(30),
                1 << 20);
        var pollThread = new AtomicReference<String>();
        // ElasticMQ's client, noting the thread each ReceiveMessage is called on: the poll's own
        SqsClient noting = new SqsClient() {
            @Override
            public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
                pollThread.set(Thread.currentThread().getName());
                return ElasticMq.client().receiveMessage(request);
            }

            @Override
            public String serviceName() {
                return SERVICE_NAME;
            }

            @Override
            public void close() {
            }
        };
        var polls = new LongPolls(noting, queue, Duration.ofSeconds(10), "requestTimeout", messages -> () -> { });

        assertThat(polls.poll(10, 0)).as("the poll of an empty queue").hasValue(List.of());
        polls.close(Duration.ofSeconds(10));

        assertThat(pollThread.get()).isEqualTo("jobq-sqs-poll-bills\\u202efdp.exe\\nforged-0")
                .doesNotContain("\u202E", "\n");
    }
}
