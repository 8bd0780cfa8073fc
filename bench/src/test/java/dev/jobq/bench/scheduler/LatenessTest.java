package dev.jobq.bench.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatenessTest {

    /**
     * Nearest rank: the p-th percentile of n values is the ⌈p·n/100⌉-th smallest. 99.9 % of 1,000 is 999
     * exactly, but in doubles 99.9 / 100 · 1000 is 999.0000000000001, whose ceiling made the max (the
     * 1,000th) pass for the p99.9; likewise for 98 other counts up to 100,000.
     */
    @Test
    void aPercentileIsTheValueAtItsNearestRankWhereTheRankIsWhole() {
        List<Long> thousand = LongStream.rangeClosed(1, 1_000).map(ms -> ms * 1_000_000).boxed().toList();
        List<Long> twoThousand = LongStream.rangeClosed(1, 2_000).map(ms -> ms * 1_000_000).boxed().toList();

        assertThat(Lateness.millis(thousand, 99.9)).as("p99.9 of 1,000").isEqualTo(999.0);
        assertThat(Lateness.millis(twoThousand, 99.9)).as("p99.9 of 2,000").isEqualTo(1_998.0);
        assertThat(Lateness.millis(thousand, 99)).as("p99 of 1,000").isEqualTo(990.0);
        assertThat(Lateness.millis(thousand, 50)).as("p50 of 1,000").isEqualTo(500.0);
        assertThat(Lateness.millis(thousand, 100)).as("max of 1,000").isEqualTo(1_000.0);
        assertThat(Lateness.millis(thousand, 0)).as("min of 1,000").isEqualTo(1.0);
    }

    /** Where the rank falls between two values, the higher one: 99 % of 50 values is the 49.5th, so the 50th. */
    @Test
    void aRankBetweenTwoValuesTakesTheHigher() {
        List<Long> fifty = LongStream.rangeClosed(1, 50).map(ms -> ms * 1_000_000).boxed().toList();

        assertThat(Lateness.millis(fifty, 99)).isEqualTo(50.0);
        assertThat(Lateness.millis(fifty, 50)).isEqualTo(25.0);
    }
}
