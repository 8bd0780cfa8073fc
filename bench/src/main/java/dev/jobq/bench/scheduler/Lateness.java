package dev.jobq.bench.scheduler;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Wall-clock instants as nanoseconds since the epoch, to compare a due instant with the moment
 * something happened at nanosecond resolution (as {@code Instant.now()} reads the clock), and the
 * percentiles of a set of differences.
 */
final class Lateness {

    private Lateness() {
    }

    /** Now, in nanoseconds since the epoch. */
    static long now() {
        return nanos(Instant.now());
    }

    static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    /**
     * The {@code percentile} (0: the least, 100: the most) of {@code nanos}, in milliseconds; nearest
     * rank, ⌈percentile · n / 100⌉, taken in decimal: in doubles 99.9 / 100 · 1000 is a hair above 999,
     * and its ceiling the max.
     */
    static double millis(List<Long> nanos, double percentile) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int rank = BigDecimal.valueOf(percentile).multiply(BigDecimal.valueOf(sorted.size()))
                .divide(BigDecimal.valueOf(100)).setScale(0, RoundingMode.CEILING).intValueExact();
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))) / 1e6;
    }
}
