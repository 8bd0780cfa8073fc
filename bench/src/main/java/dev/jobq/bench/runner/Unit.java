package dev.jobq.bench.runner;

import java.util.Locale;

/** The unit of a metric, how its figures are written, and which way is better. */
public enum Unit {
    JOBS_PER_SECOND("jobs/s", true) {
        @Override
        String format(double value) {
            // a peer's poll-bound rate can be a few jobs a second (docs/benchmarks.md, Peers)
            return String.format(Locale.ROOT, value < 100 ? "%.1f" : "%,.0f", value);
        }
    },
    MICROSECONDS("µs", false) {
        @Override
        String format(double value) {
            return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
        }
    },
    MILLISECONDS("ms", false) {
        @Override
        String format(double value) {
            return String.format(Locale.ROOT, value < 10 ? "%.3f" : "%.1f", value);
        }
    },
    BYTES_PER_JOB("B/job", false) {
        @Override
        String format(double value) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
    };

    private final String symbol;
    private final boolean higherIsBetter;

    Unit(String symbol, boolean higherIsBetter) {
        this.symbol = symbol;
        this.higherIsBetter = higherIsBetter;
    }

    abstract String format(double value);

    String symbol() {
        return symbol;
    }

    boolean higherIsBetter() {
        return higherIsBetter;
    }
}
