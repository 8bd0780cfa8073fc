package dev.jobq.bench.runner;

import java.time.Duration;
import java.util.List;

/**
 * Everything one benchmark invocation measured.
 *
 * @param failures workloads that did not finish, with why; their metrics are missing from summaries
 */
public record Report(Scale scale, List<String> jvmOptions, MachineInfo before, MachineInfo after,
                     Duration elapsed, List<Workload> workloads, List<MetricSummary> summaries,
                     List<String> failures) {

    public boolean allRan() {
        return failures.isEmpty();
    }
}
