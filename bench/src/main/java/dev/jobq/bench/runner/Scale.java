package dev.jobq.bench.runner;

/**
 * How long a benchmark run takes. Each workload picks its own sizes for each scale; {@link #runs()}
 * is how many fresh JVMs each workload is measured in (the table shows their median, min and max).
 */
public enum Scale {
    /** A smoke run, all workloads in under two minutes: smaller counts, shorter windows, one run each. */
    QUICK(1),
    /** The figures for the docs, the sizes the issue names (1,000,000 jobs, 5,000 jobs/s). */
    FULL(5);

    private final int runs;

    Scale(int runs) {
        this.runs = runs;
    }

    public int runs() {
        return runs;
    }

    /** {@code quick} when this is {@link #QUICK}, else {@code full}. */
    public <T> T pick(T quick, T full) {
        return this == QUICK ? quick : full;
    }

    public int pick(int quick, int full) {
        return this == QUICK ? quick : full;
    }
}
