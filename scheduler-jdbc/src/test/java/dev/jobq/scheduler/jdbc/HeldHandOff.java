package dev.jobq.scheduler.jdbc;

import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A queue slow to take its jobs: each hand-off waits, holding its job's row, until {@link #letGo()} (or at most
 * {@code bound}), then goes on to {@code next}.
 */
final class HeldHandOff implements JobSink {

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);
    private final JobSink next;
    private final Duration bound;

    HeldHandOff(JobSink next, Duration bound) {
        this.next = next;
        this.bound = bound;
    }

    @Override
    public EnqueueResult submit(JobEnvelope envelope) {
        entered.countDown();
        try {
            letGo.await(bound.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return next.submit(envelope);
    }

    /** True once a hand-off has begun, within the bound. */
    boolean begun() throws InterruptedException {
        return entered.await(bound.toSeconds(), TimeUnit.SECONDS);
    }

    void letGo() {
        letGo.countDown();
    }
}
