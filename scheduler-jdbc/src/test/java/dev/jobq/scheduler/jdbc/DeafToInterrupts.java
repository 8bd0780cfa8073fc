package dev.jobq.scheduler.jdbc;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A provider's call that hangs deaf to interrupts, as the close() tests need one: it ends only when let go. */
final class DeafToInterrupts {

    private DeafToInterrupts() {
    }

    /** Waits until {@code release} opens, at most {@code bound}, going on waiting through any interrupt. */
    static void await(CountDownLatch release, Duration bound) {
        for (long end = System.nanoTime() + bound.toNanos(); System.nanoTime() < end; ) {
            try {
                if (release.await(end - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException ignored) {
                // as the provider would
            }
        }
    }
}
