package dev.jobq.cli.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The lines of one output stream of a child process, read as they come on a thread of their own,
 * echoed to the test's log with a prefix, and waited for with a bound.
 */
public final class OutputLines {

    private final String name;
    private final List<String> lines = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private boolean ended;

    private OutputLines(String name) {
        this.name = name;
    }

    static OutputLines follow(String name, InputStream stream, PrintStream echo) {
        var output = new OutputLines(name);
        Thread.ofPlatform().daemon().name("jobq-child-" + name).start(() -> output.read(stream, echo));
        return output;
    }

    private void read(InputStream stream, PrintStream echo) {
        try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                echo.println("[child " + name + "] " + line);
                lock.lock();
                try {
                    lines.add(line);
                    added.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            echo.println("[child " + name + "] reading stopped: " + e);
        } finally {
            lock.lock();
            try {
                ended = true;
                added.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Every line so far. */
    public List<String> lines() {
        lock.lock();
        try {
            return List.copyOf(lines);
        } finally {
            lock.unlock();
        }
    }

    /** Every line so far, joined with newlines. */
    public String text() {
        return String.join("\n", lines());
    }

    /** The lines so far that {@code matching} accepts. */
    public List<String> linesMatching(Predicate<String> matching) {
        return lines().stream().filter(matching).toList();
    }

    /**
     * Waits until {@code count} lines so far match, at most {@code timeout}.
     *
     * @return the matching lines
     * @throws AssertionError naming what was awaited and showing the output when it did not come
     */
    public List<String> await(Predicate<String> matching, int count, Duration timeout, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                List<String> found = lines.stream().filter(matching).toList();
                if (found.size() >= count) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError("child " + name + ": " + (ended ? "ended" : "no line after " + timeout)
                            + " with " + found.size() + " of " + count + " line(s) " + description + "; it printed:\n"
                            + String.join("\n", lines));
                }
                added.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + description, e);
        } finally {
            lock.unlock();
        }
    }

    /** Waits at most {@code timeout} for the stream to end (the process exited and all was read); true if it did. */
    public boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                added.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for one line containing {@code text}; returns it. */
    public String awaitLine(String text, Duration timeout) {
        return await(l -> l.contains(text), 1, timeout, "containing '" + text + "'").getFirst();
    }

    /** The first line so far containing {@code text}. */
    public Optional<String> find(String text) {
        return lines().stream().filter(l -> l.contains(text)).findFirst();
    }
}
