package dev.jobq.cli.run;

import dev.jobq.cli.context.StopSignals;
import dev.jobq.spi.DurationFormat;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code jobq run --max-time D}: once the worker has worked that long, asks it to stop, as Laravel's
 * {@code queue:work --max-time} and Sidekiq Enterprise's rolling restarts do, so that the process manager
 * starts a fresh one. The jobs running by then finish during the drain.
 */
final class TimeLimit implements AutoCloseable {

    private final Duration max;
    private final StopSignals signals;
    private volatile boolean reached;
    private @Nullable Thread timer;

    TimeLimit(Duration max, StopSignals signals) {
        this.max = max;
        this.signals = signals;
    }

    /** Starts counting, once the worker works. */
    void start() {
        timer = Thread.ofVirtual().name("jobq-max-time").start(this::countDown);
    }

    private void countDown() {
        try {
            Thread.sleep(max);
        } catch (InterruptedException stoppedFirst) {
            return;
        }
        reached = true;
        signals.requestStop("--max-time " + DurationFormat.format(max) + " reached");
    }

    /** Whether the limit asked for the stop. */
    boolean reached() {
        return reached;
    }

    /** What the stop line starts with when it did. */
    String describe() {
        String max = DurationFormat.format(this.max);
        return "worked " + max + " (--max-time " + max + ")";
    }

    /** Stops counting: the worker stops for another reason. */
    @Override
    public void close() {
        if (timer != null) {
            timer.interrupt();
        }
    }
}
