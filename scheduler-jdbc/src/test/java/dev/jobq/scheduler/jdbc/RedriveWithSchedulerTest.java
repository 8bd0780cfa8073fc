package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jobq.DeadLetters;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.JobState;
import dev.jobq.NonRetryableJobException;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final String url = "jdbc:h2:mem:jobq-redrive-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    private final List<JobEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger runs = new AtomicInteger();
    private final JobQueue jobs = JobQueue.builder()
            .provider(MemoryProviderFactory.builder().clock(clock).build())
            .queue("other", MemoryProviderFactory.builder().clock(clock).build())
            .clock(clock).environment(Map.of())
            .scheduler("jdbc", Map.of("jdbcUrl", url, "pollInterval", "1h"))
            .listener(events::add)
            .build();

    @AfterEach
    void close() {
        jobs.close();
    }

    @Test
    @DisplayName("is refused while the scheduler holds a job with the dead job's key, and the dead letter stays: "
            + "it was put back, and two jobs with one key were pending")
    void isRefusedWhileTheSchedulerHoldsAJobWithItsKey() {
        String dead = deadJobWithKey();
        String held = jobs.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.builder().deduplicationKey("reminder:ada").scheduledFor(T0.plusSeconds(3600)).build());
        DeadLetters letters = jobs.deadLetters("default").orElseThrow();

        boolean redriven = letters.redrive(dead);

        assertThat(redriven).as("redrive while the scheduler holds job %s with the key", held).isFalse();
        assertThat(letters.list(10)).extracting(letter -> letter.job().id()).containsExactly(dead);
        // A redriven job dies again at once here and is a dead letter again: only the runs tell it was put back.
        assertThat(runs).as("runs of the dead job").hasValue(1);
    }

    @Test
    @DisplayName("goes on while the scheduler holds a job with the dead job's key for another queue only, and is "
            + "announced: a key belongs to its queue")
    void goesOnWhileTheKeyIsHeldForAnotherQueueOnly() {
        String dead = deadJobWithKey();
        String held = jobs.enqueue("reminder:send", new Reminder("ada"), EnqueueOptions.builder().queue("other")
                .deduplicationKey("reminder:ada").scheduledFor(T0.plusSeconds(3600)).build());
        DeadLetters letters = jobs.deadLetters("default").orElseThrow();
        events.clear();

        boolean redriven = letters.redrive(dead);

        assertThat(redriven).as("redrive while queue 'other''s job %s held by the scheduler has the key", held)
                .isTrue();
        assertThat(events).filteredOn(JobEvent.Enqueued.class::isInstance).map(JobEvent.Enqueued.class::cast)
                .anySatisfy(enqueued -> {
                    assertThat(enqueued.jobId()).isEqualTo(dead);
                    assertThat(enqueued.queue()).isEqualTo("default");
                });
    }

    @Test
    @DisplayName("throws when the scheduler's store cannot be read, naming the look-up, and the dead letter stays")
    void throwsWhenTheSchedulersStoreCannotBeReadAndTheDeadLetterStays() throws SQLException {
        String dead = deadJobWithKey();
        DeadLetters letters = jobs.deadLetters("default").orElseThrow();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE jobq_scheduled_job");
        }

        assertThatThrownBy(() -> letters.redrive(dead)).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: looking up deduplication key 'reminder:ada' failed on ");
        assertThat(letters.list(10)).extracting(letter -> letter.job().id()).containsExactly(dead);
        // A redriven job dies again at once here and is a dead letter again: only the runs tell it was put back.
        assertThat(runs).as("runs of the dead job").hasValue(1);
    }

    @Test
    @DisplayName("names a dead job's key that the scheduler's store could not be asked about escaped and cut: it "
            + "came from the job's message")
    void namesTheKeyItCouldNotLookUpEscapedAndCut() throws SQLException {
        // the key was repeated raw and whole: a newline in it started a line of its own in the message and the log,
        // and a 10,000-character key made a 10,000-character message
        String key = "reminder:\nada" + "a".repeat(10_000);
        String dead = deadJobWithKey(key);
        DeadLetters letters = jobs.deadLetters("default").orElseThrow();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE jobq_scheduled_job");
        }

        assertThatThrownBy(() -> letters.redrive(dead)).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith("scheduler: looking up deduplication key 'reminder:\\nada" + "a".repeat(67)
                        + "…' (10013 characters) failed on ");
        assertThat(letters.list(10)).extracting(letter -> letter.job().id()).containsExactly(dead);
    }

    /** A job of the default queue with the key {@code reminder:ada}, dead at its first attempt. */
    private String deadJobWithKey() {
        return deadJobWithKey("reminder:ada");
    }

    /** A job of the default queue with {@code key}, dead at its first attempt. */
    private String deadJobWithKey(String key) {
        jobs.registerJobHandler("reminder:send", Reminder.class, (job, ctx) -> {
            runs.incrementAndGet();
            throw new NonRetryableJobException("mail server refused " + job.payload().user());
        });
        jobs.start();
        String dead = jobs.enqueue("reminder:send", new Reminder("ada"),
                EnqueueOptions.builder().deduplicationKey(key).build());
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs.getJob(dead)
                .map(info -> info.state() == JobState.DEAD).orElse(false));
        return dead;
    }
}
