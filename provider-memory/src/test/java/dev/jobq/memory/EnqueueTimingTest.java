package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import dev.jobq.testing.SettableClock;
import java.time.InstantSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JobQueue.enqueue: when a job runs")
class EnqueueTimingTest {

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    @Test
    @DisplayName("a delay past the last instant Java represents is refused with the delay and the way out (not at(...), which refuses it too), nothing enqueued")
    void aDelayPastTheLastInstantIsRefused() {
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var endless = EnqueueOptions.delay(Duration.ofSeconds(Long.MAX_VALUE));

        assertThatThrownBy(() -> jobs.enqueue("report:send", "x", endless))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a delay of ")
                .hasMessageContaining("is past the last instant Java can represent")
                .hasMessageContaining("9999-12-31T23:59:59.999999999Z, the last instant a job can be due")
                .hasMessageContaining("give a shorter delay")
                .hasMessageNotContaining("EnqueueOptions.at("); // at(...) refuses an instant that late too
        assertThatThrownBy(() -> jobs.enqueueAll("report:send", List.of("x", "y"), endless))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is past the last instant Java can represent");
        assertThat(jobs.stats("default").waiting()).isZero();
        assertThat(jobs.stats("default").delayed()).isZero();
    }

    /**
     * A job for an instant that a provider of 15-minute delays cannot hold, with no scheduler: the refusal named a
     * delay the caller never gave, computed at the call ("a delay of 59m52s633ms is beyond …"), and not the instant.
     */
    @Test
    @DisplayName("a job for an instant further off than the provider holds, with no scheduler, is refused naming the instant")
    void anInstantBeyondWhatTheProviderHoldsWithNoSchedulerIsRefusedNamingTheInstant() {
        var clock = SettableClock.atEpochOf2026();
        QueueProvider fifteenMinutes = holdingFifteenMinutes(clock);
        try (JobQueue jobs = JobQueue.builder().provider(fifteenMinutes).clock(clock).build()) {
            Instant at = Instant.parse("2026-01-01T01:00:00Z");

            assertThatThrownBy(() -> jobs.enqueue("report:send", "x", EnqueueOptions.at(at)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("a job for 2026-01-01T01:00:00Z (1h from now) is beyond what provider '")
                    .hasMessageContaining("of queue 'default' can hold (at most 15m); enable the scheduler");
            assertThatThrownBy(() -> jobs.enqueueAll("report:send", List.of("x", "y"), EnqueueOptions.at(at)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("a job for 2026-01-01T01:00:00Z (1h from now) is beyond what provider '")
                    .hasMessageEndingWith("; none of the 2 jobs was enqueued");
            assertThatThrownBy(() -> jobs.enqueue("report:send", "x", EnqueueOptions.delay(Duration.ofHours(1))))
                    .hasMessageStartingWith("a delay of 1h is beyond what provider '");
            assertThat(jobs.stats("default").delayed()).isZero();
        }
    }

    @Test
    @DisplayName("a delay past what the provider holds by less than a millisecond, with no scheduler, is shown as "
            + "given, in ISO-8601, not cut to the maximum it is refused as beyond")
    void aDelayPastWhatTheProviderHoldsByLessThanAMillisecondIsNotShownAsItsMaximum() {
        // PT15M0.0005S was refused as "a delay of 15m is beyond what provider … can hold (at most 15m)"
        var clock = SettableClock.atEpochOf2026();
        QueueProvider fifteenMinutes = holdingFifteenMinutes(clock);
        try (JobQueue jobs = JobQueue.builder().provider(fifteenMinutes).clock(clock).build()) {
            Duration justPast = Duration.ofMinutes(15).plusNanos(500_000);

            assertThatThrownBy(() -> jobs.enqueue("report:send", "x", EnqueueOptions.delay(justPast)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("a delay of PT15M0.0005S is beyond what provider '")
                    .hasMessageContaining("of queue 'default' can hold (at most 15m); enable the scheduler");
            assertThat(jobs.stats("default").delayed()).isZero();
        }
    }

    @Test
    @DisplayName("a job for an instant past what the provider holds by less than a millisecond, with no scheduler, "
            + "says how far off it is exactly, not as the maximum it is refused as beyond")
    void anInstantPastWhatTheProviderHoldsByLessThanAMillisecondIsNotShownAsItsMaximumFromNow() {
        // It was refused as "a job for 2026-01-01T00:15:00.000500Z (15m from now) is beyond … (at most 15m)"
        var clock = SettableClock.atEpochOf2026();
        QueueProvider fifteenMinutes = holdingFifteenMinutes(clock);
        try (JobQueue jobs = JobQueue.builder().provider(fifteenMinutes).clock(clock).build()) {
            Instant justPast = clock.instant().plus(Duration.ofMinutes(15).plusNanos(500_000));

            assertThatThrownBy(() -> jobs.enqueue("report:send", "x", EnqueueOptions.at(justPast)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("a job for " + justPast + " (PT15M0.0005S from now) is beyond what "
                            + "provider '")
                    .hasMessageContaining("of queue 'default' can hold (at most 15m); enable the scheduler");
            assertThat(jobs.stats("default").delayed()).isZero();
        }
    }

    /** A memory provider on {@code clock} that says it holds delays of at most 15 minutes, as SQS does. */
    private static QueueProvider holdingFifteenMinutes(InstantSource clock) {
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), clock));
        return new ForwardingQueueProvider(memory) {
            @Override
            public Capabilities capabilities() {
                Capabilities real = delegate().capabilities();
                return new Capabilities(Duration.ofMinutes(15), real.maxPayloadBytes(), real.features(),
                        real.receiveBatch());
            }
        };
    }
}
