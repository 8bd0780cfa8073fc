package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobContext;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * "No {@code Progress} event follows an attempt's {@code Failed}, {@code Dead} or {@code Released}"
 * (docs/semantics.md#outcomes-of-an-attempt), nor does its {@code Started}, also when that event was already on its
 * way to the listeners as the attempt ended on another thread.
 */
class EventOrderTest {

    record Work(int n) {
    }

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    @Test
    @DisplayName("a Progress still reaching the listeners when the attempt times out reaches none of them after its "
            + "Failed")
    void progressUnderWayWhenTheAttemptTimesOutComesBeforeItsFailed() throws InterruptedException {
        var context = new AtomicReference<JobContext>();
        var failedSeen = new CountDownLatch(1);
        List<JobEvent> seenBySecond = new CopyOnWriteArrayList<>();
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        // A first listener slow on Progress (it writes to a database, say): deaf to the timeout's interrupt, it holds
        // the Progress until the attempt's Failed or Dead was announced, or 2 s after the attempt was cancelled.
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Failed || event instanceof JobEvent.Dead) {
                failedSeen.countDown();
            } else if (event instanceof JobEvent.Progress) {
                long until = 0;
                while (failedSeen.getCount() > 0) {
                    JobContext ctx = context.get();
                    if (ctx != null && ctx.isCancelled()) {
                        until = until == 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(2) : until;
                        if (System.nanoTime() - until >= 0) {
                            break;
                        }
                    }
                    try {
                        failedSeen.await(10, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException deaf) {
                        // as a listener inside a JDBC driver may be
                    }
                }
            }
        });
        jobs.addListener(seenBySecond::add); // a dashboard: the last event of a job is its state
        var returned = new CountDownLatch(1);
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> {
            context.set(ctx);
            ctx.progress(50);
            returned.countDown();
        });
        jobs.start();
        jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(200)).maxAttempts(1)
                .build());
        assertThat(returned.await(20, TimeUnit.SECONDS)).isTrue();
        fixture.events.awaitCount(JobEvent.Dead.class, 1);

        // Before, the second listener got the Progress after the Dead: a dashboard showed the dead job at 50 %.
        List<Class<?>> kinds = seenBySecond.stream().<Class<?>>map(Object::getClass)
                .filter(kind -> kind == JobEvent.Progress.class || kind == JobEvent.Dead.class).toList();
        assertThat(kinds).containsExactly(JobEvent.Progress.class, JobEvent.Dead.class);
    }

    @Test
    @DisplayName("a Started still reaching the listeners when the attempt times out reaches none of them after its "
            + "Dead")
    void startedUnderWayWhenTheAttemptTimesOutComesBeforeItsDead() {
        var ended = new CountDownLatch(1);
        List<JobEvent> seenBySecond = new CopyOnWriteArrayList<>();
        var began = new java.util.concurrent.atomic.AtomicLong();
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        // A first listener slow on Started, deaf to the timeout's interrupt: it holds the Started until the attempt's
        // Dead was announced, or 5 s.
        jobs.addListener(event -> {
            if (event instanceof JobEvent.Dead) {
                ended.countDown();
            } else if (event instanceof JobEvent.Started) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (ended.getCount() > 0 && System.nanoTime() - until < 0) {
                    try {
                        ended.await(10, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException deaf) {
                        // as a listener inside a JDBC driver may be
                    }
                }
            }
        });
        jobs.addListener(seenBySecond::add);
        jobs.registerJobHandler("slow", Work.class, (job, ctx) -> { });
        jobs.start();
        jobs.enqueue("slow", new Work(1), EnqueueOptions.builder().timeout(Duration.ofMillis(200)).maxAttempts(1)
                .build());
        fixture.events.awaitCount(JobEvent.Dead.class, 1);
        await().atMost(EventRecorder.WAIT).until(() -> seenBySecond.stream().anyMatch(JobEvent.Started.class::isInstance)
                && seenBySecond.stream().anyMatch(JobEvent.Dead.class::isInstance));

        // Before, the second listener got the attempt's Started after its Dead: the job looked running again.
        List<Class<?>> kinds = seenBySecond.stream().<Class<?>>map(Object::getClass)
                .filter(kind -> kind == JobEvent.Started.class || kind == JobEvent.Dead.class).toList();
        assertThat(kinds).containsExactly(JobEvent.Started.class, JobEvent.Dead.class);
    }
}
