package dev.jobq.bench.runner;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line while benchmarks run: rewritten in place on a terminal; on a pipe or a file,
 * a line when a phase starts and then at most one every few seconds.
 */
final class ProgressLine {

    private static final long LINE_EVERY_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private String lastPhase = "";
    private long lastLineNanos;
    private int lastLength;

    ProgressLine(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    synchronized void show(String context, ForkMessage.Progress progress) {
        String phaseKey = context + progress.phase();
        long now = System.nanoTime();
        String line = String.format(Locale.ROOT, "[%6.1f s] %s · %s %,d/%,d", (now - startNanos) / 1e9, context,
                progress.phase(), progress.done(), progress.total());
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            out.flush();
        } else if (!phaseKey.equals(lastPhase) || now - lastLineNanos >= LINE_EVERY_NANOS) {
            out.println(line);
            lastLineNanos = now;
        }
        lastPhase = phaseKey;
    }

    /** A line of its own (a finished run), after which the progress line starts afresh. */
    synchronized void note(String text) {
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            lastLength = 0;
        }
        out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - startNanos) / 1e9, text);
        out.flush();
    }
}
