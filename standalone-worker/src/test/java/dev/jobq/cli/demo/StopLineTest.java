package dev.jobq.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
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
     * ended the demo). It waits {@link StopLine#LOCK_WAIT} and skips the line, which would block on the same output.
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
}
