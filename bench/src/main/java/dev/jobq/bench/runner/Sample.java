package dev.jobq.bench.runner;

/** One run's figure and its ceiling, both measured in the same JVM. */
public record Sample(double value, double ceiling) {

    /** The figure as a fraction of its ceiling. */
    double ratio() {
        return value / ceiling;
    }
}
