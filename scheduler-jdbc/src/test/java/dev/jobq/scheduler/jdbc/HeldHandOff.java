package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jobq.spi.EnqueueResult;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;

/**
 * A queue slow to take its jobs: each hand-off waits, holding its job's row, until the test lets it go (or at most
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

    /** Lets the hand-off go on now, before {@link #whileHandingOn}'s check ends. */
    void letGo() {
        letGo.countDown();
    }

    /** A scheduler built by {@code builder} that hands its jobs on through this, firing only when told. */
    JdbcJobScheduler scheduler(JdbcSchedulerFactory.Builder builder, InstantSource clock) {
        return builder.pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, this));
    }

    /**
     * Fires {@code scheduler}'s due jobs on another thread and runs {@code check}, within the bound, while the
     * hand-off holds its row; then lets it go and expects the one due job handed on.
     */
    void whileHandingOn(JdbcJobScheduler scheduler, Executable check) throws Exception {
        try (var firing = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> handedOn = firing.submit(scheduler::fireDue);
            try {
                assertThat(entered.await(bound.toSeconds(), TimeUnit.SECONDS)).as("the hand-off began").isTrue();
                assertTimeoutPreemptively(bound, check);
            } finally {
                letGo.countDown();
            }
            assertThat(handedOn.get(bound.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        }
    }
}
