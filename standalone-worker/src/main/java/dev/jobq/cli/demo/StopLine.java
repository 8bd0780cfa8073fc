package dev.jobq.cli.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The line jobq demo leaves when a signal (Ctrl-C, TERM) ends it before its summary: how many of its jobs had ended.
 * The JVM's own handlers end the demo (130, 143), and before, nothing said what it had done by then. A shutdown hook
 * prints it; the progress the demo's thread goes on printing while the JVM shuts down is held back from then on
 * ({@link #unlessStopped}), so the line stays the last.
 */
final class StopLine {

    /**
     * How long the hook waits for its line: for a progress line being printed to end, and for its own line to be
     * written, before it leaves it.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final PrintWriter out;
    private final ProgressLine progress;
    private final DemoTracker tracker;
    private final int total;
    private final Thread hook;
    /** The stop line was printed, or the demo reached its summary and prints none. */
    private boolean over;

    StopLine(PrintWriter out, ProgressLine progress, DemoTracker tracker, int total) {
        this.out = out;
        this.progress = progress;
        this.tracker = tracker;
        this.total = total;
        this.hook = Thread.ofPlatform().name("jobq-demo-stop-line").unstarted(this::print);
    }

    /** From now until {@link #disarm}, a signal that ends the JVM prints the line. */
    void arm() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Runs {@code show} (a progress line) unless the stop line was printed. */
    void unlessStopped(Runnable show) {
        lock.lock();
        try {
            if (!over) {
                show.run();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The demo reached its summary: no stop line from now on.
     *
     * @return false when the stop line was printed already: the JVM is ending, and nothing more is to be printed
     */
    boolean disarm() {
        lock.lock();
        try {
            if (over) {
                return false;
            }
            over = true;
        } finally {
            lock.unlock();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs, or ran, and finds the line not to be printed
        }
        return true;
    }

    /**
     * The hook: prints the line unless the summary was reached or the line printed, waiting at most {@link #MAX_WAIT}
     * for it. The line is written by a daemon thread, which the JVM's end stops where it is: with stdout a pipe no one
     * reads, the demo's thread stays blocked writing a progress line while it holds the lock, and a pipe full to where
     * the line no longer fits blocks the line's own write, with the lock free. The hook waited without end, on the lock
     * and then on its write, and the JVM's shutdown with it: a TERM no longer ended the demo. Interrupted, it waits no
     * more. Either way the JVM ends with the signal's status (130, 143).
     */
    void print() {
        Thread writer = Thread.ofPlatform().name("jobq-demo-stop-line-writer").daemon(true).start(this::write);
        try {
            writer.join(MAX_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the line, unless a progress line being printed holds the lock past {@link #MAX_WAIT}. */
    private void write() {
        try {
            if (!lock.tryLock(MAX_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (over) {
                return;
            }
            over = true;
            progress.end();
            DemoTracker.Snapshot s = tracker.snapshot();
            out.printf(Locale.ROOT, "jobq demo: stopped by a signal: %d of %d jobs had ended (completed or dead)%n",
                    s.completed() + s.dead(), total);
            out.flush();
        } finally {
            lock.unlock();
        }
    }
}
