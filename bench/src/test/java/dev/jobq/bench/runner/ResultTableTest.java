package dev.jobq.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.bench.memory.MemoryDrain;
import dev.jobq.bench.scheduler.FiringPrecision;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {

    /**
     * B7's least lateness is judged on its own (≥ 0 in every run). The timer's least lateness beside it
     * is a hair above zero, or below it when the timer fires early, so the quotient of the two is noise:
     * full runs printed "116.2 % (109.7 %–1708 %)" for it, and a timer early by 2 µs gives a negative
     * percentage. The row must show the figures, the target and its result, and no ratio.
     */
    @Test
    void b7sLeastLatenessIsJudgedWithoutARatioToTheTimersLeast() {
        var workload = new FiringPrecision();
        Metric min = workload.metrics().stream().filter(m -> m.key().equals("min")).findFirst().orElseThrow();
        var summary = MetricSummary.of("B7", min,
                List.of(new Sample(0.129, -0.002), new Sample(0.168, 0.0001), new Sample(0.171, 0.088)));

        List<String> row = markdownRow(new ResultTable(report(workload, summary)).markdown(), min.label());

        assertThat(row.get(7)).as("the ratio column of " + row).isEqualTo("—");
        assertThat(row.get(8)).as("the target column of " + row).isEqualTo("min ≥ 0.000 ms (every run)");
        assertThat(row.get(9)).as("the result column of " + row).isEqualTo("pass");
    }

    /**
     * A target is judged on the median of at least three runs (docs/benchmarks.md, Method); --quick runs
     * each workload once, "too noisy to judge a target by". Its table must not print a verdict on that one
     * run ("MISS" for a B1 whose ceiling ran fast that once, "pass" for a B6 whose ceiling ran slow) as if
     * it were the full run's; the figures and the ratio stay.
     */
    @Test
    void aTargetOnTheMedianIsNotJudgedOnFewerThanThreeRuns() {
        var workload = new MemoryDrain();
        Metric drain = workload.metrics().stream().filter(m -> m.key().equals("drain")).findFirst().orElseThrow();
        var summary = MetricSummary.of("B1", drain, List.of(new Sample(700_000, 3_200_000)));

        String markdown = new ResultTable(report(Scale.QUICK, workload, summary)).markdown();
        List<String> row = markdownRow(markdown, drain.label());

        assertThat(row.get(7)).as("the ratio column of " + row).isEqualTo("21.9 % (21.9 %–21.9 %)");
        assertThat(row.get(9)).as("the result column of " + row).isEqualTo("not judged: 1 run");
    }

    /** "Never early" is judged on every run, and an early job in a single run is a miss all the same. */
    @Test
    void aTargetOnEveryRunIsJudgedOnASingleRun() {
        var workload = new FiringPrecision();
        Metric min = workload.metrics().stream().filter(m -> m.key().equals("min")).findFirst().orElseThrow();
        var summary = MetricSummary.of("B7", min, List.of(new Sample(-0.004, 0.088)));

        List<String> row = markdownRow(new ResultTable(report(Scale.QUICK, workload, summary)).markdown(),
                min.label());

        assertThat(row.get(9)).as("the result column of " + row).isEqualTo("MISS");
    }

    private static Report report(Workload workload, MetricSummary summary) {
        return report(Scale.FULL, workload, summary);
    }

    private static Report report(Scale scale, Workload workload, MetricSummary summary) {
        MachineInfo machine = MachineInfo.now();
        return new Report(scale, List.of(), machine, machine, Duration.ofMinutes(1), List.of(workload),
                List.of(summary), List.of());
    }

    /** The cells of the Markdown table's row whose metric is {@code label}. */
    private static List<String> markdownRow(String markdown, String label) {
        String line = markdown.lines().filter(l -> l.startsWith("| ") && l.contains("| " + label + " |"))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + label + " in\n" + markdown));
        return List.of(line.substring(2, line.length() - 2).split(" \\| ", -1));
    }
}
