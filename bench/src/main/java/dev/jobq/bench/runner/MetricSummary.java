package dev.jobq.bench.runner;

import java.util.List;

/**
 * A metric over all its runs: the spread of the figure, of the ceiling, and of their ratio taken
 * run by run (so a slow run's figure is compared with that same run's ceiling).
 */
public record MetricSummary(String workload, Metric metric, List<Sample> samples, Spread value, Spread ceiling,
                            Spread ratio) {

    static MetricSummary of(String workload, Metric metric, List<Sample> samples) {
        return new MetricSummary(workload, metric, List.copyOf(samples),
                Spread.of(samples.stream().map(Sample::value).toList()),
                Spread.of(samples.stream().map(Sample::ceiling).toList()),
                Spread.of(samples.stream().map(Sample::ratio).toList()));
    }

    boolean targetMet() {
        return metric.target().met(this);
    }

    boolean hasTarget() {
        return !(metric.target() instanceof Target.None);
    }
}
