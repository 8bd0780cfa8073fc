package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.ReceivedJob;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A hostile provider whose receive returns the same delivery twice in one answer (DESIGN: bad input loses nothing):
 * the worker runs the job once, and keeps its lease while it runs. The copy beyond what was asked for was handed back
 * as an extra, which released the lease of the job being run: the provider gave it to the next receiver while it ran.
 */
class DuplicateDeliveryTest {

    private final WorkerFixture fixture = new WorkerFixture();
    private final CountDownLatch goOn = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        goOn.countDown();
        fixture.close();
    }

    /** A memory provider whose first receive that brings job "dup" returns it twice. */
    private static final class Doubles extends ForwardingQueueProvider {
        private final AtomicBoolean doubled = new AtomicBoolean();

        Doubles(QueueProvider delegate) {
            super(delegate);
        }

        @Override
        public List<ReceivedJob> receive(int max, Duration wait) {
            List<ReceivedJob> jobs = super.receive(max, wait);
            if (jobs.size() == 1 && jobs.get(0).envelope().type().equals("dup") && doubled.compareAndSet(false, true)) {
                var twice = new ArrayList<>(jobs);
                twice.add(jobs.get(0));
                return twice;
            }
            return jobs;
        }
    }

    @Test
    @DisplayName("a job received twice in one answer by the poll loop runs once and keeps its lease while it runs")
    void thePollLoopKeepsTheLeaseOfAJobReceivedTwice() throws Exception {
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "30s"));
        var running = new CountDownLatch(1);
        var runs = new AtomicInteger();
        JobQueue jobs = fixture.queue(new Doubles(memory), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("dup", Integer.class, (n, ctx) -> {
            runs.incrementAndGet();
            running.countDown();
            goOn.await(20, TimeUnit.SECONDS);
        });
        jobs.enqueue("dup", 1);
        jobs.start();
        assertThat(running.await(10, TimeUnit.SECONDS)).as("the job runs").isTrue();

        assertThat(memory.receive(1, Duration.ZERO)).as("the running job, received by another receiver").isEmpty();
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a job received twice with an acknowledgement runs once and keeps its lease while it runs")
    void aHandlerThreadKeepsTheLeaseOfAJobReceivedTwice() throws Exception {
        QueueProvider memory = fixture.memoryProvider(Map.of("leaseDuration", "30s"));
        var firstRunning = new CountDownLatch(1);
        var firstGoesOn = new CountDownLatch(1);
        var running = new CountDownLatch(1);
        var runs = new AtomicInteger();
        JobQueue jobs = fixture.queue(new Doubles(memory), 1, Duration.ofSeconds(5));
        jobs.registerJobHandler("first", Integer.class, (n, ctx) -> {
            firstRunning.countDown();
            firstGoesOn.await(20, TimeUnit.SECONDS);
        });
        jobs.registerJobHandler("dup", Integer.class, (n, ctx) -> {
            runs.incrementAndGet();
            running.countDown();
            goOn.await(20, TimeUnit.SECONDS);
        });
        jobs.start();
        jobs.enqueue("first", 1);
        assertThat(firstRunning.await(10, TimeUnit.SECONDS)).as("the first job runs").isTrue();
        jobs.enqueue("dup", 1); // the one permit's thread leases it with the first job's acknowledgement
        firstGoesOn.countDown();
        assertThat(running.await(10, TimeUnit.SECONDS)).as("the job runs").isTrue();

        assertThat(memory.receive(1, Duration.ZERO)).as("the running job, received by another receiver").isEmpty();
        assertThat(runs).hasValue(1);
    }
}
