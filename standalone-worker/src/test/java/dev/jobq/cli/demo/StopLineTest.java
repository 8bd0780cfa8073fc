package dev.jobq.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The line jobq demo's shutdown hook prints, and that the hook ends. */
class StopLineTest {

    private final StringWriter written = new StringWriter();
    private final PrintWriter out = new PrintWriter(written);
    private final StopLine stopLine = new StopLine(out, new ProgressLine(out, ProgressLine.Style.LINES, 3),
            new DemoTracker(3), 3);

    @Test
    void theHookSaysHowManyJobsHadEnded() {
        stopLine.print();

        assertThat(written).hasToString("jobq demo: stopped by a signal: 0 of 3 jobs had ended (completed or dead)"
                + System.lineSeparator());
    }

    /**
     * The demo's thread holds the lock while it prints a progress line, and stays blocked there when that output is
     * a pipe no one reads: the hook waited for the lock without end, and the JVM's shutdown with it (a TERM no longer
     * ended the demo). It waits {@link StopLine#MAX_WAIT} and skips the line, which would block on the same output.
     */
    @Test
    void theHookEndsWithinItsBoundWhileAProgressLineHoldsTheLock() throws InterruptedException {
        var holding = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        Thread progress = Thread.ofPlatform().start(() -> stopLine.unlessStopped(() -> {
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            assertTimeoutPreemptively(Duration.ofSeconds(5), stopLine::print);

            assertThat(written).hasToString("");
        } finally {
            release.countDown();
            progress.join(10_000);
        }
    }

    /**
     * The lock free, but stdout a pipe no one reads, full to where the stop line no longer fits (the demo's thread
     * between two progress lines): the hook's own write blocked without end, and the JVM's shutdown with it. It waits
     * {@link StopLine#MAX_WAIT} for the line to be written, then leaves it to a daemon thread the JVM's end stops.
     */
    @Test
    void theHookEndsWithinItsBoundWhenItsOwnLineCannotBeWritten() throws InterruptedException {
        var writing = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var full = new PrintWriter(new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) {
                writing.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        var hook = new StopLine(full, new ProgressLine(full, ProgressLine.Style.LINES, 3), new DemoTracker(3), 3);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(5), hook::print);

            assertThat(writing.await(10, TimeUnit.SECONDS)).as("the stop line was begun").isTrue();
        } finally {
            release.countDown();
        }
    }
}
