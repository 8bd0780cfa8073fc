package dev.jobq.bench;

import dev.jobq.bench.runner.BenchRunner;
import dev.jobq.bench.runner.MetricSummary;
import dev.jobq.bench.runner.Report;
import dev.jobq.bench.runner.ResultTable;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar jobq-bench.jar [--quick]}: runs the workloads, each in fresh JVMs, prints a
 * progress line and then the table, and writes the table as Markdown (docs/benchmarks.md).
 * Exits 1 when a workload failed to run; a missed target is reported, not an error.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        if (options.runs() != null && options.runs() < MetricSummary.RUNS_TO_JUDGE) {
            System.out.println("note: --runs " + options.runs() + " gives no meaningful median, so the table judges "
                    + "no target on a median; the docs use " + MetricSummary.RUNS_TO_JUDGE + " or more");
        }
        System.out.printf("jobq benchmarks, %s mode: %s; each run in a fresh JVM%n",
                options.scale().name().toLowerCase(java.util.Locale.ROOT),
                String.join(", ", options.workloads().stream().map(w -> w.id() + " " + w.title() + " ×"
                        + (options.runs() != null ? options.runs() : w.runs(options.scale()))).toList()));
        var runner = new BenchRunner(options.workloads(), options.scale(), options.runs(), options.jvmOptions(),
                ForkMain.class.getName(), System.out, stdoutIsTerminal());
        Report report = runner.run();
        var table = new ResultTable(report);
        System.out.println();
        System.out.print(table.text());
        Path out = options.out() != null ? options.out() : besideJar();
        Files.writeString(out, table.markdown());
        System.out.println();
        System.out.println("load average before: " + report.before().load() + "; after: " + report.after().load());
        System.out.println("Markdown table written to " + out.toAbsolutePath().normalize());
        if (!report.allRan()) {
            System.exit(1);
        }
    }

    private static Path besideJar() {
        String name = "jobq-bench-results.md";
        try {
            Path code = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(code) ? code.resolveSibling(name) : Path.of(name);
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of(name);
        }
    }

    private static boolean stdoutIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        // From JDK 22 System.console() is non-null even when redirected; Console.isTerminal() (22+)
        // tells the truth. We compile for 21, hence reflection; on 21 non-null suffices.
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
