package dev.jobq.memory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A provider call held until its test opens the gate: what the thread-counting tests park provider calls on. */
final class TestGate {

    private TestGate() {
    }

    /** Waits at most 30 s for {@code gate}; an unopened gate or an interrupt fails the call. */
    static void pass(CountDownLatch gate) {
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
