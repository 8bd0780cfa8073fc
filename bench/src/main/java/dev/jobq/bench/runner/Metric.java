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
 * @param ratioShown whether the table prints the figure's ratio to its ceiling: not where the
 *                ceiling is next to nothing (the executor allocates no bytes per task), nor where
 *                both are near zero and their quotient is noise (B7's least lateness beside the
 *                timer's); a target on the ratio needs it shown, a target on the figure does not
 */
public record Metric(String key, String label, Unit unit, String ceiling, Target target, boolean ratioShown) {

    public Metric {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(ceiling, "ceiling");
        Objects.requireNonNull(target, "target");
        if (!ratioShown && target instanceof Target.RatioAtLeast) {
            throw new IllegalArgumentException("metric " + key + " has a target on its ratio to its ceiling, "
                    + "so its ratio must be shown");
        }
    }

    public Metric(String key, String label, Unit unit, String ceiling, Target target) {
        this(key, label, unit, ceiling, target, true);
    }

    /** A figure shown beside its ceiling but with no ratio to it, and no target. */
    public static Metric withoutRatio(String key, String label, Unit unit, String ceiling) {
        return withoutRatio(key, label, unit, ceiling, Target.none());
    }

    /** A figure shown beside its ceiling but with no ratio to it, judged by a target on the figure itself. */
    public static Metric withoutRatio(String key, String label, Unit unit, String ceiling, Target target) {
        return new Metric(key, label, unit, ceiling, target, false);
    }
}
