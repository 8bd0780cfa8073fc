package dev.jobq.bench;

import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The command line of {@code jobq-bench.jar}.
 *
 * @param runs fresh JVMs per workload as --runs gave it; null for each workload's own default
 * @param out  where the Markdown table goes; null for the default next to the jar
 */
record BenchOptions(Scale scale, @Nullable Integer runs, List<Workload> workloads, List<String> jvmOptions, @Nullable Path out,
                    boolean help) {

    static final String USAGE = """
            usage: java -jar jobq-bench.jar [--quick] [--peers] [--runs N] [--only B1,B3] [--out FILE]
                                            [--jvm-arg ARG]...

              --quick        smaller counts, shorter windows, one run each: a smoke run, under two minutes
                             (default: the full sizes, 1,000,000 jobs; under fifteen minutes)
              --runs N       fresh JVMs per workload (default: 1 quick; in full mode 5 for B1
                             and 3 for B2-B7); the table shows the median, min and max
                             over them, so use at least 3
              --peers        run jobq beside Quartz, db-scheduler and JobRunr (P1, P3, P6, P7) and beside
                             Spring Cloud AWS on SQS (P5) instead of the targets' workloads; full mode 3
                             runs each
              --only IDS     run only these workloads, comma-separated (B1,B2,...,P1,...)
              --out FILE     write the Markdown table here (default: jobq-bench-results.md beside the jar)
              --jvm-arg ARG  pass ARG to every forked JVM, e.g. -XX:StartFlightRecording=filename=b1.jfr
            """;

    static BenchOptions parse(String[] args) {
        Scale scale = Scale.FULL;
        Integer runs = null;
        List<Workload> workloads = Workloads.ALL;
        List<String> jvm = new ArrayList<>();
        Path out = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> scale = Scale.QUICK;
                case "--full" -> scale = Scale.FULL;
                case "--runs" -> runs = positive(arg, value(args, ++i, arg));
                case "--peers" -> workloads = Workloads.PEERS;
                case "--only" -> workloads = only(value(args, ++i, arg));
                case "--out" -> out = writable(arg, value(args, ++i, arg));
                case "--jvm-arg" -> jvm.add(value(args, ++i, arg));
                case "-h", "--help" -> help = true;
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return new BenchOptions(scale, runs, workloads, jvm, out, help);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int positive(String option, String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a whole number ≥ 1, got '" + text + "'");
    }

    /**
     * Where the Markdown table goes: refused now, before anything runs, when it could not be written there
     * at the end of the run (a full run takes minutes).
     */
    private static Path writable(String option, String text) {
        Path path = Path.of(text);
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(option + " " + text + " is a directory; give the file to write the "
                    + "Markdown table to, e.g. " + option + " " + path.resolve("jobq-bench-results.md"));
        }
        Path directory = path.toAbsolutePath().getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException(option + " " + text + ": its directory " + directory + " does not "
                    + "exist; create it first, or give a file in a directory that exists");
        }
        if (directory != null && !Files.isWritable(directory) && !Files.isWritable(path)) {
            throw new IllegalArgumentException(option + " " + text + ": its directory " + directory + " cannot be "
                    + "written to; give a file in a directory you can write to");
        }
        return path;
    }

    private static List<Workload> only(String ids) {
        List<Workload> chosen = new ArrayList<>();
        for (String id : ids.split(",")) {
            chosen.add(Workloads.byId(id.trim()).orElseThrow(() -> new IllegalArgumentException("unknown workload '"
                    + id.trim() + "'; known: " + String.join(", ", Stream.concat(Workloads.ALL.stream(),
                    Workloads.PEERS.stream()).map(Workload::id).toList()))));
        }
        return chosen;
    }
}
