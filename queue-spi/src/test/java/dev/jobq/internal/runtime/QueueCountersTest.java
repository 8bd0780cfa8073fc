package dev.jobq.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
