package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What a heartbeat failing the same way every time logs: its stack trace once, not at every heartbeat of every job. */
class HeartbeatLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker");
    private final CapturedLog appender = new CapturedLog();
    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch finish = new CountDownLatch(1);

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void close() throws Exception {
        finish.countDown();
        fixture.close();
        logger.detachAppender(appender);
    }

    @Test
    @DisplayName("five jobs whose heartbeats are refused every time: one warning with the stack trace, not one per "
            + "heartbeat; an INFO line once heartbeats work again")
    void refusedHeartbeatsLogTheirTraceOnce() {
        var refusing = new RefusingHeartbeats(fixture.memoryProvider(Map.of("leaseDuration", "300ms")));
        JobQueue jobs = fixture.queue(refusing, 5, Duration.ofSeconds(5));
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> finish.await(60, TimeUnit.SECONDS));
        List<String> ids = jobs.enqueueAll("report:build", IntStream.range(0, 5).boxed().toList(),
                EnqueueOptions.builder().timeout(Duration.ofSeconds(60)).build());
        jobs.start();
        fixture.events.awaitCount(JobEvent.Started.class, 5);

        await().atMost(Duration.ofSeconds(10)).until(() -> refusing.refused() >= 20); // four of each job's

        // Before, each of the twenty refusals logged "could not extend the lease of job …" with its stack trace.
        List<ILoggingEvent> warnings = appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).singleElement().satisfies(warning -> {
            assertThat(warning.getFormattedMessage()).startsWith("could not extend the lease of job ")
                    .contains("on queue 'default'", "the stack trace is logged once per cause on queue 'default'");
            assertThat(ids).anySatisfy(id -> assertThat(warning.getFormattedMessage()).contains(id));
            assertThat(warning.getThrowableProxy().getMessage()).isEqualTo("AccessDenied: not authorized to perform "
                    + "ChangeMessageVisibility");
            assertThat(warning.getMDCPropertyMap()).containsKey("jobId");
        });

        refusing.works.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> appender.list.stream()
                .anyMatch(e -> e.getLevel() == Level.INFO
                        && e.getFormattedMessage().equals("heartbeats on queue 'default' work again")));
    }

    /** A provider that refuses every heartbeat until {@link #works} is set, as SQS without the permission does. */
    private static final class RefusingHeartbeats extends ForwardingQueueProvider {

        final AtomicBoolean works = new AtomicBoolean();
        private final AtomicInteger refused = new AtomicInteger();

        RefusingHeartbeats(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            if (!works.get()) {
                refused.incrementAndGet();
                throw new IllegalStateException("AccessDenied: not authorized to perform ChangeMessageVisibility");
            }
            super.extendLease(job, extension);
        }

        int refused() {
            return refused.get();
        }
    }
}
