package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.DurationFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A backoff that throws or returns null is replaced for that retry (docs/semantics.md, Backoff): a job type's own by
 * the worker's default backoff ({@code JobQueueBuilder.backoff}, {@code worker.backoff}), as Sidekiq and BullMQ fall
 * back to the queue's configured default; the worker's default itself by the built-in
 * {@link Backoff#defaultBackoff()}.
 */
class BrokenBackoffFallbackTest {

    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);
    /** How a log line or a reason names the built-in default where it is the worker's, none being set. */
    private static final String BUILT_IN_NOT_SET = "the built-in default backoff (Backoff.defaultBackoff(); set the "
            + "worker's default with JobQueueBuilder.backoff or worker.backoff)";

    private final WorkerFixture fixture = new WorkerFixture();
    private final Logger policyLog = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.FailurePolicy");
    private final CapturedLog logged = new CapturedLog();
    private final Logger attemptLog = (Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.AttemptRun");
    private final CapturedLog attemptLogged = new CapturedLog();
    /** What {@link RateTableBackoff}'s first ask waits for; counted down at the end, so that none is left waiting. */
    private final CountDownLatch rateTableRead = new CountDownLatch(1);
    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        logged.start();
        policyLog.addAppender(logged);
        attemptLogged.start();
        attemptLog.addAppender(attemptLogged);
    }

    @AfterEach
    void close() throws Exception {
        rateTableRead.countDown();
        fixture.close();
        policyLog.detachAppender(logged);
        attemptLog.detachAppender(attemptLogged);
    }

    @Test
    @DisplayName("a job type's backoff that throws or returns null: that retry takes the worker's default backoff, "
            + "not the built-in 1 s")
    void aTypesBrokenBackoffTakesTheWorkersDefault() {
        JobQueue jobs = queue(Backoff.fixed(TEN_MINUTES));
        jobs.registerJobHandler("report:throwing", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> {
            throw new IllegalStateException("rate table unreadable");
        });
        jobs.registerJobHandler("report:nothing", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> null);
        jobs.start();
        jobs.enqueue("report:throwing", 1, EnqueueOptions.builder().maxAttempts(2).build());
        jobs.enqueue("report:nothing", 2, EnqueueOptions.builder().maxAttempts(2).build());

        List<JobEvent.Failed> failed = fixture.events.awaitCount(JobEvent.Failed.class, 2);
        assertThat(failed).extracting(JobEvent.Failed::retryIn).as("the worker's default backoff, fixed 10 min")
                .containsExactly(TEN_MINUTES, TEN_MINUTES);
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).hasSize(2).allSatisfy(line -> assertThat(line)
                        .contains("retrying with the worker's default backoff (JobQueueBuilder.backoff or "
                                + "worker.backoff), in 10m")
                        .endsWith("fix the Backoff given to registerJobHandler or HandlerOptions.backoff"));
    }

    @Test
    @DisplayName("the worker's default backoff that throws: that retry takes the built-in default backoff")
    void aBrokenWorkersDefaultTakesTheBuiltInDefault() {
        JobQueue jobs = queue(failedAttempt -> {
            throw new IllegalStateException("rate table unreadable");
        });
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        });
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(2).build());

        JobEvent.Failed failed = fixture.events.awaitCount(JobEvent.Failed.class, 1).getFirst();
        assertThat(failed.retryIn()).as("Backoff.defaultBackoff() after attempt 1: 1 s plus up to 20 % jitter")
                .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement().satisfies(line -> assertThat(line)
                        .contains("retrying with the built-in default backoff (Backoff.defaultBackoff()), in 1")
                        .endsWith("fix the Backoff given to JobQueueBuilder.backoff"));
    }

    @Test
    @DisplayName("a job type's backoff that throws or blocks where no worker's default is set: the ERROR and the "
            + "timeout's reason name the built-in default that replaced it, and where to set one")
    void aTypesBrokenBackoffWithNoWorkersDefaultNamesTheBuiltInOne() {
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .provider(new KeepOpen(fixture.memoryProvider(Map.of())))
                .concurrency(2)
                .shutdownTimeout(Duration.ofSeconds(5))
                .listener(fixture.events)
                .build());
        jobs.registerJobHandler("report:throwing", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> {
            throw new IllegalStateException("rate table unreadable");
        });
        jobs.registerJobHandler("report:blocking", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> {
            try {
                rateTableRead.await(30, TimeUnit.SECONDS); // until the timeout's interrupt
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted while reading the rate table", e);
            }
            return Duration.ZERO;
        });
        jobs.start();
        jobs.enqueue("report:throwing", 1, EnqueueOptions.builder().maxAttempts(2).build());
        jobs.enqueue("report:blocking", 2, EnqueueOptions.builder().maxAttempts(2).timeout(Duration.ofSeconds(2))
                .build());

        List<JobEvent.Failed> failed = fixture.events.awaitCount(JobEvent.Failed.class, 2);
        assertThat(failed).allSatisfy(event -> assertThat(event.retryIn())
                .as("Backoff.defaultBackoff() after attempt 1: 1 s plus up to 20 % jitter")
                .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200)));
        assertThat(failed).filteredOn(event -> event.type().equals("report:blocking")).singleElement()
                .satisfies(event -> assertThat(event.error()).as("the timeout's reason")
                        .endsWith("a retry takes the delay of " + BUILT_IN_NOT_SET));
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement().satisfies(line -> assertThat(line)
                        .as("no JobQueueBuilder.backoff nor worker.backoff is set: not \"the worker's default\"")
                        .contains("of job type 'report:throwing' threw after attempt 1; retrying with "
                                + BUILT_IN_NOT_SET + ", in 1")
                        .endsWith("fix the Backoff given to registerJobHandler or HandlerOptions.backoff"));
    }

    @Test
    @DisplayName("a job type's backoff that throws under a config file whose worker: section sets no backoff: the "
            + "ERROR names the built-in default that replaced it")
    void aTypesBrokenBackoffUnderAConfigFileWithNoWorkerBackoffNamesTheBuiltInOne() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "worker:\n  concurrency: 2\n");
        JobQueue jobs = fixture.closeLater(JobQueue.builder()
                .config(file)
                .provider(new KeepOpen(fixture.memoryProvider(Map.of())))
                .listener(fixture.events)
                .build());
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> null);
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(2).build());

        fixture.events.awaitCount(JobEvent.Failed.class, 1);
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement().satisfies(line -> assertThat(line)
                        .contains("returned null after attempt 1; retrying with " + BUILT_IN_NOT_SET + ", in 1"));
    }

    /**
     * The first attempt's {@code Failed} of a job whose handler throws, whose type's backoff throws, on a worker whose
     * default backoff returns null.
     */
    private JobEvent.Failed failedWithTheTypesBackoffThrowingAndTheWorkersDefaultNull() {
        JobQueue jobs = queue(failedAttempt -> null);
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> {
            throw new IllegalStateException("rate table unreadable");
        });
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(2).build());
        return fixture.events.awaitCount(JobEvent.Failed.class, 1).getFirst();
    }

    @Test
    @DisplayName("a job type's backoff that throws while the worker's default fails too (returns null): the built-in "
            + "default")
    void bothBrokenTakeTheBuiltInDefault() {
        JobEvent.Failed failed = failedWithTheTypesBackoffThrowingAndTheWorkersDefaultNull();
        assertThat(failed.retryIn()).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.ERROR).hasSize(2);
    }

    @Test
    @DisplayName("a job type's backoff that throws while the worker's default returns null: the type's ERROR names the "
            + "built-in default, whose delay the retry takes, not the worker's default")
    void theErrorForATypesBrokenBackoffNamesTheBuiltInOneWhenTheWorkersDefaultFailedToo() {
        JobEvent.Failed failed = failedWithTheTypesBackoffThrowingAndTheWorkersDefaultNull();
        String taken = DurationFormat.format(failed.retryIn());
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(line -> line.contains("threw after attempt 1")).singleElement()
                .as("the type's ERROR, logged after the worker's default's")
                .satisfies(line -> assertThat(line).contains("retrying with the built-in default backoff "
                        + "(Backoff.defaultBackoff()) in place of the worker's default backoff (JobQueueBuilder.backoff "
                        + "or worker.backoff), which failed too, in " + taken + ":"));
    }

    @Test
    @DisplayName("a job type's backoff that throws, and the worker's default asked in its place blocks past the job's "
            + "timeout: the timeout names the worker's default and takes the built-in one, not asking it again")
    void aWorkersDefaultThatBlocksInPlaceOfABrokenTypesBackoffIsNotAskedAgain() throws Exception {
        RateTableBackoff workersDefault = failingBehindABlockingDefault();
        assertThat(workersDefault.blocking.await(10, TimeUnit.SECONDS)).as("the worker's default was asked").isTrue();

        JobEvent.Failed failed = fixture.events.awaitCount(JobEvent.Failed.class, 1).getFirst();
        assertThat(failed.error()).as("the backoff that did not return, and what replaced it")
                .startsWith("timed out after 2s: the handler failed, and its backoff (" + RateTableBackoff.class.getName()
                        + ") did not return within the job's timeout")
                .endsWith("a retry takes the delay of the built-in default backoff (Backoff.defaultBackoff())");
        assertThat(failed.retryIn()).as("Backoff.defaultBackoff() after attempt 1: 1 s plus up to 20 % jitter")
                .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(workersDefault.asks).as("asks of the worker's default, which blocked at the first").hasValue(1);
    }

    @Test
    @DisplayName("a job type's backoff that throws, and the worker's default asked in its place blocks until the "
            + "timeout: the ERROR for the type's backoff names no retry that the timeout did not take")
    void theErrorForATypesBrokenBackoffNamesNoRetryWhenTheAttemptWasCancelledMeanwhile() throws Exception {
        failingBehindABlockingDefault();

        fixture.events.awaitCount(JobEvent.Failed.class, 1);
        // The handler's thread logs it once the timeout's interrupt ended the worker's default.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logged.list)
                .filteredOn(event -> event.getLevel() == Level.ERROR).isNotEmpty());
        assertThat(logged.list).filteredOn(event -> event.getLevel() == Level.ERROR)
                .extracting(ILoggingEvent::getFormattedMessage).singleElement()
                .as("the timeout settled the attempt with the built-in default's delay")
                .satisfies(line -> assertThat(line).startsWith("the backoff (a lambda in "
                                + BrokenBackoffFallbackTest.class.getName() + ") of job type 'report:build' threw "
                                + "after attempt 1; the attempt was cancelled meanwhile")
                        .doesNotContain("retrying with")
                        .endsWith("fix the Backoff given to registerJobHandler or HandlerOptions.backoff"));
    }

    @Test
    @DisplayName("a job type's backoff that blocks past the job's timeout and returns null once interrupted: the "
            + "timeout names it and takes the worker's default, which the handler's thread does not ask as well")
    void aTypesBackoffReturningNullOnceTimedOutLeavesTheWorkersDefaultToTheTimeout() throws Exception {
        var workersDefault = new TenMinutesCounted();
        JobQueue jobs = queue(workersDefault);
        var blocking = new CountDownLatch(1);
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> {
            blocking.countDown();
            try {
                rateTableRead.await(30, TimeUnit.SECONDS); // until the timeout's interrupt
                return Duration.ZERO;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null; // no rate to give
            }
        });
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(2).timeout(Duration.ofSeconds(2)).build());
        assertThat(blocking.await(10, TimeUnit.SECONDS)).as("the type's backoff was asked").isTrue();

        JobEvent.Failed failed = fixture.events.awaitCount(JobEvent.Failed.class, 1).getFirst();
        String typesBackoff = "its backoff (a lambda in " + BrokenBackoffFallbackTest.class.getName() + ")";
        // The handler's thread, its backoff ended by the timeout's interrupt, warns once it returned.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(attemptLogged.warnings())
                .anySatisfy(line -> assertThat(line).contains("did not return within the job's timeout")));
        assertThat(attemptLogged.warnings()).filteredOn(line -> line.contains("threw IllegalStateException: the data "
                + "is late")).singleElement().as("the handler's thread's WARN names the backoff that blocked")
                .satisfies(line -> assertThat(line).contains("and " + typesBackoff + " did not return"));
        assertThat(failed.error()).as("the timeout's reason")
                .contains("the handler failed, and " + typesBackoff + " did not return within the job's timeout")
                .endsWith("a retry takes the delay of the worker's default backoff (JobQueueBuilder.backoff or "
                        + "worker.backoff)");
        assertThat(failed.retryIn()).as("the worker's default's delay").isEqualTo(TEN_MINUTES);
        assertThat(workersDefault.asks).as("asks of the worker's default: the timeout's alone").hasValue(1);
    }

    /** A worker's default backoff of 10 min that counts its asks. */
    private static final class TenMinutesCounted implements Backoff {
        final AtomicInteger asks = new AtomicInteger();

        @Override
        public Duration delay(int failedAttempt) {
            asks.incrementAndGet();
            return TEN_MINUTES;
        }
    }

    /**
     * A job of a type whose handler and own backoff both throw, enqueued with two attempts and a 2 s timeout on a
     * queue whose worker's default backoff, asked in place of the type's, blocks: the default it returns.
     */
    private RateTableBackoff failingBehindABlockingDefault() {
        var workersDefault = new RateTableBackoff();
        JobQueue jobs = queue(workersDefault);
        jobs.registerJobHandler("report:build", Integer.class, (n, ctx) -> {
            throw new IllegalStateException("the data is late");
        }, failedAttempt -> {
            throw new IllegalStateException("rate table unreadable");
        });
        jobs.start();
        jobs.enqueue("report:build", 1, EnqueueOptions.builder().maxAttempts(2).timeout(Duration.ofSeconds(2)).build());
        return workersDefault;
    }

    /**
     * A worker's default backoff that reads a rate table: its first ask blocks until {@link #rateTableRead} (or its
     * thread's interrupt), any later one answers 7 min at once.
     */
    private final class RateTableBackoff implements Backoff {
        final AtomicInteger asks = new AtomicInteger();
        final CountDownLatch blocking = new CountDownLatch(1);

        @Override
        public Duration delay(int failedAttempt) {
            if (asks.incrementAndGet() > 1) {
                return Duration.ofMinutes(7);
            }
            blocking.countDown();
            try {
                rateTableRead.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted while reading the rate table", e);
            }
            return Duration.ZERO;
        }
    }

    /** A memory queue whose worker's default backoff is {@code backoff}, events recorded. */
    private JobQueue queue(Backoff backoff) {
        return fixture.closeLater(JobQueue.builder()
                .provider(new KeepOpen(fixture.memoryProvider(Map.of())))
                .concurrency(2)
                .shutdownTimeout(Duration.ofSeconds(5))
                .backoff(backoff)
                .listener(fixture.events)
                .build());
    }
}
