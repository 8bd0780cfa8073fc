package dev.jobq.cli.demo;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** Prints the demo's progress: one line rewritten in place on a terminal, else one line per tick. */
final class ProgressLine {

    /** How progress is shown. */
    enum Style {
        /** Rewrite one line with {@code \r}; for a terminal. */
        INLINE,
        /** A new line per tick; for a pipe, a file or a test. */
        LINES;

        /** {@link #INLINE} when stdout is a terminal. */
        static Style forStdout() {
            return stdoutIsTerminal() ? INLINE : LINES;
        }

        private static boolean stdoutIsTerminal() {
            Console console = System.console();
            if (console == null) {
                return false;
            }
            // From JDK 22 System.console() is non-null even when redirected; Console.isTerminal()
            // (22+) tells the truth. We compile for 21, hence reflection; on 21 non-null suffices.
            try {
                return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException e) {
                return true;
            }
        }
    }

    private final PrintWriter out;
    private final Style style;
    private final int total;
    private int lastLength;

    ProgressLine(PrintWriter out, Style style, int total) {
        this.out = out;
        this.style = style;
        this.total = total;
    }

    void show(DemoTracker.Snapshot s, Duration elapsed) {
        String line = String.format(Locale.ROOT,
                "[%5.1f s] completed %5d/%d · retried %3d · dead %2d · running %3d · waiting %5d",
                elapsed.toMillis() / 1000.0, s.completed(), total, s.retried(), s.dead(), s.running(), s.waiting());
        if (style == Style.INLINE) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the in-place line so what follows starts on a fresh one. */
    void end() {
        if (style == Style.INLINE && lastLength > 0) {
            out.println();
            out.flush();
        }
    }
}
