package dev.jobq.bench.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Runs workloads one after the other, each {@code runs} times (or as many as the workload asks for
 * at this scale) in a fresh JVM, shows progress, and summarises every metric over its runs.
 */
public final class BenchRunner {

    private final List<Workload> workloads;
    private final Scale scale;
    private final @Nullable Integer runs;
    private final List<String> extraJvmOptions;
    private final ForkLauncher launcher;
    private final ProgressLine progress;

    public BenchRunner(List<Workload> workloads, Scale scale, @Nullable Integer runs, List<String> extraJvmOptions,
                       String forkMainClass, PrintStream out, boolean terminal) {
        if (runs != null && runs < 1) {
            throw new IllegalArgumentException("runs must be ≥ 1, got " + runs);
        }
        this.workloads = List.copyOf(workloads);
        this.scale = scale;
        this.runs = runs;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
        this.launcher = new ForkLauncher(forkMainClass, extraJvmOptions);
        this.progress = new ProgressLine(out, terminal);
    }

    public Report run() throws InterruptedException {
        MachineInfo before = MachineInfo.now();
        long start = System.nanoTime();
        List<MetricSummary> summaries = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Workload workload : workloads) {
            Map<String, List<Sample>> samples = new LinkedHashMap<>();
            try {
                int count = runs != null ? runs : workload.runs(scale);
                for (int run = 1; run <= count; run++) {
                    String context = workload.id() + " " + workload.title() + " · run " + run + "/" + count;
                    Map<String, Sample> results = launcher.run(workload, scale, run, p -> progress.show(context, p));
                    results.forEach((key, sample) -> samples.computeIfAbsent(key, k -> new ArrayList<>()).add(sample));
                    progress.note(context + " · " + describe(workload, results));
                }
                for (Metric metric : workload.metrics()) {
                    summaries.add(MetricSummary.of(workload.id(), metric, samples.get(metric.key())));
                }
            } catch (IOException e) {
                failures.add(workload.id() + " " + workload.title() + ": " + e.getMessage());
                progress.note(workload.id() + " FAILED: " + e.getMessage());
            }
        }
        return new Report(scale, extraJvmOptions, before, MachineInfo.now(),
                Duration.ofNanos(System.nanoTime() - start), workloads, summaries, failures);
    }

    /**
     * What a finished run's line says: each metric's figure, its ceiling and their ratio, the ratio
     * written as the table writes it.
     */
    static String describe(Workload workload, Map<String, Sample> results) {
        List<String> parts = new ArrayList<>();
        for (Metric metric : workload.metrics()) {
            Sample s = results.get(metric.key());
            String ratio = metric.ratioShown() ? ", " + ResultTable.percent(s.ratio()) : "";
            parts.add(String.format(Locale.ROOT, "%s %s %s (ceiling %s%s)", metric.key(),
                    metric.unit().format(s.value()), metric.unit().symbol(), metric.unit().format(s.ceiling()), ratio));
        }
        return String.join(" · ", parts);
    }
}
