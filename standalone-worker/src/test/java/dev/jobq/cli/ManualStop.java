package dev.jobq.cli;

import dev.jobq.cli.context.StopSignals;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Stop signals a test gives by hand: {@link #requestStop()} is the first TERM. */
public final class ManualStop implements StopSignals {

    private final CountDownLatch armed = new CountDownLatch(1);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public void arm() {
        armed.countDown();
    }

    @Override
    public boolean stopRequested() {
        return stop.getCount() == 0;
    }

    @Override
    public void workerStarted() {
    }

    public void requestStop() {
        stop.countDown();
    }

    @Override
    public void requestStop(String reason) {
        requestStop();
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stop.await();
    }

    @Override
    public void close() {
        closed.countDown();
    }

    public boolean awaitClosed(long seconds) throws InterruptedException {
        return closed.await(seconds, TimeUnit.SECONDS);
    }
}
