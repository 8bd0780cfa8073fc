package dev.jobq.bench.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Producer threads that each send their share of a number of jobs, all released at once; the clock
 * runs from their release until the last one is done.
 */
public final class Producers {

    /** Sends job {@code index}. */
    @FunctionalInterface
    public interface Send {
        void send(int index) throws Exception;
    }

    private final int threads;
    private final AtomicLong sent = new AtomicLong();

    public Producers(int threads) {
        this.threads = threads;
    }

    public long sent() {
        return sent.get();
    }

    /** Jobs per second over all threads. */
    public double run(int jobs, Send send) throws InterruptedException {
        var go = new CountDownLatch(1);
        var failure = new AtomicReference<Throwable>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) jobs * t / threads);
            int to = (int) ((long) jobs * (t + 1) / threads);
            started.add(Thread.ofPlatform().name("bench-producer-" + t).start(() -> {
                try {
                    go.await();
                    for (int i = from; i < to; i++) {
                        send.send(i);
                        if ((i & 1023) == 0) {
                            sent.addAndGet(1024);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        long nanos = System.nanoTime() - start;
        sent.set(jobs);
        if (failure.get() != null) {
            throw new IllegalStateException("a producer failed", failure.get());
        }
        return jobs / (nanos / 1e9);
    }
}
