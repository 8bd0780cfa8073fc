package dev.jobq.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.Backoff;
import dev.jobq.JobHandler;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.internal.runtime.EventBus;
import dev.jobq.internal.runtime.HandlerRegistry;
import dev.jobq.internal.runtime.QueueCounters;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The watchdog's WARN for an attempt whose thread runs on past its timeout ({@link AttemptRun#warnIfOverdue}), and the
 * INFO that says it returned: the sweep is called here by hand, at a time given to it, and the attempt's thread is held
 * by latches where the race is, between its return and the worker taking the thread back.
 */
class OverdueWarningTest {

    /** Far past any timeout: the sweep's "now" given to warnIfOverdue. */
    private static final long AN_HOUR_ON = TimeUnit.HOURS.toNanos(1);

    private final Logger logger = (Logger) LoggerFactory.getLogger(AttemptRun.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final HandlerRegistry handlers = new HandlerRegistry();
    /** Let go by the test: what ignores the interrupt returns. */
    private final CountDownLatch mayReturn = new CountDownLatch(1);

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        mayReturn.countDown();
        logger.detachAppender(appender);
    }

    @Test
    @DisplayName("a handler that returned past its timeout, its thread not yet taken back by the worker, is not named "
            + "in a warning as running on: no INFO would follow it")
    void aHandlerThatReturnedIsNotWarnedAbout() throws Exception {
        var handlerIn = new CountDownLatch(1);
        handlers.registering(new ObjectMapper()).registerJobHandler("test", Integer.class, (job, ctx) -> {
            handlerIn.countDown();
            ignoreInterruptsUntil(mayReturn);
        });
        var run = attempt("1");
        var returned = new CountDownLatch(1);
        var mayDetach = new CountDownLatch(1);
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                run.run();
            } finally {
                returned.countDown();
                ignoreInterruptsUntil(mayDetach); // the worker's own steps before it takes the thread back
                run.detachThread();
            }
        });
        try {
            assertThat(handlerIn.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
            assertThat(run.timeOut()).as("timed out").isTrue();
            mayReturn.countDown();
            assertThat(returned.await(10, TimeUnit.SECONDS)).as("the handler returned").isTrue();

            // Before, the sweep found the thread still there, and warned: no INFO came after, the return having passed.
            assertThat(run.warnIfOverdue(System.nanoTime() + AN_HOUR_ON, Watchdog.OVERDUE_WARNING.toNanos(), 5))
                    .as("warned after the handler returned").isFalse();
            assertThat(messages(Level.WARN)).isEmpty();
        } finally {
            mayDetach.countDown();
            thread.join(Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("the binding of a payload that ignores its timeout's interrupt, named in a warning, is said to have "
            + "returned when it does, as a handler is")
    void aBindingNamedInTheWarningIsSaidToHaveReturned() throws Exception {
        Thread thread = bindingWarnedAsOverdue("{\"n\":1}");
        try {
            assertThat(messages(Level.WARN)).singleElement().asString()
                    .startsWith("job job-1 (test) on queue 'default' attempt 1: the binding of its payload has not "
                            + "returned 5s after its timeout (100ms), whose interrupt it ignores; it is at ");

            mayReturn.countDown();
            assertThat(thread.join(Duration.ofSeconds(10))).as("the attempt's thread ended").isTrue();

            // Before, nothing: the WARN said the binding holds a thread and a permit, and nothing said it let them go.
            assertThat(messages(Level.INFO)).singleElement().asString()
                    .isEqualTo("job job-1 (test) on queue 'default' attempt 1: the binding of its payload, named in a "
                            + "warning as running past its timeout, returned; that is discarded, and its thread and "
                            + "permit are free again");
        } finally {
            mayReturn.countDown();
            thread.join(Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("the binding of a payload that ignores its timeout's interrupt, named in a warning, and then refuses "
            + "the payload, is said to have ended")
    void aBindingNamedInTheWarningThatRefusesThePayloadIsSaidToHaveEnded() throws Exception {
        Thread thread = bindingWarnedAsOverdue("{\"n\":-1}");
        try {
            mayReturn.countDown();
            assertThat(thread.join(Duration.ofSeconds(10))).as("the attempt's thread ended").isTrue();

            assertThat(messages(Level.INFO)).singleElement().asString()
                    .startsWith("job job-1 (test) on queue 'default' attempt 1: the binding of its payload, named in a "
                            + "warning as running past its timeout, ended ")
                    .endsWith(" after it; that is discarded, and its thread and permit are free again");
        } finally {
            mayReturn.countDown();
            thread.join(Duration.ofSeconds(10));
        }
    }

    /**
     * Starts an attempt of {@code payload} whose binding ignores its timeout's interrupt until {@link #mayReturn}, times
     * it out, and has the sweep warn of it an hour on; its thread, which the caller lets return.
     */
    private Thread bindingWarnedAsOverdue(String payload) throws InterruptedException {
        SlowPayload.mayReturn = mayReturn;
        SlowPayload.in = new CountDownLatch(1);
        JobHandler<SlowPayload> neverCalled = (job, ctx) -> {
            throw new AssertionError("the handler of a payload bound past its timeout was called");
        };
        handlers.registering(new ObjectMapper()).registerJobHandler("test", SlowPayload.class, neverCalled);
        var run = attempt(payload);
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                run.run();
            } finally {
                run.detachThread();
            }
        });
        assertThat(SlowPayload.in.await(10, TimeUnit.SECONDS)).as("the binding started").isTrue();
        assertThat(run.timeOut()).as("timed out").isTrue();
        assertThat(run.warnIfOverdue(System.nanoTime() + AN_HOUR_ON, Watchdog.OVERDUE_WARNING.toNanos(), 5))
                .as("warned").isTrue();
        return thread;
    }

    @Test
    @DisplayName("a handler that ignores the interrupt of its lost lease and runs on past its timeout is named in a "
            + "warning, as a timed-out one is, and said to have returned when it does")
    void aHandlerRunningOnAfterItsLeaseWasLostIsWarnedAbout() throws Exception {
        var handlerIn = new CountDownLatch(1);
        handlers.registering(new ObjectMapper()).registerJobHandler("test", Integer.class, (job, ctx) -> {
            handlerIn.countDown();
            ignoreInterruptsUntil(mayReturn);
        });
        var provider = new NoJobsProvider();
        var run = attempt("1", provider);
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                run.run();
            } finally {
                run.detachThread();
            }
        });
        try {
            assertThat(handlerIn.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
            provider.leaseLost = true;
            run.heartbeat(new HeartbeatFailures("default"));
            assertThat(run.isCancelled()).as("cancelled by the lost lease").isTrue();

            // Before, never: /health counted it overdue, and no line named the job holding a permit.
            assertThat(run.warnIfOverdue(System.nanoTime() + AN_HOUR_ON, Watchdog.OVERDUE_WARNING.toNanos(), 5))
                    .as("warned").isTrue();
            assertThat(messages(Level.WARN)).last().asString()
                    .startsWith("job job-1 (test) on queue 'default' attempt 1: its handler has not returned 5s after "
                            + "its timeout (100ms), although its lease was lost and its thread interrupted; it is at ")
                    .contains("its result will not be recorded (the job's other delivery settles it), but it keeps "
                            + "its thread and one of this worker's 5 permits until it returns");
            assertThat(run.warnIfOverdue(System.nanoTime() + AN_HOUR_ON, Watchdog.OVERDUE_WARNING.toNanos(), 5))
                    .as("warned twice").isFalse();

            mayReturn.countDown();
            assertThat(thread.join(Duration.ofSeconds(10))).as("the attempt's thread ended").isTrue();
            assertThat(messages(Level.INFO)).singleElement().asString()
                    .isEqualTo("job job-1 (test) on queue 'default' attempt 1 returned after its lease was lost; its "
                            + "result is not recorded (no acknowledgement, no event, not counted): the job's other "
                            + "delivery settles it; named in a warning as running past its timeout, its thread and "
                            + "permit are free again");
        } finally {
            mayReturn.countDown();
            thread.join(Duration.ofSeconds(10));
        }
    }

    /** A payload whose creator blocks, ignoring interrupts, as a deserializer of the user's that waits on I/O can. */
    static final class SlowPayload {
        static volatile CountDownLatch in;
        static volatile CountDownLatch mayReturn;

        @JsonCreator
        static SlowPayload of(@JsonProperty("n") int n) {
            in.countDown();
            ignoreInterruptsUntil(mayReturn);
            if (n < 0) {
                throw new IllegalArgumentException("n must be ≥ 0, got " + n);
            }
            return new SlowPayload();
        }
    }

    private AttemptRun attempt(String payloadJson) {
        return attempt(payloadJson, new NoJobsProvider());
    }

    private AttemptRun attempt(String payloadJson, NoJobsProvider provider) {
        var env = new RunEnvironment(handlers, new EventBus(List.of()), Clock.systemUTC(), Backoff.defaultBackoff(),
                null);
        var options = new JobOptions(1, Duration.ofMillis(100), JobOptions.DEFAULT_PRIORITY, null,
                JobOptions.DEFAULT_QUEUE);
        var envelope = new JobEnvelope(JobEnvelope.CURRENT_VERSION, "job-1", "test", payloadJson, options, 0,
                Instant.EPOCH, null, null);
        var delivery = new ReceivedJob(envelope, 1, "receipt-1", Duration.ofSeconds(30));
        return new AttemptRun(new QueueBinding("default", provider, new QueueCounters()), delivery, env,
                () -> { }, null, new AttemptRun.WorkerSide() {
                    @Override
                    public boolean stopping() {
                        return false;
                    }

                    @Override
                    public void endedWithoutOutcome() {
                    }

                    @Override
                    public void endedWithOutcome() {
                    }
                });
    }

    private List<String> messages(Level level) {
        return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** Waits for {@code latch} (30 s at most) through any interrupt, as a handler that swallows it does. */
    private static void ignoreInterruptsUntil(CountDownLatch latch) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            try {
                if (latch.await(end - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException ignored) {
                // the timeout's cancel, ignored
            }
        }
    }

    /** Holds no job; takes what it is told, and refuses lease extensions once {@link #leaseLost}. */
    private static final class NoJobsProvider implements QueueProvider {
        volatile boolean leaseLost;

        @Override
        public Capabilities capabilities() {
            return new Capabilities(Duration.ZERO, 1024, EnumSet.noneOf(dev.jobq.spi.Feature.class), 1);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            return List.of();
        }

        @Override
        public EnqueueResult enqueue(JobEnvelope envelope, Duration delay) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void acknowledge(ReceivedJob job) {
        }

        @Override
        public void fail(ReceivedJob job, Failure failure) {
        }

        @Override
        public void extendLease(ReceivedJob job, Duration extension) {
            if (leaseLost) {
                throw new LeaseLostException("job " + job.jobId() + " no longer holds this delivery");
            }
        }

        @Override
        public void release(ReceivedJob job) {
        }

        @Override
        public Optional<JobInfo> getJob(String jobId) {
            return Optional.empty();
        }

        @Override
        public ProviderStats stats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
