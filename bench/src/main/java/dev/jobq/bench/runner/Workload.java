package dev.jobq.bench.runner;

import java.util.List;

/**
 * One benchmark (B1, B2, ...): what it reports, and how to measure it once. The runner calls
 * {@link #run} in a fresh JVM per run, so a workload may fill the heap and leave threads behind.
 *
 * <p>To add a workload: implement this interface and list the class in {@code dev.jobq.bench.Workloads}.
 */
public interface Workload {

    /** Options of every fork unless a workload says otherwise: a fixed heap, so its resizing adds no noise. */
    List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms3g", "-Xmx3g", "-XX:+UseG1GC");

    /** "B1". */
    String id();

    /** "memory drain". */
    String title();

    /** Every metric {@link #run} records, in table order. */
    List<Metric> metrics();

    /**
     * Measures once, in this JVM: warms up, then measures the ceiling and jobq (with
     * {@link Probe#sideBySide}) and records every metric of {@link #metrics()}.
     */
    void run(Scale scale, Probe probe) throws Exception;

    /** How many runs (fresh JVMs) this workload gets at {@code scale} unless {@code --runs} says otherwise. */
    default int runs(Scale scale) {
        return scale.runs();
    }

    /** Options for the JVM each run forks. */
    default List<String> jvmOptions() {
        return DEFAULT_JVM_OPTIONS;
    }
}
