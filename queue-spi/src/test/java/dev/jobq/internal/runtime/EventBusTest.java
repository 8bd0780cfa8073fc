package dev.jobq.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.jobq.JobEvent;
import dev.jobq.JobListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EventBusTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(EventBus.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void aFailingLambdaListenerIsNamedByTheClassItWasWrittenInAndTheOthersStillGetTheEvent() {
        List<JobEvent> seen = new ArrayList<>();
        JobListener failing = event -> {
            throw new IllegalStateException("listener bug");
        };
        var bus = new EventBus(List.of(failing, seen::add));
        var event = new JobEvent.Enqueued(Instant.EPOCH, "default", "j1", "email:send", Instant.EPOCH, false);

        bus.publish(event);

        assertThat(seen).containsExactly(event);
        // Named "dev.jobq.internal.runtime.EventBusTest$$Lambda/0x0000…" before: no class a user can find.
        assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage)
                .isEqualTo("jobq listener (a lambda in " + EventBusTest.class.getName() + ") failed on " + event
                        + "; the event was still delivered to the others");
    }

    @Test
    void aListenerFailureNamesTheEventEscapedAndCut() {
        JobListener failing = event -> {
            throw new IllegalStateException("listener bug");
        };
        var bus = new EventBus(List.of(failing));
        // Another producer's message: a type is read whatever its characters and length, and dies as unknown.
        String type = "t\n12:00:00.000 INFO  Worker - job x completed\u001b[2J" + "x".repeat(1 << 20);

        bus.publish(new JobEvent.Dead(Instant.EPOCH, "default", "j1", type, 1, "no handler"));

        assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("failed on Dead[at=1970-01-01T00:00:00Z, queue=default, jobId=j1, type=t\\n12:00:00.000 "
                        + "INFO  Worker - job x completed\\u001b[2J")
                .doesNotContain("\n", "\u001b").hasSizeLessThan(3_000);
    }

    @Test
    void aListenerFailureWithAHugeMessageIsLoggedWithThatMessageCutAsAHandlersIs() {
        JobListener failing = event -> {
            throw new IllegalStateException("x".repeat(100_000));
        };
        var bus = new EventBus(List.of(failing));
        var event = new JobEvent.Enqueued(Instant.EPOCH, "default", "j1", "email:send", Instant.EPOCH, false);

        bus.publish(event);

        // docs/semantics.md, "the handler or listener… throws with a message of any size": each message is cut to
        // 1,000 characters. A listener's went whole into the log, 100,000 characters for every event it failed on.
        IThrowableProxy thrown = logged.list.get(0).getThrowableProxy();
        assertThat(thrown.getMessage()).as("the logged message").hasSizeLessThan(1_100)
                .startsWith(IllegalStateException.class.getName() + ": xxx").endsWith("(99000 more characters)");
    }
}
