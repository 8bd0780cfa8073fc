package dev.jobq.bench.scheduler;

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

    /** The {@code percentile} (0: the least, 100: the most) of {@code nanos}, in milliseconds; nearest rank. */
    static double millis(List<Long> nanos, double percentile) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))) / 1e6;
    }
}
