package dev.jobq.bench.runner;

import java.util.Objects;

/**
 * One figure a workload reports in every run, next to its ceiling measured in the same JVM.
 *
 * @param key     unique within the workload; what {@link Probe#record} names
 * @param label   what the table calls it ("drain, concurrency 5")
 * @param unit    the unit of the figure and of its ceiling
 * @param ceiling what the ceiling is, for the notes under the table
 * @param target  what the figure must reach, or {@link Target#none()}
 */
public record Metric(String key, String label, Unit unit, String ceiling, Target target) {

    public Metric {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(ceiling, "ceiling");
        Objects.requireNonNull(target, "target");
    }
}
