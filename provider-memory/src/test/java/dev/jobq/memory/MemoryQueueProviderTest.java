package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.jobq.DeadLetters;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.JobState;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.Failure;
import dev.jobq.spi.Feature;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.LeaseLostException;
import dev.jobq.spi.ProviderStats;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.SettableClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the memory provider promises beyond the conformance suite: its limits, long delays, its clock. */
class MemoryQueueProviderTest {

    private final SettableClock clock = SettableClock.atEpochOf2026();
    private final List<QueueProvider> providers = new ArrayList<>();

    @AfterEach
    void closeProviders() {
        providers.forEach(QueueProvider::close);
    }

    private QueueProvider provider(MemoryProviderFactory.Builder builder) {
        QueueProvider provider = builder.queueName("unit").clock(clock).build();
        providers.add(provider);
        return provider;
    }

    private QueueProvider provider() {
        return provider(MemoryProviderFactory.builder());
    }

    private JobEnvelope job(JobOptions options) {
        return job("{}", options);
    }

    private JobEnvelope job(String payloadJson, JobOptions options) {
        return new JobEnvelope(1, UUID.randomUUID().toString(), "unit:job", payloadJson, options, 0, clock.instant(),
                null, null);
    }

    private JobEnvelope job() {
        return job(JobOptions.defaults());
    }

    private static JobOptions keyed(String key) {
        return new JobOptions(3, Duration.ofSeconds(30), 0, key, JobOptions.DEFAULT_QUEUE);
    }

    /** The ids of the next {@code count} jobs, each received alone and acknowledged before the next. */
    private static List<String> receiveEachInTurn(QueueProvider provider, int count) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ReceivedJob received = receiveOne(provider);
            order.add(received.jobId());
            provider.acknowledge(received);
        }
        return order;
    }

    /** A job's first delivery, released, and its second, current one. */
    private record Redelivered(ReceivedJob stale, ReceivedJob current) {
    }

    /** Enqueues a job, receives and releases it, and receives it again. */
    private Redelivered releasedAndReceivedAgain(QueueProvider provider) {
        provider.enqueue(job(), Duration.ZERO);
        ReceivedJob first = receiveOne(provider);
        provider.release(first);
        return new Redelivered(first, receiveOne(provider));
    }

    private static ReceivedJob receiveOne(QueueProvider provider) {
        List<ReceivedJob> received = provider.receive(1, Duration.ZERO);
        assertThat(received).hasSize(1);
        return received.get(0);
    }

    @Test
    @DisplayName("declares any delay, its payload limit and every feature but ordering")
    void capabilities() {
        Capabilities capabilities = provider(MemoryProviderFactory.builder().maxPayloadBytes(4096)).capabilities();

        assertThat(capabilities.maxDelay()).isEqualTo(Capabilities.UNLIMITED_DELAY);
        assertThat(capabilities.maxPayloadBytes()).isEqualTo(4096);
        assertThat(capabilities.features()).containsExactlyInAnyOrder(Feature.PRIORITY,
                Feature.DEDUPLICATION, Feature.JOB_LOOKUP,
                Feature.DEAD_LETTER_STORE, Feature.LOCAL_RECEIVE, Feature.SETTLE_DETECTS_LOST_LEASE);
    }

    @Test
    @DisplayName("an envelope already counting Integer.MAX_VALUE attempts is delivered, its count saturated, not wrapped")
    void attemptCountSaturatesAtTheLargestInt() {
        QueueProvider provider = provider();
        JobEnvelope worn = job().withAttempt(Integer.MAX_VALUE);
        provider.enqueue(worn, Duration.ZERO);

        ReceivedJob received = receiveOne(provider);

        assertThat(received.jobId()).isEqualTo(worn.jobId());
        assertThat(received.attempt()).isEqualTo(Integer.MAX_VALUE);
        assertThat(provider.getJob(worn.jobId()).orElseThrow().attempts()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("a job delayed 40 days is not delivered a millisecond early, and is delivered on time")
    void fortyDayDelayIsNeitherEarlyNorLost() {
        QueueProvider provider = provider();
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ofDays(40));

        clock.advance(Duration.ofDays(40).minusMillis(1));
        assertThat(provider.receive(1, Duration.ZERO)).isEmpty();
        assertThat(provider.getJob(job.jobId()).orElseThrow().state()).isEqualTo(JobState.DELAYED);

        clock.advance(Duration.ofMillis(1));
        assertThat(receiveOne(provider).jobId()).isEqualTo(job.jobId());
    }

    @Test
    @DisplayName("the largest delay there is holds the job without overflowing, even centuries later")
    void unlimitedDelayDoesNotOverflow() {
        QueueProvider provider = provider();
        JobEnvelope forever = job();

        provider.enqueue(forever, Capabilities.UNLIMITED_DELAY);
        clock.advance(Duration.ofDays(365L * 200));

        assertThat(provider.receive(1, Duration.ZERO)).isEmpty();
        assertThat(provider.stats().delayed()).isEqualTo(1);
    }

    @Test
    @DisplayName("a clock set past 2262, the last instant the queue times by, delivers no job early, ends no lease "
            + "at once, and is named in one WARN")
    void aClockPastTheLastInstantItTimesByDeliversNothingEarlyNorLosesEveryLease() throws InterruptedException {
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            QueueProvider provider = provider();
            JobEnvelope in300Years = job();
            provider.enqueue(in300Years, Duration.ofDays(365L * 300));

            clock.set(Instant.parse("2270-01-01T00:00:00Z"));
            assertThat(provider.receive(1, Duration.ZERO)).as("a job due in 2326, in 2270").isEmpty();
            provider.enqueue(job(), Duration.ZERO);
            ReceivedJob received = receiveOne(provider);
            assertThat(provider.stats().inFlight()).as("the lease just taken").isEqualTo(1);
            provider.acknowledge(received);

            assertThat(provider.getJob(in300Years.jobId()).orElseThrow().state()).isEqualTo(JobState.DELAYED);
            var receiver = new Thread(() -> provider.receive(1, Duration.ofSeconds(30)), "receiver-past-2262");
            receiver.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.getState() == Thread.State.TIMED_WAITING);
            for (int i = 0; i < 1000; i++) {
                assertThat(receiver.getState()).as("a receiver waits for a job due 'never' without waking every "
                        + "nanosecond").isEqualTo(Thread.State.TIMED_WAITING);
            }
            provider.close();
            receiver.join(10_000);
            assertThat(receiver.isAlive()).as("woken by close()").isFalse();
            assertThat(appender.list).as("once per queue, beside close()'s of the job it drops")
                    .filteredOn(event -> event.getFormattedMessage().contains("its clock reads"))
                    .singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("memory queue 'unit'", "2270-01-01T00:00:00Z",
                        "2262-04-11T23:47:16.854775807Z");
            });
        }
    }

    @Test
    @DisplayName("a clock in the first second the queue times by runs as any other, and is not named in a WARN")
    void aClockInTheFirstSecondItTimesByIsNotHeldStill() {
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            clock.set(EpochNanos.FIRST);
            QueueProvider provider = provider();
            JobEnvelope job = job();
            provider.enqueue(job, Duration.ofMillis(500));

            clock.advance(Duration.ofMillis(500));

            assertThat(provider.receive(1, Duration.ZERO)).as("a job due 500 ms after %s, at %s", EpochNanos.FIRST,
                    clock.instant()).extracting(ReceivedJob::jobId).containsExactly(job.jobId());
            assertThat(appender.list).extracting(event -> event.getFormattedMessage())
                    .noneMatch(message -> message.contains("its clock reads"));
        }
    }

    @Test
    @DisplayName("a lease lasts exactly leaseDuration on the injected clock")
    void leaseEndsOnTheInjectedClock() {
        QueueProvider provider = provider(MemoryProviderFactory.builder().leaseDuration(Duration.ofSeconds(5)));
        provider.enqueue(job(), Duration.ZERO);
        ReceivedJob first = receiveOne(provider);

        clock.advance(Duration.ofSeconds(5).minusNanos(1));
        assertThat(provider.receive(1, Duration.ZERO)).isEmpty();
        clock.advance(Duration.ofNanos(1));

        ReceivedJob second = receiveOne(provider);
        assertThat(first.leaseDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(provider.getJob(second.jobId()).orElseThrow().lastError()).contains("lease of 5s ended");
    }

    @Test
    @DisplayName("a receiver blocked waiting for a delayed job wakes when the settable clock reaches it")
    void blockedReceiverWakesWhenTheClockMoves() throws InterruptedException {
        QueueProvider provider = provider();
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ofHours(1));
        var result = new AtomicReference<List<ReceivedJob>>();
        var returned = new CountDownLatch(1);
        Thread receiver = Thread.ofPlatform().name("unit-receiver").start(() -> {
            result.set(provider.receive(1, Duration.ofSeconds(30)));
            returned.countDown();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.getState() == Thread.State.TIMED_WAITING);

        clock.advance(Duration.ofHours(1));

        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(result.get()).extracting(ReceivedJob::jobId).containsExactly(job.jobId());
    }

    @Test
    @DisplayName("a receiver on a settable clock sleeps until the clock moves, not towards a due time a nanosecond "
            + "off in real time, which a clock that stands still never reaches")
    void receiverOnASettableClockSleepsUntilTheClockMoves() throws InterruptedException {
        QueueProvider provider = provider();
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ofHours(1));
        clock.advance(Duration.ofHours(1).minusNanos(1));
        var result = new AtomicReference<List<ReceivedJob>>();
        var returned = new CountDownLatch(1);
        Thread receiver = Thread.ofPlatform().name("unit-receiver").start(() -> {
            result.set(provider.receive(1, Duration.ofSeconds(30)));
            returned.countDown();
        });
        await().atMost(Duration.ofSeconds(10)).alias("the receiver parks")
                .until(() -> receiver.getState() == Thread.State.TIMED_WAITING);

        clock.advance(Duration.ofNanos(1));

        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(result.get()).extracting(ReceivedJob::jobId).containsExactly(job.jobId());
    }

    @Test
    @DisplayName("on the system clock, a receiver sleeps until a short delay is due and then gets the job")
    void receiverOnTheSystemClockWakesWhenTheDelayIsDue() {
        QueueProvider provider = MemoryProviderFactory.builder().clock(Clock.systemUTC()).build();
        providers.add(provider);
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ofMillis(50));

        List<ReceivedJob> received = provider.receive(1, Duration.ofSeconds(20));

        assertThat(received).extracting(ReceivedJob::jobId).containsExactly(job.jobId());
    }

    /**
     * The provider's javadoc: receivers "sleep exactly until the earliest delayed job or lease comes due". A receiver
     * that began to wait before another took a lease slept on to its own deadline, so a job whose worker stalled came
     * back only then (here a minute after its lease of 250 ms ended; in a worker, up to its pollInterval).
     */
    @Test
    @DisplayName("on the system clock, a receiver already waiting gets a job when a lease taken meanwhile runs out")
    void waitingReceiverWakesWhenALeaseTakenMeanwhileEnds() throws InterruptedException {
        QueueProvider provider = MemoryProviderFactory.builder().clock(Clock.systemUTC())
                .leaseDuration(Duration.ofMillis(250)).build();
        providers.add(provider);
        List<List<ReceivedJob>> results = new CopyOnWriteArrayList<>();
        var first = new CountDownLatch(1);
        var both = new CountDownLatch(2);
        List<Thread> receivers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            receivers.add(Thread.ofPlatform().name("unit-receiver-" + i).start(() -> {
                results.add(provider.receive(1, Duration.ofSeconds(60)));
                first.countDown();
                both.countDown();
            }));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> receivers.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));

        JobEnvelope job = job();
        provider.enqueue(job, Duration.ZERO);
        assertThat(first.await(10, TimeUnit.SECONDS)).as("one receiver took the job").isTrue();
        // That delivery is never settled, as by a stalled worker: its lease ends 250 ms on.

        assertThat(both.await(10, TimeUnit.SECONDS)).as("the other receiver got the job once the lease ended").isTrue();
        assertThat(results).allSatisfy(received -> assertThat(received).extracting(ReceivedJob::jobId)
                .containsExactly(job.jobId()));
        assertThat(results).extracting(received -> received.get(0).attempt()).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    @DisplayName("a released job is received again before the fresh jobs enqueued after it")
    void releasedJobGoesBeforeLaterFreshJobs() {
        QueueProvider provider = provider();
        JobEnvelope first = job();
        JobEnvelope second = job();
        provider.enqueue(first, Duration.ZERO);
        provider.enqueue(second, Duration.ZERO);
        provider.release(receiveOne(provider));
        JobEnvelope third = job();
        provider.enqueue(third, Duration.ZERO);

        assertThat(provider.stats().waiting()).isEqualTo(3);
        assertThat(receiveEachInTurn(provider, 3)).containsExactly(first.jobId(), second.jobId(), third.jobId());
    }

    @Test
    @DisplayName("a delayed job that came due is received before a job enqueued after it came due")
    void dueDelayedJobGoesBeforeLaterFreshJobs() {
        QueueProvider provider = provider();
        JobEnvelope early = job();
        provider.enqueue(early, Duration.ZERO);
        JobEnvelope delayed = job();
        provider.enqueue(delayed, Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(10));
        JobEnvelope later = job();
        provider.enqueue(later, Duration.ZERO);

        assertThat(receiveEachInTurn(provider, 3)).containsExactly(early.jobId(), delayed.jobId(), later.jobId());
    }

    @Test
    @DisplayName("a job of a lower priority number enqueued behind a backlog of another priority is received first")
    void urgentJobOvertakesABacklogOfAnotherPriority() {
        QueueProvider provider = provider();
        JobOptions low = new JobOptions(3, Duration.ofSeconds(30), 5, null, JobOptions.DEFAULT_QUEUE);
        JobOptions urgent = new JobOptions(3, Duration.ofSeconds(30), -1, null, JobOptions.DEFAULT_QUEUE);
        List<String> backlog = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobEnvelope job = job(low);
            provider.enqueue(job, Duration.ZERO);
            backlog.add(job.jobId());
        }
        assertThat(receiveOne(provider).jobId()).isEqualTo(backlog.get(0));
        JobEnvelope first = job(urgent);
        provider.enqueue(first, Duration.ZERO);

        List<ReceivedJob> next = provider.receive(3, Duration.ZERO);
        assertThat(next).extracting(ReceivedJob::jobId).containsExactly(first.jobId(), backlog.get(1), backlog.get(2));
        assertThat(provider.stats()).isEqualTo(new ProviderStats(0, 0, 4, 0));
    }

    @Test
    @DisplayName("acknowledgeAndReceive leases the next jobs in the queue's order: a lower priority number, then FIFO")
    void acknowledgeAndReceiveKeepsTheOrder() {
        QueueProvider provider = provider();
        JobOptions low = new JobOptions(3, Duration.ofSeconds(30), 5, null, JobOptions.DEFAULT_QUEUE);
        JobOptions urgent = new JobOptions(3, Duration.ofSeconds(30), -1, null, JobOptions.DEFAULT_QUEUE);
        JobEnvelope one = job(low);
        JobEnvelope two = job(low);
        provider.enqueue(one, Duration.ZERO);
        provider.enqueue(two, Duration.ZERO);
        ReceivedJob first = receiveOne(provider);
        JobEnvelope three = job(urgent);
        provider.enqueue(three, Duration.ZERO);

        List<ReceivedJob> second = provider.acknowledgeAndReceive(first, 1);
        List<ReceivedJob> rest = provider.acknowledgeAndReceive(second.get(0), 5);

        assertThat(first.jobId()).isEqualTo(one.jobId());
        assertThat(second).extracting(ReceivedJob::jobId).containsExactly(three.jobId());
        assertThat(rest).extracting(ReceivedJob::jobId).containsExactly(two.jobId());
        assertThat(provider.stats()).isEqualTo(new ProviderStats(0, 0, 1, 0));
        assertThat(provider.acknowledgeAndReceive(rest.get(0), 1)).isEmpty();
        assertThat(provider.getJob(two.jobId()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(provider.stats()).isEqualTo(new ProviderStats(0, 0, 0, 0));
    }

    @Test
    @DisplayName("acknowledgeAndReceive with a stale receipt is refused: it settles nothing and leases nothing")
    void acknowledgeAndReceiveWithAStaleReceipt() {
        QueueProvider provider = provider();
        Redelivered job = releasedAndReceivedAgain(provider);
        JobEnvelope other = job();
        provider.enqueue(other, Duration.ZERO);

        assertThatThrownBy(() -> provider.acknowledgeAndReceive(job.stale(), 1))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("so it was not acknowledged");

        assertThat(provider.getJob(job.current().jobId()).orElseThrow().state()).isEqualTo(JobState.ACTIVE);
        assertThat(provider.stats()).isEqualTo(new ProviderStats(1, 0, 1, 0));
        assertThat(provider.receive(1, Duration.ZERO)).extracting(ReceivedJob::jobId).containsExactly(other.jobId());
    }

    @Test
    @DisplayName("acknowledgeAndReceive on a closed provider leases nothing")
    void acknowledgeAndReceiveAfterClose() {
        QueueProvider provider = provider();
        provider.enqueue(job(), Duration.ZERO);
        provider.enqueue(job(), Duration.ZERO);
        ReceivedJob first = receiveOne(provider);
        provider.close();

        assertThat(provider.acknowledgeAndReceive(first, 1)).isEmpty();
        assertThatThrownBy(() -> provider.acknowledgeAndReceive(first, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max must be ≥ 1, got 0");
    }

    @Test
    @DisplayName("a released delivery's receipt is stale: settling it later is refused and changes nothing")
    void releasedReceiptIsStale() {
        QueueProvider provider = provider();
        Redelivered job = releasedAndReceivedAgain(provider);
        ReceivedJob first = job.stale();
        ReceivedJob second = job.current();

        assertThatThrownBy(() -> provider.acknowledge(first))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("so it was not acknowledged");
        provider.release(first);
        assertThatThrownBy(() -> provider.extendLease(first, Duration.ofDays(1)))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("is no longer held");

        assertThat(provider.stats().inFlight()).isEqualTo(1);
        assertThat(second.attempt()).isEqualTo(1);
        provider.acknowledge(second);
        assertThat(provider.stats().inFlight()).isZero();
        assertThat(provider.getJob(second.jobId()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    @DisplayName("a heartbeat after the lease ran out says the lease is lost, and leaves the job to its next delivery")
    void extendingAnExpiredLeaseSaysItIsLost() {
        QueueProvider provider = provider();
        provider.enqueue(job(), Duration.ZERO);
        ReceivedJob first = receiveOne(provider);
        provider.extendLease(first, MemoryProviderFactory.DEFAULT_LEASE_DURATION);
        clock.advance(MemoryProviderFactory.DEFAULT_LEASE_DURATION);

        assertThatThrownBy(() -> provider.extendLease(first, MemoryProviderFactory.DEFAULT_LEASE_DURATION))
                .isInstanceOf(LeaseLostException.class)
                // The queue the job is in (job() enqueues to the default queue), not the builder's 'unit'.
                .hasMessageContaining("job " + first.jobId() + " (attempt 1) on memory queue 'default'");
        ReceivedJob second = receiveOne(provider);
        assertThat(second.jobId()).isEqualTo(first.jobId());
        assertThat(second.attempt()).isEqualTo(2);
    }

    @Test
    @DisplayName("failing a delivery as dead after its lease ended is refused and does not bury the redelivered job")
    void staleDeadFailureIsRefused() {
        QueueProvider provider = provider();
        provider.enqueue(job(), Duration.ZERO);
        ReceivedJob first = receiveOne(provider);
        clock.advance(MemoryProviderFactory.DEFAULT_LEASE_DURATION);

        assertThatThrownBy(() -> provider.fail(first, Failure.dead("too late")))
                .isInstanceOf(LeaseLostException.class)
                .hasMessage("the lease of job " + first.jobId() + " (attempt 1) on memory queue 'default' is no "
                        + "longer held, so it was not dead-lettered: it ran out, or the delivery was settled or "
                        + "released, and the job may be running again");

        assertThat(provider.stats().dead()).isZero();
        ReceivedJob second = receiveOne(provider);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(provider.getJob(second.jobId()).orElseThrow().state()).isEqualTo(JobState.ACTIVE);
    }

    @Test
    @DisplayName("payload size counts UTF-8 bytes, and the rejection names the size, the limit and the setting")
    void payloadLimitCountsUtf8Bytes() {
        QueueProvider provider = provider(MemoryProviderFactory.builder().maxPayloadBytes(10));
        JobEnvelope fits = job("\"éééé\"", JobOptions.defaults());
        JobEnvelope tooBig = job("\"ééééé\"", JobOptions.defaults());

        assertThat(provider.enqueue(fits, Duration.ZERO).duplicate()).isFalse();
        assertThatThrownBy(() -> provider.enqueue(tooBig, Duration.ZERO))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("payload of 12 bytes, over the limit of 10 bytes")
                .hasMessageContaining("maxPayloadBytes");
    }

    @Test
    @DisplayName("the payload limit's refusal names the queue the job was enqueued to, not the builder's default name")
    void payloadLimitNamesTheQueueEnqueuedTo() {
        // Built alone (queueName left "default") and attached as JobQueue.builder().queue("reports", provider).
        QueueProvider provider = MemoryProviderFactory.builder().clock(clock).maxPayloadBytes(10).build();
        providers.add(provider);
        JobEnvelope tooBig = job("\"ééééé\"", new JobOptions(3, Duration.ofSeconds(30), 0, null, "reports"));

        assertThatThrownBy(() -> provider.enqueue(tooBig, Duration.ZERO))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("over the limit of 10 bytes of memory queue 'reports'")
                .hasMessageNotContaining("'default'");
    }

    @Test
    @DisplayName("getJob's queue is the queue the job was enqueued to, as its options say, not the builder's default "
            + "name")
    void getJobNamesTheQueueEnqueuedTo() {
        // Built alone (queueName left "default") and attached as JobQueue.builder().queue("reports", provider).
        QueueProvider provider = MemoryProviderFactory.builder().clock(clock).build();
        providers.add(provider);
        JobEnvelope report = job(new JobOptions(3, Duration.ofSeconds(30), 0, null, "reports"));
        provider.enqueue(report, Duration.ZERO);

        JobInfo info = provider.getJob(report.jobId()).orElseThrow();
        assertThat(info.queue()).as("JobInfo.queue, beside its options' queue").isEqualTo("reports")
                .isEqualTo(info.options().queue());
    }

    @Test
    @DisplayName("the advice jobs.deadLetters(\"…\") of a dropped dead letter is Java that compiles for a queue name "
            + "with a double quote or a backslash")
    void droppedDeadLetterAdviceIsAJavaStringLiteralOfTheQueueName() {
        // A queue's name may hold any character: re"ports\x was advised as jobs.deadLetters("re"ports\x").
        QueueProvider provider = MemoryProviderFactory.builder().clock(clock).maxDeadLetters(1).build();
        providers.add(provider);
        var options = new JobOptions(3, Duration.ofSeconds(30), 0, null, "re\"ports\\x");
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            for (int i = 0; i < 2; i++) {
                provider.enqueue(job(options), Duration.ZERO);
                provider.fail(receiveOne(provider), Failure.dead("error " + i));
            }

            assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                    .endsWith("(jobs.deadLetters(\"re\\\"ports\\\\x\"))"));
        }
    }

    @Test
    @DisplayName("a job's own lines (a dead letter dropped, a lease lost) name the queue it was enqueued to, not the "
            + "builder's default name")
    void perJobLinesNameTheQueueEnqueuedTo() {
        // Built alone (queueName left "default") and attached as JobQueue.builder().queue("reports", provider).
        QueueProvider provider = MemoryProviderFactory.builder().clock(clock).maxDeadLetters(1).build();
        providers.add(provider);
        var reports = new JobOptions(3, Duration.ofSeconds(30), 0, null, "reports");
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            for (int i = 0; i < 2; i++) {
                provider.enqueue(job(reports), Duration.ZERO);
                provider.fail(receiveOne(provider), Failure.dead("error " + i));
            }

            assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                    .contains("memory queue 'reports'", "jobs.deadLetters(\"reports\")").doesNotContain("default"));
        }
        provider.enqueue(job(reports), Duration.ZERO);
        ReceivedJob received = receiveOne(provider);
        provider.acknowledge(received);
        assertThatThrownBy(() -> provider.acknowledge(received)).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("on memory queue 'reports'").hasMessageNotContaining("'default'");
        provider.close();
        assertThatThrownBy(() -> provider.enqueue(job(reports), Duration.ZERO)).isInstanceOf(JobQueueException.class)
                .hasMessageContaining("memory queue 'reports' is closed").hasMessageNotContaining("'default'");
    }

    @Test
    @DisplayName("a lone surrogate in a payload counts as the core counts it: one byte, as String.getBytes(UTF_8) writes "
            + "it ('?')")
    void payloadLimitCountsALoneSurrogateAsTheCoreDoes() {
        QueueProvider provider = provider(MemoryProviderFactory.builder().maxPayloadBytes(10));
        String payload = "\"\uD800\uDC00\uDC00\uDC00\""; // a pair (4 bytes) and two lone low surrogates (1 each)
        JobEnvelope fits = job(payload, JobOptions.defaults());
        JobEnvelope tooBig = job("\"\uD800\uDC00\uD800\uDC00\uDC00\uDC00\"", JobOptions.defaults());

        assertThat(payload.getBytes(StandardCharsets.UTF_8)).as("what the core counts").hasSize(8);
        assertThat(provider.enqueue(fits, Duration.ZERO).duplicate()).isFalse();
        assertThatThrownBy(() -> provider.enqueue(tooBig, Duration.ZERO))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("payload of 12 bytes, over the limit of 10 bytes");
    }

    @Test
    @DisplayName("a deduplication key is free again once its job completed or died")
    void deduplicationKeyIsFreedBySettling() {
        QueueProvider provider = provider();
        JobEnvelope first = job(keyed("k"));
        provider.enqueue(first, Duration.ZERO);
        provider.acknowledge(receiveOne(provider));

        JobEnvelope second = job(keyed("k"));
        EnqueueResult afterCompletion = provider.enqueue(second, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("boom"));
        EnqueueResult afterDeath = provider.enqueue(job(keyed("k")), Duration.ZERO);

        assertThat(afterCompletion).isEqualTo(EnqueueResult.accepted(second.jobId()));
        assertThat(afterDeath.duplicate()).isFalse();
    }

    @Test
    @DisplayName("jobHoldingKey names the job holding a key while it waits, is delayed or runs, and none once it settled")
    void jobHoldingKeyFollowsTheKeysHolder() {
        QueueProvider provider = provider();
        JobEnvelope delayed = job(keyed("later"));
        JobEnvelope waiting = job(keyed("k"));
        provider.enqueue(delayed, Duration.ofHours(1));
        provider.enqueue(waiting, Duration.ZERO);

        assertThat(provider.jobHoldingKey("later")).contains(delayed.jobId());
        assertThat(provider.jobHoldingKey("k")).contains(waiting.jobId());
        ReceivedJob running = receiveOne(provider);
        assertThat(provider.jobHoldingKey("k")).as("while it runs").contains(waiting.jobId());
        provider.acknowledge(running);
        assertThat(provider.jobHoldingKey("k")).isEmpty();
        assertThat(provider.jobHoldingKey("nobody's")).isEmpty();
    }

    @Test
    @DisplayName("the id of a completed job can be enqueued again as a new job")
    void completedIdCanBeEnqueuedAgain() {
        QueueProvider provider = provider();
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ZERO);
        provider.acknowledge(receiveOne(provider));

        EnqueueResult again = provider.enqueue(job, Duration.ZERO);

        assertThat(again).isEqualTo(EnqueueResult.accepted(job.jobId()));
        assertThat(provider.getJob(job.jobId()).orElseThrow().state()).isEqualTo(JobState.WAITING);
    }

    @Test
    @DisplayName("only the newest maxHistorySize completed jobs can be looked up")
    void completedHistoryIsBounded() {
        QueueProvider provider = provider(MemoryProviderFactory.builder().maxHistorySize(2));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobEnvelope job = job();
            provider.enqueue(job, Duration.ZERO);
            provider.acknowledge(receiveOne(provider));
            ids.add(job.jobId());
        }

        assertThat(provider.getJob(ids.get(0))).isEmpty();
        assertThat(provider.getJob(ids.get(1))).map(JobInfo::state).contains(JobState.COMPLETED);
        assertThat(provider.getJob(ids.get(2))).map(JobInfo::state).contains(JobState.COMPLETED);
    }

    @Test
    @DisplayName("closing a queue that still holds jobs warns that they are dropped, with how many of each kind")
    void closingWithUnfinishedJobsWarnsThatTheyAreDropped() {
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            QueueProvider empty = provider();
            empty.enqueue(job(), Duration.ZERO);
            empty.acknowledge(receiveOne(empty));
            empty.close();
            assertThat(appender.list).as("nothing is dropped from a queue whose jobs all finished").isEmpty();

            QueueProvider provider = provider();
            provider.enqueue(job(), Duration.ZERO);
            provider.enqueue(job(), Duration.ZERO);
            provider.enqueue(job(), Duration.ofHours(1));
            receiveOne(provider);
            provider.close();
            provider.close();

            assertThat(appender.list).as("once, at the first close").singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("memory queue 'unit'",
                        "3 unfinished job(s) (1 waiting, 1 delayed, 1 leased)", "dropped", "sqs");
            });
        }
    }

    @Test
    @DisplayName("beyond maxDeadLetters the oldest dead letter is dropped with a warning naming it and the way out")
    void deadLettersAreBoundedWithAWarning() {
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            QueueProvider provider = provider(MemoryProviderFactory.builder().maxDeadLetters(2));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JobEnvelope job = job();
                provider.enqueue(job, Duration.ZERO);
                provider.fail(receiveOne(provider), Failure.dead("error " + i));
                ids.add(job.jobId());
            }

            DeadLetters deadLetters = provider.deadLetters().orElseThrow();
            assertThat(deadLetters.list(10)).extracting(letter -> letter.job().id())
                    .containsExactly(ids.get(2), ids.get(1));
            assertThat(provider.stats().dead()).isEqualTo(2);
            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("at most 2 dead letters", ids.get(0), "error 0",
                        "raise maxDeadLetters", "redrive or delete");
            });
        }
    }

    @Test
    @DisplayName("with maxDeadLetters 0 the WARN names the job that just died as dropped, not 'the oldest'")
    void noDeadLettersKeptWarnsOfTheJobThatDied() {
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            QueueProvider provider = provider(MemoryProviderFactory.builder().maxDeadLetters(0));
            JobEnvelope job = job();
            provider.enqueue(job, Duration.ZERO);
            provider.fail(receiveOne(provider), Failure.dead("boom"));

            assertThat(provider.deadLetters().orElseThrow().list(10)).isEmpty();
            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("keeps no dead letters (maxDeadLetters: 0)",
                        "dropped job " + job.jobId(), "boom", "raise maxDeadLetters").doesNotContain("oldest");
            });
        }
    }

    @Test
    @DisplayName("a job's own lines repeat its type escaped: one with a newline, handed on by the scheduler from before "
            + "enqueue refused it, forged no line")
    void perJobLinesRepeatTheTypeEscaped() {
        // A stored scheduler row keeps such a type (semantics.md, limits) and is handed on to the provider as it is.
        String type = "report:send\n12:00:00.000 INFO forged\u001b[31m";
        String shown = "'report:send\\n12:00:00.000 INFO forged\\u001b[31m'";
        QueueProvider provider = provider(MemoryProviderFactory.builder().maxDeadLetters(0));
        JobEnvelope job = new JobEnvelope(1, "stored-before", type, "{}", JobOptions.defaults(), 0, clock.instant(),
                null, null);
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            provider.enqueue(job, Duration.ZERO);
            provider.fail(receiveOne(provider), Failure.dead("no handler"));

            assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                    .contains("dropped job stored-before of type " + shown).doesNotContain("\n", "\u001b"));
        }
        provider.close();
        assertThatThrownBy(() -> provider.enqueue(job, Duration.ZERO)).isInstanceOf(JobQueueException.class)
                .hasMessageContaining("job stored-before of type " + shown + " was not enqueued")
                .hasMessageNotContaining("\n");
    }

    @Test
    @DisplayName("the dead-letter warnings repeat a job's id escaped: one with a newline, a scheduler row's changed by "
            + "hand and handed on as it is, forged a line of each")
    void deadLetterWarningsRepeatTheIdEscaped() {
        String id = "row-1\n12:00:00.000 INFO forged\u001b[31m";
        String shown = "row-1\\n12:00:00.000 INFO forged\\u001b[31m";
        JobEnvelope job = new JobEnvelope(1, id, "report:send", "{}", JobOptions.defaults(), 0, clock.instant(),
                null, null);
        QueueProvider keepsOne = provider(MemoryProviderFactory.builder().maxDeadLetters(1));
        QueueProvider keepsNone = provider(MemoryProviderFactory.builder().maxDeadLetters(0));
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            keepsOne.enqueue(job, Duration.ZERO);
            keepsOne.fail(receiveOne(keepsOne), Failure.dead("first"));
            keepsOne.enqueue(job, Duration.ZERO);
            keepsOne.fail(receiveOne(keepsOne), Failure.dead("second"));
            keepsOne.enqueue(job(), Duration.ZERO);
            keepsOne.fail(receiveOne(keepsOne), Failure.dead("third"));
            keepsNone.enqueue(job, Duration.ZERO);
            keepsNone.fail(receiveOne(keepsNone), Failure.dead("fourth"));

            assertThat(appender.list).extracting(event -> event.getFormattedMessage()).satisfiesExactly(
                    again -> assertThat(again).contains("job " + shown + " of type 'report:send' was dead-lettered "
                            + "again"),
                    oldest -> assertThat(oldest).contains("dropped the oldest: job " + shown + " of type"),
                    none -> assertThat(none).contains("dropped job " + shown + " of type"))
                    .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\u001b"));
        }
    }

    @Test
    @DisplayName("a lost lease's refusal, which the worker's warning repeats, names the job by its id escaped: one with "
            + "a newline, a scheduler row's changed by hand and handed on as it is, forged a line of that warning")
    void leaseLostRepeatsTheIdEscaped() {
        String id = "row-1\n12:00:00.000 INFO forged\u001b[31m";
        QueueProvider provider = provider();
        provider.enqueue(new JobEnvelope(1, id, "report:send", "{}", JobOptions.defaults(), 0, clock.instant(), null,
                null), Duration.ZERO);
        ReceivedJob first = receiveOne(provider);
        provider.release(first);
        receiveOne(provider);

        assertThatThrownBy(() -> provider.acknowledge(first)).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("the lease of job row-1\\n12:00:00.000 INFO forged\\u001b[31m (attempt 1)")
                .hasMessageNotContaining("\n").hasMessageNotContaining("\u001b");
    }

    @Test
    @DisplayName("the refusals of an enqueue and of a redrive name the job by its id escaped: one with a newline, a "
            + "scheduler row's changed by hand and handed on or redriven as it is, forged a line of what repeats them")
    void refusalsRepeatTheIdEscaped() {
        String id = "row-1\n12:00:00.000 INFO forged\u001b[31m";
        String shown = "job row-1\\n12:00:00.000 INFO forged\\u001b[31m";
        JobEnvelope job = new JobEnvelope(1, id, "report:send", "{\"text\":\"" + "x".repeat(20) + "\"}",
                JobOptions.defaults(), 0, clock.instant(), null, null);
        QueueProvider small = provider(MemoryProviderFactory.builder().maxPayloadBytes(10));
        QueueProvider provider = provider();
        JobEnvelope fits = new JobEnvelope(1, id, "report:send", "{}", JobOptions.defaults(), 0, clock.instant(), null,
                null);
        provider.enqueue(fits, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("boom"));
        DeadLetters deadLetters = provider.deadLetters().orElseThrow();
        provider.close();

        assertThat(List.of(
                catchThrowable(() -> small.enqueue(job, Duration.ZERO)),
                catchThrowable(() -> small.enqueue(fits, Duration.ofSeconds(-1))),
                catchThrowable(() -> provider.enqueue(fits, Duration.ZERO)),
                catchThrowable(() -> deadLetters.redrive(id))))
                .allSatisfy(refusal -> assertThat(refusal.getMessage()).contains(shown)
                        .doesNotContain("\n", "\u001b"));
    }

    @Test
    @DisplayName("a dead letter is kept with when it died and its attempts, counting earlier ones")
    void deadLetterRecordsDeathTimeAndAttempts() {
        QueueProvider provider = provider();
        provider.enqueue(job().withAttempt(1), Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.retryAfter(Duration.ZERO, "first"));
        clock.advance(Duration.ofMinutes(5));
        Instant deathTime = clock.instant();
        provider.fail(receiveOne(provider), Failure.dead("second"));

        var letter = provider.deadLetters().orElseThrow().list(1).get(0);

        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.deadAt()).isEqualTo(deathTime);
        assertThat(letter.error()).isEqualTo("second");
        assertThat(letter.job().state()).isEqualTo(JobState.DEAD);
    }

    @Test
    @DisplayName("redrive refuses while a live job has taken the dead job's id, and keeps the dead letter")
    void redriveRefusesWhileTheIdIsLive() {
        QueueProvider provider = provider();
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("boom"));
        provider.enqueue(job, Duration.ZERO);

        DeadLetters deadLetters = provider.deadLetters().orElseThrow();

        assertThat(deadLetters.redrive(job.jobId())).isFalse();
        assertThat(deadLetters.list(10)).hasSize(1);
    }

    /**
     * The same job id enqueued again after it died (the scheduler hands a job on again after a crash between the
     * hand-off and its commit) and dying again: the dead letters are kept by id, so the newer replaced the older one,
     * its error and time, silently, while the worker had announced two Dead events and an SQS standard queue's DLQ
     * keeps both copies. The newer stays (the job's latest state, which redrive puts back), and a WARN names the
     * older, as a dead letter dropped beyond maxDeadLetters is named.
     */
    @Test
    @DisplayName("a job id dead-lettered again keeps the newer dead letter, with a warning naming the older one's error")
    void aJobIdDeadLetteredAgainReplacesTheOlderWithAWarning() {
        try (var appender = CapturedLog.of(MemoryQueueProvider.class)) {
            QueueProvider provider = provider();
            JobEnvelope job = job();
            provider.enqueue(job, Duration.ZERO);
            provider.fail(receiveOne(provider), Failure.dead("IllegalStateException: first"));
            provider.enqueue(job, Duration.ZERO);
            provider.fail(receiveOne(provider), Failure.dead("IllegalStateException: second"));

            assertThat(provider.deadLetters().orElseThrow().list(10)).singleElement()
                    .satisfies(letter -> assertThat(letter.error()).isEqualTo("IllegalStateException: second"));
            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                // The queue the job is in (job() enqueues to the default queue), not the builder's 'unit'.
                assertThat(event.getFormattedMessage()).contains("memory queue 'default'", job.jobId(),
                        "dead-lettered again", "IllegalStateException: first");
            });
        }
    }

    @Test
    @DisplayName("redrive refuses while a live job holds the dead job's deduplication key: one live job per key")
    void redriveRefusesWhileTheDeduplicationKeyIsLive() {
        QueueProvider provider = provider();
        JobEnvelope dead = job(keyed("invoice-42"));
        provider.enqueue(dead, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("boom"));
        JobEnvelope live = job(keyed("invoice-42"));
        provider.enqueue(live, Duration.ZERO);
        DeadLetters deadLetters = provider.deadLetters().orElseThrow();

        // Before, the redrive put a second live job with the key beside the first; once that one
        // completed, the key was free although the redriven job still waited.
        assertThat(deadLetters.redrive(dead.jobId())).isFalse();
        assertThat(deadLetters.list(10)).extracting(letter -> letter.job().id()).containsExactly(dead.jobId());

        provider.acknowledge(receiveOne(provider));
        assertThat(deadLetters.redrive(dead.jobId())).isTrue();
        assertThat(provider.enqueue(job(keyed("invoice-42")), Duration.ZERO).jobId()).isEqualTo(dead.jobId());
    }

    @Test
    @DisplayName("enqueue after close is refused with the queue's name; settling still works")
    void enqueueAfterCloseIsRefused() {
        QueueProvider provider = provider();
        provider.enqueue(job(), Duration.ZERO);
        ReceivedJob running = receiveOne(provider);

        provider.close();
        provider.acknowledge(running);

        assertThatThrownBy(() -> provider.enqueue(job(), Duration.ZERO))
                .isInstanceOf(JobQueueException.class)
                // The queue the job was enqueued to (job() enqueues to the default queue), not the builder's 'unit'.
                .hasMessageContaining("memory queue 'default' is closed");
        assertThat(provider.stats().inFlight()).isZero();
    }

    /**
     * DeadLetters.redrive: "like an enqueue, throws JobQueueException once the queue's worker has stopped ..., the
     * dead letter staying where it is". JobQueue's wrapper refuses it; the provider's own view answered true and put
     * the job on the closed queue, where no receive takes it: the dead letter was gone and the job never ran.
     */
    @Test
    @DisplayName("redrive after close is refused as enqueue is, and the dead letter stays")
    void redriveAfterCloseIsRefused() {
        QueueProvider provider = provider();
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("IllegalStateException: boom"));
        DeadLetters deadLetters = provider.deadLetters().orElseThrow();

        provider.close();

        assertThatThrownBy(() -> deadLetters.redrive(job.jobId()))
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("memory queue 'unit' is closed")
                .hasMessageContaining(job.jobId());
        assertThat(deadLetters.list(10)).extracting(letter -> letter.job().id()).containsExactly(job.jobId());
    }

    /**
     * A queue name may hold a U+202E (enqueue takes it, as it takes one in a job type): the provider's own refusals
     * named it raw, and it reversed the rest of the message in a terminal.
     */
    @Test
    @DisplayName("the provider's own refusals name a queue with a U+202E escaped")
    void ownRefusalsNameTheQueueEscaped() {
        QueueProvider provider = MemoryProviderFactory.builder().queueName("bills\u202Efdp.exe").clock(clock).build();
        providers.add(provider);
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("IllegalStateException: boom"));
        DeadLetters deadLetters = provider.deadLetters().orElseThrow();

        assertThatThrownBy(() -> deadLetters.list(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dead letters of queue 'bills\\u202efdp.exe': list(limit): limit must be ≥ 0, got -1; "
                        + "pass how many of the newest to list (0 gives none)");
        provider.close();
        assertThatThrownBy(() -> deadLetters.redrive(job.jobId())).isInstanceOf(JobQueueException.class)
                .hasMessage("memory queue 'bills\\u202efdp.exe' is closed; the dead letter of job " + job.jobId()
                        + " was not redriven and stays in its dead letters");
        assertThat(provider).hasToString("MemoryQueueProvider[queue=bills\\u202efdp.exe]");
    }

    @Test
    @DisplayName("a negative delay is rejected with the job id")
    void negativeDelayIsRejected() {
        QueueProvider provider = provider();
        JobEnvelope job = job();

        assertThatThrownBy(() -> provider.enqueue(job, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delay must be ≥ 0")
                .hasMessageContaining(job.jobId());
    }

    /**
     * A job id dead-lettered and then enqueued again (the scheduler hands a job on a second time under the same id
     * after a crash, or a schedule(...) with an explicit id is retried) that then completed: getJob said DEAD, from the
     * older run's dead letter, about a job whose latest run had succeeded. It looked in the dead letters before the
     * completed jobs whichever came last.
     */
    @Test
    @DisplayName("getJob of an id that died and then, enqueued again, completed says COMPLETED")
    void getJobAnswersTheLatestRunOfAnId() {
        QueueProvider provider = provider();
        JobEnvelope job = job();
        provider.enqueue(job, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("IllegalStateException: boom"));

        provider.enqueue(job, Duration.ZERO);
        provider.acknowledge(receiveOne(provider));

        assertThat(provider.getJob(job.jobId()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(provider.deadLetters().orElseThrow().list(10)).extracting(letter -> letter.job().id())
                .containsExactly(job.jobId());

        provider.enqueue(job, Duration.ZERO);
        provider.fail(receiveOne(provider), Failure.dead("IllegalStateException: again"));
        assertThat(provider.getJob(job.jobId()).orElseThrow().state()).isEqualTo(JobState.DEAD);
    }

    /**
     * JobQueue.stats: after close() the memory provider answers "what it held when it closed". Its stats and getJob
     * went on moving the closed queue's jobs as its clock passed their times: a job delayed at close was counted
     * waiting once its delay was over, and a job leased at close waiting with a lease-expired error, though no receive
     * takes either any more.
     */
    @Test
    @DisplayName("after close, stats and getJob answer what the queue held when it closed, however late")
    void statsAfterCloseStayWhatTheQueueHeld() {
        QueueProvider provider = provider();
        JobEnvelope delayed = job();
        provider.enqueue(delayed, Duration.ofMinutes(1));
        JobEnvelope leased = job();
        provider.enqueue(leased, Duration.ZERO);
        receiveOne(provider);
        ProviderStats atClose = provider.stats();

        provider.close();
        clock.advance(Duration.ofHours(1));

        assertThat(provider.stats()).isEqualTo(atClose);
        assertThat(atClose.delayed()).isEqualTo(1);
        assertThat(atClose.inFlight()).isEqualTo(1);
        assertThat(provider.getJob(delayed.jobId()).orElseThrow().state()).isEqualTo(JobState.DELAYED);
        JobInfo running = provider.getJob(leased.jobId()).orElseThrow();
        assertThat(running.state()).isEqualTo(JobState.ACTIVE);
        assertThat(running.lastError()).isNull();
    }
}
