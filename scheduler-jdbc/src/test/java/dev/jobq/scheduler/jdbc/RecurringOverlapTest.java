package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.RecurringJob;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What docs/scheduler.md's "Overlapping runs" says: each occurrence of a recurring job is a job of its own, so
 * one that runs longer than the interval runs beside the next; a {@code deduplicationKey} in the job's options
 * hands the next occurrence on as a duplicate of the one still pending or running, so that it is skipped.
 * Memory provider and H2, on a settable clock stepped a second at a time (shorter than the lease).
 */
@DisplayName("overlapping runs of a recurring job")
class RecurringOverlapTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    record Tick(String name) {
    }

    private final SettableClock clock = new SettableClock(T0);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostAtOnce = new AtomicInteger();
    private final List<String> started = new CopyOnWriteArrayList<>();
    private JobQueue jobs;

    @AfterEach
    void close() {
        release.countDown();
        if (jobs != null) {
            jobs.close();
        }
    }

    private JobQueue queue() {
        String url = "jdbc:h2:mem:jobq-overlap-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().clock(clock).build()).clock(clock)
                .environment(Map.of()).concurrency(4)
                .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h")).build();
        jobs.registerJobHandler("report:build", Tick.class, (job, ctx) -> {
            started.add(job.id());
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                release.await();
            } finally {
                running.decrementAndGet();
            }
        });
        jobs.start();
        return jobs;
    }

    private void tick(int seconds) {
        for (int i = 0; i < seconds; i++) {
            clock.advance(Duration.ofSeconds(1));
            Instant occurrence = clock.instant();
            await().atMost(WAIT).until(() -> occurrence.equals(jobs.scheduler().getRecurring("build").orElseThrow()
                    .lastRunAt()));
        }
    }

    @Test
    @DisplayName("without a key, an occurrence due while the last one runs runs beside it")
    void occurrencesRunSideBySide() {
        queue().scheduler().registerRecurring(RecurringJob.builder("build", "report:build").schedule("every 1 second")
                .payload(new Tick("b")).build());

        tick(2);

        await().atMost(WAIT).until(() -> started.size() == 2);
        assertThat(mostAtOnce).as("runs at once").hasValue(2);
    }

    @Test
    @DisplayName("with a deduplicationKey, an occurrence due while the last one is pending or running is skipped")
    void aKeySkipsAnOccurrenceWhileTheLastOneRuns() {
        queue().scheduler().registerRecurring(RecurringJob.builder("build", "report:build").schedule("every 1 second")
                .options(EnqueueOptions.builder().deduplicationKey("build").build()).payload(new Tick("b")).build());

        tick(1);
        await().atMost(WAIT).until(() -> started.size() == 1);
        tick(2);
        assertThat(jobs.scheduler().getRecurring("build").orElseThrow().lastError()).as("handed on, as duplicates")
                .isNull();
        assertThat(jobs.getJob(OccurrenceIds.of("build", T0.plusSeconds(2)))).as("the second occurrence").isEmpty();
        release.countDown();
        await().atMost(WAIT).until(() -> running.get() == 0);

        tick(1);
        await().atMost(WAIT).until(() -> started.size() == 2);
        assertThat(started).containsExactly(OccurrenceIds.of("build", T0.plusSeconds(1)),
                OccurrenceIds.of("build", T0.plusSeconds(4)));
        assertThat(mostAtOnce).as("runs at once").hasValue(1);
    }
}
