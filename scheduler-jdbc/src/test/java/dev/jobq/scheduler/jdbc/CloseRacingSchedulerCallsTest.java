package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * close() of a JobQueue with the JDBC scheduler (H2) racing calls that store jobs in the scheduler: each
 * call either returns an id whose job is held in the database, or throws that the JobQueue is closed
 * having stored nothing; a cancel either took effect or did not, as it says; a getJob answers or says the
 * queue is closed, never that the database's pool was closed under it.
 */
@DisplayName("JobQueue with the JDBC scheduler: close() racing schedule, enqueue for an instant, getJob and cancel")
class CloseRacingSchedulerCallsTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String CLOSED = "this JobQueue is closed; build a new one";

    private final SettableClock clock = new SettableClock(T0);
    private final ExecutorService callers = Executors.newFixedThreadPool(8);

    @AfterEach
    void stopCallers() throws InterruptedException {
        callers.shutdownNow();
        assertThat(callers.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("each call returns an id whose job the database holds, or says the queue is closed and stores nothing")
    void closeRacingSchedulerCallsLosesNoAcceptedJob() throws Exception {
        int rounds = 40;
        var refusedInAll = new AtomicInteger();
        int acceptedInAll = 0;
        for (int round = 0; round < rounds; round++) {
            String url = "jdbc:h2:mem:jobq-close-race-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
            JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().clock(clock).build())
                    .clock(clock).environment(Map.of()).scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h"))
                    .build();
            jobs.registerJobHandler("reminder:send", Integer.class, (job, ctx) -> { });
            jobs.start();
            Instant later = T0.plus(Duration.ofHours(1));
            List<String> toCancel = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                toCancel.add(jobs.scheduler().schedule("reminder:send", 100 + i, later));
            }
            var barrier = new CyclicBarrier(8);
            var unexpected = new CopyOnWriteArrayList<Throwable>();
            var cancelledIds = new CopyOnWriteArrayList<String>();
            List<Future<List<String>>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                calls.add(callers.submit(() -> {
                    barrier.await(20, TimeUnit.SECONDS);
                    List<String> ids = new ArrayList<>();
                    if (thread == 0) {
                        jobs.close();
                        return ids;
                    }
                    for (int i = 0; i < 16; i++) {
                        try {
                            switch (i % 4) {
                                case 0 -> ids.add(jobs.scheduler().schedule("reminder:send", i, later));
                                case 1 -> ids.add(jobs.enqueue("reminder:send", i,
                                        EnqueueOptions.builder().scheduledFor(later).build()));
                                case 2 -> jobs.getJob(toCancel.get((thread + i) % toCancel.size()));
                                default -> {
                                    String id = toCancel.get((thread + i) % toCancel.size());
                                    if (jobs.scheduler().cancel(id)) {
                                        cancelledIds.add(id);
                                    }
                                }
                            }
                        } catch (JobQueueException e) {
                            if (!CLOSED.equals(e.getMessage())) {
                                unexpected.add(e);
                            }
                            refusedInAll.incrementAndGet();
                        } catch (RuntimeException e) {
                            unexpected.add(e);
                        }
                    }
                    return ids;
                }));
            }
            Set<String> accepted = new HashSet<>();
            for (Future<List<String>> call : calls) {
                accepted.addAll(call.get(30, TimeUnit.SECONDS));
            }
            jobs.close();
            acceptedInAll += accepted.size();
            assertThat(unexpected).as("round %d", round).isEmpty();
            assertThat(cancelledIds).as("each job cancelled once at most").doesNotHaveDuplicates();

            // What the database holds, read by a scheduler of its own that does not fire.
            JdbcJobScheduler reader = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofHours(1))
                    .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, envelope -> {
                        throw new AssertionError("nothing is due");
                    }));
            try {
                Set<String> held = new HashSet<>();
                reader.listScheduled(1_000).stream().map(ScheduledJobInfo::id).forEach(held::add);
                Set<String> expected = new HashSet<>(accepted);
                toCancel.stream().filter(id -> !cancelledIds.contains(id)).forEach(expected::add);
                assertThat(held).as("round %d: jobs held after close()", round).isEqualTo(expected);
                for (String id : cancelledIds) {
                    assertThat(reader.status(id)).hasValue(ScheduledJobInfo.Status.CANCELLED);
                }
            } finally {
                reader.close();
            }
        }
        // The race is run: calls land on both sides of close().
        assertThat(acceptedInAll).isPositive();
        assertThat(refusedInAll).hasPositiveValue();
    }
}
