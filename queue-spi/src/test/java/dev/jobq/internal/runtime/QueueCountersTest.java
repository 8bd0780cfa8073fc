package dev.jobq.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §7: "Stats per queue: … throughput, success rate, average and peak." Success rate and peak are
 * checked through the worker (JobQueueJavadocClaimsTest); these are the counts behind throughput and average.
 */
class QueueCountersTest {

    @Test
    void averageDurationIsTheMeanHandlerTimeOfCompletedAttemptsOnly() {
        var counters = new QueueCounters();
        assertThat(counters.averageDuration()).as("nothing completed").isEqualTo(Duration.ZERO);

        counters.completed(Duration.ofSeconds(1).toNanos());
        counters.completed(Duration.ofSeconds(2).toNanos());
        counters.failed();
        counters.completed(Duration.ofSeconds(6).toNanos());

        assertThat(counters.averageDuration()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void averageDurationStaysTheMeanWhenTheHandlersTimeAddsUpPastWhatALongOfNanosecondsHolds() {
        // 292 years of handler time in all: concurrency 1000 of jobs that run all the time reach it in 107 days.
        var counters = new QueueCounters();
        long oneHour = Duration.ofHours(1).toNanos();
        long jobs = Long.MAX_VALUE / oneHour + 10;
        for (long i = 0; i < 4; i++) {
            counters.completed(oneHour * (jobs / 4));
        }
        // Before, the sum of nanoseconds wrapped around: the average was negative.
        // Summed as a double: within a microsecond of the mean at 73 years per job.
        assertThat(counters.averageDuration()).isCloseTo(Duration.ofHours(jobs / 4), Duration.ofNanos(1_000));
    }

    @Test
    void throughputIsTheCompletionsPerSecondSinceStartWithinTheLastMinute() {
        long before = System.nanoTime();
        var counters = new QueueCounters();
        assertThat(counters.throughputPerSecond()).as("nothing completed").isZero();
        for (int i = 0; i < 6; i++) {
            counters.completed(1);
        }
        counters.failed();
        counters.dead();

        double throughput = counters.throughputPerSecond();
        long wholeSecondsAtMost = (System.nanoTime() - before) / 1_000_000_000L;

        // six completions over a window of one second (the least it divides by) up to the seconds this test took
        assertThat(throughput).isLessThanOrEqualTo(6.0)
                .isGreaterThanOrEqualTo(6.0 / Math.min(60, wholeSecondsAtMost + 1));
    }

    @Test
    void peakIsTheMostActiveAtOnce() {
        var counters = new QueueCounters();
        counters.started();
        counters.started();
        counters.finished();
        counters.started();
        counters.finished();
        counters.finished();

        assertThat(counters.activeCount()).isZero();
        assertThat(counters.peakActiveCount()).isEqualTo(2);
    }

    @Test
    void throughputOnAnInjectedClockCountsTheLastMinuteOnly() {
        var nanos = new AtomicLong(5_000_000_000L); // the clock's origin is arbitrary, as System.nanoTime()'s
        var counters = new QueueCounters(nanos::get);
        counters.completed(1);
        counters.completed(1);
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        counters.completed(1);

        assertThat(counters.throughputPerSecond()).as("3 completions in the first 31 s").isEqualTo(3.0 / 31);

        nanos.addAndGet(Duration.ofSeconds(40).toNanos());
        assertThat(counters.throughputPerSecond()).as("the first second's 2 have left the minute")
                .isEqualTo(1.0 / 60);
    }

    @Test
    void completionsAtTheStartOfANewSecondFromTwoThreadsAreAllCounted() throws Exception {
        // Two threads complete a job at once as each second begins: the one that finds the second's slot stale
        // resets it, and before, the other's increment between the reset's two writes was lost.
        for (int round = 0; round < 3000; round++) {
            var nanos = new AtomicLong();
            var counters = new QueueCounters(nanos::get);
            var second = new AtomicLong(-1);
            var together = new CyclicBarrier(2, () -> nanos.set(Duration.ofSeconds(second.incrementAndGet()).toNanos()));
            Runnable completeEachSecond = () -> {
                try {
                    for (int s = 0; s < 60; s++) {
                        together.await(10, TimeUnit.SECONDS);
                        counters.completed(1);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Thread other = Thread.ofPlatform().start(completeEachSecond);
            completeEachSecond.run();
            other.join(Duration.ofSeconds(20));

            assertThat(counters.completedCount()).isEqualTo(120);
            assertThat(counters.throughputPerSecond()).as("two completions in each of 60 seconds (round %d)", round)
                    .isEqualTo(2.0);
        }
    }
}
