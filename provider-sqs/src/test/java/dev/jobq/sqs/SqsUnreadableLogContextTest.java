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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * docs/operations.md (Logs): the worker's lines about an attempt, its outcome line and warnings, carry {@code jobId},
 * {@code jobType} and {@code attempt} in the MDC. A message the provider dead-letters or postpones itself (an
 * unreadable body, a newer envelope) is such an attempt (counted as {@code failed}/{@code dead}, with an outcome
 * line): its warning and the listeners it is told to (the outcome line among them) run with those keys too, on the
 * poll thread, whose own log context is as it was afterwards.
 */
@DisplayName("SQS: messages the provider dead-letters or postpones itself are logged with the job's MDC keys (ElasticMQ)")
@ExtendWith(ElasticMq.class)
@Isolated("captures the IncomingMessages logger")
class SqsUnreadableLogContextTest {

    /** An event and the MDC the listener saw it with. */
    record Told(JobEvent event, Map<String, String> mdc) {
    }

    private final Logger incomingLog = (Logger) LoggerFactory.getLogger(IncomingMessages.class);
    private final CapturedLog logged = new CapturedLog();
    private final List<Told> told = new CopyOnWriteArrayList<>();

    @BeforeEach
    void capture() {
        logged.start();
        incomingLog.addAppender(logged);
    }

    @AfterEach
    void release() {
        incomingLog.detachAppender(logged);
        MDC.clear();
    }

    private QueueProvider create(SqsServer.Queues queues) {
        return create(queues, Map.of());
    }

    private QueueProvider create(SqsServer.Queues queues, Map<String, ?> extra) {
        Map<String, Object> values = new HashMap<>(ElasticMq.settings(queues, extra));
        if ("discard".equals(extra.get("deadLetter"))) {
            values.remove("deadLetterQueueUrl");
        }
        values.put("waitTime", "1s");
        return new SqsProviderFactory().create(new ProviderContext("default", Settings.of("jobq.yaml", "provider",
                values), Clock.systemUTC(), event -> told.add(new Told(event, mdc()))));
    }

    private static Map<String, String> mdc() {
        Map<String, String> copy = MDC.getCopyOfContextMap();
        return copy == null ? Map.of() : copy;
    }

    private List<ILoggingEvent> warnings() {
        return logged.list.stream().filter(event -> event.getLevel() == Level.WARN).toList();
    }

    @Test
    @DisplayName("an unreadable body: its dead warning and its Dead event carry jobId, jobType and attempt; the poll "
            + "thread's own MDC is kept")
    void unreadableBody() {
        SqsServer.Queues queues = ElasticMq.newQueues("unreadable-mdc", false);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("<invoice id='inv-78'/>")
                .messageAttributes(Map.of(OutgoingMessage.JOB_ID, OutgoingMessage.string("inv-78"),
                        OutgoingMessage.JOB_TYPE, OutgoingMessage.string("invoice:send"))));
        MDC.put("requestId", "poller-1");

        try (QueueProvider provider = create(queues)) {
            assertThat(provider.receive(1, Duration.ofSeconds(2))).isEmpty();
        }

        assertThat(told).singleElement().satisfies(t -> {
            assertThat(t.event()).isInstanceOf(JobEvent.Dead.class);
            assertThat(t.mdc()).containsEntry("jobId", "inv-78").containsEntry("jobType", "invoice:send")
                    .containsEntry("attempt", "1");
        });
        assertThat(warnings()).singleElement().satisfies(w -> {
            assertThat(w.getFormattedMessage()).contains("job inv-78 (invoice:send)", "is dead without running");
            assertThat(w.getMDCPropertyMap()).containsEntry("jobId", "inv-78").containsEntry("jobType", "invoice:send")
                    .containsEntry("attempt", "1");
        });
        assertThat(mdc()).isEqualTo(Map.of("requestId", "poller-1"));
    }

    @Test
    @DisplayName("a job id and type from an unreadable body or from the message's attributes are logged with their "
            + "control characters as escapes: a newline in one forges no log line in an application's own logging")
    void escapesTheJobIdAndTypeItLogs() {
        SqsServer.Queues queues = ElasticMq.newQueues("unreadable-escaped", false);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"envelopeVersion\":1,"
                + "\"jobId\":\"inv-9\\nINFO forged\",\"type\":\"invoice\\u001b[31m\"}"));
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("<invoice/>")
                .messageAttributes(Map.of(OutgoingMessage.JOB_ID, OutgoingMessage.string("inv-10\r\nWARN forged"),
                        OutgoingMessage.JOB_TYPE, OutgoingMessage.string("invoice\tsend"))));

        try (QueueProvider provider = create(queues, Map.of("deadLetter", "discard"));
             CapturedLog deadLetterLog = CapturedLog.of(DeadLetterCopies.class)) {
            for (int receives = 0; told.size() < 2 && receives < 5; receives++) {
                assertThat(provider.receive(2, Duration.ofSeconds(1))).isEmpty();
            }
            List<String> lines = new ArrayList<>(logged.warnings());
            lines.addAll(deadLetterLog.warnings());

            assertThat(told).hasSize(2);
            assertThat(lines).hasSize(4)
                    .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\r", "\u001b", "\t"))
                    .anySatisfy(line -> assertThat(line).contains("job inv-9\\nINFO forged (invoice\\u001b[31m)"))
                    .anySatisfy(line -> assertThat(line).contains("job inv-10\\r\\nWARN forged (invoice\\tsend)"));
        }
        assertThat(told).extracting(t -> ((JobEvent.Dead) t.event()).jobId())
                .containsExactlyInAnyOrder("inv-9\nINFO forged", "inv-10\r\nWARN forged");
    }

    @Test
    @DisplayName("the job id and type it puts in the log context are escaped and cut as its lines show them: an "
            + "application's %X{jobId} repeated an id refused for a newline, or for its length, raw and whole")
    void escapesAndCutsTheJobIdAndTypeOfTheLogContext() {
        SqsServer.Queues queues = ElasticMq.newQueues("unreadable-mdc-escaped", false);
        String longId = "j".repeat(300);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"envelopeVersion\":1,"
                + "\"jobId\":\"inv-9\\nINFO forged\",\"type\":\"invoice\\u001b[31m\"}"));
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"envelopeVersion\":1,"
                + "\"jobId\":\"" + longId + "\",\"type\":\"" + "t".repeat(300) + "\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}"));
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("<invoice/>")
                .messageAttributes(Map.of(OutgoingMessage.JOB_ID, OutgoingMessage.string("inv-10\r\nWARN forged"),
                        OutgoingMessage.JOB_TYPE, OutgoingMessage.string("invoice\tsend"))));

        try (QueueProvider provider = create(queues, Map.of("deadLetter", "discard"))) {
            for (int receives = 0; told.size() < 3 && receives < 5; receives++) {
                assertThat(provider.receive(3, Duration.ofSeconds(1))).isEmpty();
            }
        }

        String longShown = "j".repeat(IncomingMessages.SHOWN_CHARS) + "…";
        String longType = "t".repeat(IncomingMessages.SHOWN_CHARS) + "…";
        assertThat(told).hasSize(3).extracting(Told::mdc).extracting(m -> m.get("jobId") + " (" + m.get("jobType") + ")")
                .containsExactlyInAnyOrder("inv-9\\nINFO forged (invoice\\u001b[31m)", longShown + " (" + longType
                        + ")", "inv-10\\r\\nWARN forged (invoice\\tsend)");
        assertThat(warnings()).hasSize(3).extracting(w -> w.getMDCPropertyMap().get("jobId") + " ("
                        + w.getMDCPropertyMap().get("jobType") + ")")
                .containsExactlyInAnyOrder("inv-9\\nINFO forged (invoice\\u001b[31m)", longShown + " (" + longType
                        + ")", "inv-10\\r\\nWARN forged (invoice\\tsend)");
        assertThat(told).extracting(t -> ((JobEvent.Dead) t.event()).jobId())
                .containsExactlyInAnyOrder("inv-9\nINFO forged", longId, "inv-10\r\nWARN forged");
    }

    @Test
    @DisplayName("a newer envelope: its postponed warning and its Failed event carry jobId, jobType and attempt; the "
            + "poll thread's MDC is empty again afterwards")
    void newerEnvelope() {
        SqsServer.Queues queues = ElasticMq.newQueues("newer-mdc", false);
        ElasticMq.client().sendMessage(r -> r.queueUrl(queues.url()).messageBody("{\"envelopeVersion\":2,\"jobId\":"
                + "\"v2-1\",\"type\":\"wire:json\",\"payload\":{},\"createdAt\":\"2026-11-23T10:00:00Z\"}"));

        try (QueueProvider provider = create(queues)) {
            assertThat(provider.receive(1, Duration.ofSeconds(2))).isEmpty();
        }

        assertThat(told).singleElement().satisfies(t -> {
            assertThat(t.event()).isInstanceOf(JobEvent.Failed.class);
            assertThat(t.mdc()).containsEntry("jobId", "v2-1").containsEntry("jobType", "wire:json")
                    .containsEntry("attempt", "1");
        });
        assertThat(warnings()).singleElement().satisfies(w -> {
            assertThat(w.getFormattedMessage()).contains("job v2-1 (wire:json)", "postponed");
            assertThat(w.getMDCPropertyMap()).containsEntry("jobId", "v2-1").containsEntry("jobType", "wire:json")
                    .containsEntry("attempt", "1");
        });
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }
}
