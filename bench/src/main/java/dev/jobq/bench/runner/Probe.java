package dev.jobq.bench.runner;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * A workload's side of one forked run: reports progress and results to the runner, and measures the
 * ceiling and jobq one after the other.
 */
public final class Probe {

    private static final long PROGRESS_EVERY_MILLIS = 500;

    private final PrintStream out;
    private final int run;

    public Probe(PrintStream out, int run) {
        this.out = out;
        this.run = run;
    }

    /** This run's number, from 1. */
    public int run() {
        return run;
    }

    /** Reports one metric of this run. */
    public void record(String key, double value, double ceiling) {
        emit(new ForkMessage.Result(key, new Sample(value, ceiling)));
    }

    /**
     * Starts a phase whose progress is reported twice a second from a daemon thread (which only
     * reads {@code done}), until the returned handle is closed.
     */
    public Phase phase(String name, long total, LongSupplier done) {
        emit(new ForkMessage.Progress(name, 0, total));
        Thread reporter = Thread.ofPlatform().daemon(true).name("bench-progress").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(PROGRESS_EVERY_MILLIS);
                    emit(new ForkMessage.Progress(name, done.getAsLong(), total));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return () -> {
            reporter.interrupt();
            emit(new ForkMessage.Progress(name, total, total));
        };
    }

    /**
     * Measures the ceiling and the subject, ceiling first in odd runs and subject first in even runs
     * (so that neither always gets the warmer JIT or the cleaner heap), with full GCs before each.
     */
    public <T> Sides<T> sideBySide(Callable<T> ceiling, Callable<T> subject) throws Exception {
        T c;
        T s;
        if (run % 2 == 1) {
            Heap.collect();
            c = ceiling.call();
            Heap.collect();
            s = subject.call();
        } else {
            Heap.collect();
            s = subject.call();
            Heap.collect();
            c = ceiling.call();
        }
        return new Sides<>(c, s);
    }

    private synchronized void emit(ForkMessage message) {
        out.println(message.line());
        out.flush();
    }

    /** A running phase; closing it reports the phase as complete. */
    public interface Phase extends AutoCloseable {
        @Override
        void close();
    }
}
