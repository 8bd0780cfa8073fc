package dev.jobq.bench.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report as a table: aligned text for the terminal, Markdown for the docs. */
public final class ResultTable {

    private static final List<String> HEADER = List.of("workload", "metric", "runs", "median", "min", "max",
            "ceiling (median)", "ratio: median (min–max)", "target", "result");

    private final Report report;

    public ResultTable(Report report) {
        this.report = report;
    }

    /** The table with aligned columns, then the failures if any. */
    public String text() {
        List<List<String>> rows = rows();
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        var out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                boolean numeric = i >= 2 && i <= 6;
                out.append(numeric ? pad(cell, widths[i], true) : pad(cell, widths[i], false));
                out.append(i == row.size() - 1 ? "" : "  ");
            }
            out.append('\n');
            if (r == 0) {
                for (int i = 0; i < widths.length; i++) {
                    out.append("-".repeat(widths[i])).append(i == widths.length - 1 ? "" : "  ");
                }
                out.append('\n');
            }
        }
        report.failures().forEach(f -> out.append("FAILED ").append(f).append('\n'));
        return out.toString();
    }

    /** A Markdown document: the machine and method line, the table, the ceilings, the failures. */
    public String markdown() {
        var out = new StringBuilder();
        MachineInfo m = report.before();
        out.append("<!-- written by jobq-bench; do not edit by hand -->\n\n");
        out.append(String.format(Locale.ROOT, "Mode `%s`, each run in a fresh JVM (runs per workload in the table); "
                + "taken %s in %s.%n%n", report.scale().name().toLowerCase(Locale.ROOT), m.at(), formatElapsed()));
        out.append(String.format(Locale.ROOT, "Machine: %d cores, %s memory, %s, %s. Load average (1, 5, 15 min) "
                + "before: %s; after: %s.%s%n%n", m.cores(), m.memory(), m.jdk(), m.os(), m.load(),
                report.after().load(), report.jvmOptions().isEmpty() ? ""
                        : " Extra fork options: `" + String.join(" ", report.jvmOptions()) + "`."));
        List<List<String>> rows = rows();
        for (int r = 0; r < rows.size(); r++) {
            out.append("| ").append(String.join(" | ", rows.get(r))).append(" |\n");
            if (r == 0) {
                out.append("|").append(" --- |".repeat(2)).append(" ---: |".repeat(5)).append(" --- |".repeat(3))
                        .append('\n');
            }
        }
        out.append("\nCeilings:\n\n");
        Map<String, List<String>> metricsByCeiling = new LinkedHashMap<>();
        for (MetricSummary s : report.summaries()) {
            metricsByCeiling.computeIfAbsent(s.workload() + "\u0000" + s.metric().ceiling(), k -> new ArrayList<>())
                    .add(s.metric().label());
        }
        metricsByCeiling.forEach((key, labels) -> {
            String[] parts = key.split("\u0000", 2);
            out.append("- ").append(parts[0]).append(" (").append(String.join("; ", labels)).append("): ")
                    .append(parts[1]).append('\n');
        });
        if (!report.failures().isEmpty()) {
            out.append("\nFailed:\n\n");
            report.failures().forEach(f -> out.append("- ").append(f).append('\n'));
        }
        return out.toString();
    }

    private List<List<String>> rows() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (MetricSummary s : report.summaries()) {
            Unit unit = s.metric().unit();
            Workload workload = report.workloads().stream().filter(w -> w.id().equals(s.workload())).findFirst()
                    .orElseThrow();
            rows.add(List.of(
                    workload.id() + " " + workload.title(),
                    s.metric().label(),
                    Integer.toString(s.samples().size()),
                    unit.format(s.value().median()) + " " + unit.symbol(),
                    unit.format(s.value().min()),
                    unit.format(s.value().max()),
                    unit.format(s.ceiling().median()) + " " + unit.symbol(),
                    ratio(s),
                    s.metric().target().describe(unit),
                    result(s)));
        }
        return rows;
    }

    private static String result(MetricSummary s) {
        if (!s.hasTarget()) {
            return "—";
        }
        if (!s.judgeable()) {
            return "not judged: " + s.samples().size() + (s.samples().size() == 1 ? " run" : " runs");
        }
        return s.targetMet() ? "pass" : "MISS";
    }

    private static String ratio(MetricSummary s) {
        if (!s.metric().ratioShown()) {
            return "—";
        }
        return String.format(Locale.ROOT, "%s (%s–%s)", percent(s.ratio().median()), percent(s.ratio().min()),
                percent(s.ratio().max()));
    }

    /** A ratio as the table writes it, and each run's line: a percentage, a multiple from 100 times up. */
    static String percent(double ratio) {
        if (ratio >= 100) {
            // jobq beside a poll-bound peer: a multiple reads better than a six-digit percentage
            return String.format(Locale.ROOT, "%,.0f×", ratio);
        }
        return String.format(Locale.ROOT, ratio < 10 ? "%.1f %%" : "%.0f %%", ratio * 100);
    }

    private String formatElapsed() {
        long seconds = report.elapsed().toSeconds();
        return seconds >= 60 ? (seconds / 60) + " min " + (seconds % 60) + " s" : seconds + " s";
    }

    private static String pad(String text, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - text.length()));
        return right ? fill + text : text + fill;
    }
}
