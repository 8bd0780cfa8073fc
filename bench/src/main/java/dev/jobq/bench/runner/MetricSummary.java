package dev.jobq.bench.runner;

import java.util.List;

/**
 * A metric over all its runs: the spread of the figure, of the ceiling, and of their ratio taken
 * run by run (so a slow run's figure is compared with that same run's ceiling).
 */
public record MetricSummary(String workload, Metric metric, List<Sample> samples, Spread value, Spread ceiling,
                            Spread ratio) {

    /**
     * The fewest runs a target is judged on by their median (docs/benchmarks.md, Method): fewer, as
     * {@code --quick}'s one, are too noisy to judge by, and the table says "not judged".
     */
    public static final int RUNS_TO_JUDGE = 3;

    static MetricSummary of(String workload, Metric metric, List<Sample> samples) {
        return new MetricSummary(workload, metric, List.copyOf(samples),
                Spread.of(samples.stream().map(Sample::value).toList()),
                Spread.of(samples.stream().map(Sample::ceiling).toList()),
                Spread.of(samples.stream().map(Sample::ratio).toList()));
    }

    boolean targetMet() {
        return metric.target().met(this);
    }

    /**
     * Whether these runs are enough to judge the target by: {@link #RUNS_TO_JUDGE} of them, or any
     * number for a target every run must meet (a single early job in B7 is a miss however few ran).
     */
    boolean judgeable() {
        return samples.size() >= RUNS_TO_JUDGE || metric.target() instanceof Target.MinimumAtLeast;
    }

    boolean hasTarget() {
        return !(metric.target() instanceof Target.None);
    }
}
