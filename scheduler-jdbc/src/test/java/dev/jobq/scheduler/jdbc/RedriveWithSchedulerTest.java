package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.DeadLetters;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobState;
import dev.jobq.NonRetryableJobException;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A memory queue's dead letter redriven while the JDBC scheduler holds a job with its deduplication key: the key
 * is held across the two stores (docs/semantics.md, Deduplication), so the redrive is refused as it is while a job
 * on the queue holds the key.
 */
@DisplayName("redrive of a memory dead letter beside the JDBC scheduler")
class RedriveWithSchedulerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final AtomicInteger DATABASES = new AtomicInteger();

    record Reminder(String user) {
    }

    private final SettableClock clock = new SettableClock(T0);
    private final JobQueue jobs = JobQueue.builder()
            .provider(MemoryProviderFactory.builder().clock(clock).build())
            .clock(clock).environment(Map.of())
            .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:jobq-redrive-" + DATABASES.incrementAndGet()
                    + ";DB_CLOSE_DELAY=-1", "pollInterval", "1h"))
            .build();

    @AfterEach
    void close() {
        jobs.close();
    }

    @Test
    @DisplayName("is refused while the scheduler holds a job with the dead job's key, and the dead letter stays: "
            + "it was put back, and two jobs with one key were pending")
    void isRefusedWhileTheSchedulerHoldsAJobWithItsKey() {
        jobs.registerJobHandler("reminder:send", Reminder.class, (job, ctx) -> {
            throw new NonRetryableJobException("mail server refused " + job.payload().user());
        });
        jobs.start();
        String dead = jobs.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.builder().deduplicationKey("reminder:ada").build());
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs.getJob(dead)
                .map(info -> info.state() == JobState.DEAD).orElse(false));
        String held = jobs.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.builder().deduplicationKey("reminder:ada").scheduledFor(T0.plusSeconds(3600)).build());
        DeadLetters letters = jobs.deadLetters("default").orElseThrow();

        boolean redriven = letters.redrive(dead);

        assertThat(redriven).as("redrive while the scheduler holds job %s with the key", held).isFalse();
        assertThat(letters.list(10)).extracting(letter -> letter.job().id()).containsExactly(dead);
    }
}
