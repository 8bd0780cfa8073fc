package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobOptions;
import dev.jobq.JobQueueException;
import dev.jobq.JobState;
import dev.jobq.MisfirePolicy;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.JobSink;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDBC scheduler's behaviour, run against each database it supports: extend it and create a
 * fresh, empty database per call of {@link #newDatabase()}. Time is a {@link SettableClock}; most
 * tests fire due jobs on the test's thread ({@code fireDue}), the {@code Firing} group runs the
 * real firing thread and waits for it with bounded Awaitility waits.
 */
abstract class JdbcSchedulerContract {

    /** Monday 2026-03-02 12:00 UTC (07:00 in New York, standard time). */
    static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final Duration AN_HOUR = Duration.ofHours(1);

    protected final SettableClock clock = new SettableClock(T0);
    protected final RecordingSink sink = new RecordingSink(clock);
    private final List<JdbcJobScheduler> opened = new CopyOnWriteArrayList<>();
    protected String url;

    /** The URL of a new, empty database. */
    protected abstract String newDatabase();

    /** Another URL for the database at {@code url}, whose connections are told apart by {@code name}. */
    protected String sameDatabase(String url, String name) {
        return url;
    }

    @BeforeEach
    void freshDatabase() {
        url = newDatabase();
    }

    @AfterEach
    void closeSchedulers() {
        opened.forEach(JdbcJobScheduler::close);
    }

    JdbcSchedulerFactory.Builder builder() {
        return JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofMinutes(10));
    }

    JdbcJobScheduler open() {
        return open(builder(), sink);
    }

    JdbcJobScheduler open(JdbcSchedulerFactory.Builder builder) {
        return open(builder, sink);
    }

    JdbcJobScheduler open(JdbcSchedulerFactory.Builder builder, JobSink target) {
        JdbcJobScheduler scheduler = builder.buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, target));
        opened.add(scheduler);
        return scheduler;
    }

    JobEnvelope job(String type) {
        return job(type, JobOptions.defaults());
    }

    JobEnvelope job(String type, JobOptions options) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type,
                "{\"to\":\"user@example.com\",\"note\":\"grüße ✓\"}", options, 0, clock.instant(), null, null);
    }

    static RecurringJob.Builder recurring(String name, String schedule) {
        return RecurringJob.builder(name, "report:" + name).schedule(schedule);
    }

    static RecurringJob everyHour(String name, MisfirePolicy policy) {
        return recurring(name, "every 1 hour").misfirePolicy(policy).build();
    }

    /** Sets the clock to the job's next run and fires it; returns that run. */
    static Instant fireNext(JdbcJobScheduler scheduler, SettableClock clock, String name) {
        Instant next = scheduler.getRecurring(name).orElseThrow().nextRunAt();
        clock.set(next);
        assertThat(scheduler.fireDue()).as("jobs handed on at %s", next).isEqualTo(1);
        return next;
    }

    /** The default scheduler threads, each also added to {@code threads}. */
    static ThreadFactory recordingInto(List<Thread> threads) {
        return task -> {
            Thread thread = JdbcSchedulerFactory.defaultThreads().newThread(task);
            threads.add(thread);
            return thread;
        };
    }

    /** Waits for the latch, at most 30 s; whether it opened (false when interrupted). */
    static boolean awaitBounded(CountDownLatch latch) {
        try {
            return latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * An application's pool of {@code size} connections, each asked for waiting at most 250 ms, returned once it
     * holds all of them: Hikari makes the first as it starts and the rest in the background, and on a loaded
     * machine Flyway's second connection, asked for before the pool had made it, waited out the 250 ms there.
     */
    HikariDataSource applicationPool(int size) {
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(250);
        config.setPoolName("application");
        var pool = new HikariDataSource(config);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> pool.getHikariPoolMXBean().getTotalConnections() == size);
        return pool;
    }

    /** Stores {@code count} jobs of type bulk:item due at {@code due} minus 0, 1, 2 … ms, in one transaction. */
    static void storeDueJobs(JdbcJobScheduler scheduler, int count, Instant due) {
        var rows = new ScheduledJobs();
        scheduler.database().transaction(tx -> {
            for (int i = 0; i < count; i++) {
                var job = new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), "bulk:item", "{}",
                        JobOptions.defaults(), 0, due, null, null);
                rows.insert(tx.dsl(), job, due.minusMillis(i), due);
            }
            return count;
        });
    }

    /**
     * Jobs due at one instant go in the order of their ids, batch after batch on one thread: what
     * JobQueue.enqueueAll's ascending ids rely on to hand its jobs for one instant on in the payloads' order,
     * past batchSize too with fireThreads 1 (docs/semantics.md, Enqueueing many).
     */
    @Test
    @DisplayName("jobs due at one instant are handed on in the order of their ids, batch after batch on one thread")
    void handsOnJobsDueAtOneInstantInTheOrderOfTheirIds() {
        var scheduler = open(builder().batchSize(10).fireThreads(1));
        Instant due = T0.plusSeconds(30);
        List<JobEnvelope> jobs = IntStream.range(0, 35).mapToObj(i -> job("bulk:item")).toList();
        jobs.forEach(job -> scheduler.schedule(job, due));
        clock.set(due);

        assertThat(scheduler.fireDue()).isEqualTo(35);
        assertThat(sink.ofType("bulk:item")).extracting(JobEnvelope::jobId)
                .containsExactlyElementsOf(jobs.stream().map(JobEnvelope::jobId).sorted().toList());
    }

    @Test
    @DisplayName("tables whose history an operator dropped are named with what they hold, and left alone, at every start")
    void tablesWithoutTheirHistoryAreLeftAloneWithTheFix() throws SQLException {
        var before = open();
        before.schedule(job("report:send"), T0.plus(AN_HOUR));
        before.registerRecurring(recurring("digest", "0 9 * * *").build(), "null");
        before.close();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            // Quoted: Flyway creates it lower case on H2 too.
            statement.execute("DROP TABLE \"" + Database.HISTORY_TABLE + "\"");
        }

        for (int start = 1; start <= 2; start++) {
            assertThatThrownBy(this::open).as("start %d", start).isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: the jobq_* tables on ")
                    .hasMessageContaining(" are there, but not their schema history, table jobq_schema_history (dropped, "
                            + "or the tables were copied without it): jobq cannot tell which schema version they are at, "
                            + "and leaves them as they are. They hold 1 waiting one-time job and 1 recurring job. ")
                    .hasMessageEndingWith("To start afresh, drop the jobq_* tables (jobq_scheduled_job, "
                            + "jobq_scheduled_job_done, jobq_recurring_job; their jobs are lost) and start again; to keep "
                            + "the jobs, restore jobq_schema_history from a backup of this database taken with the tables")
                    // Before: on PostgreSQL the advice for missing CREATE rights, on H2 "drop what version 1
                    // created", both after creating the history afresh beside the jobs.
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("CREATE rights")
                            .doesNotContain("drop what version"));
        }
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT COUNT(*) FROM jobq_scheduled_job")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).as("the waiting job, left alone").isOne();
        }
    }

    @Test
    @DisplayName("jobq's recurring table kept where the history and the other tables were dropped is named with what "
            + "it holds, and left alone, rather than run over by version 1")
    void aRecurringTableKeptWithoutTheOthersIsLeftAloneWithTheFix() throws SQLException {
        var before = open();
        before.registerRecurring(recurring("digest", "0 9 * * *").build(), "null");
        before.close();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            // The history quoted: Flyway creates it lower case on H2 too.
            statement.execute("DROP TABLE \"" + Database.HISTORY_TABLE + "\"");
            statement.execute("DROP TABLE jobq_scheduled_job_done");
            statement.execute("DROP TABLE jobq_scheduled_job");
        }

        assertThatThrownBy(this::open).isInstanceOf(JobQueueException.class)
                .hasMessageContaining(" are there, but not their schema history, table jobq_schema_history (dropped, "
                        + "or the tables were copied without it): jobq cannot tell which schema version they are at, "
                        + "and leaves them as they are. They hold 0 waiting one-time jobs and 1 recurring job. ");
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT name FROM jobq_recurring_job")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).as("the recurring job, left alone").isEqualTo("digest");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jobq_recurring_job", "jobq_scheduled_job_done"})
    @DisplayName("an application's table of another jobq name, with none of jobq's beside it, is refused as not jobq's, "
            + "without advice to drop it, and nothing is made beside it")
    void anApplicationsTableOfAnyJobqNameIsRefusedAsNotJobqs(String table) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, note VARCHAR(100))");
            statement.execute("INSERT INTO " + table + " VALUES (1, 'mine')");
        }

        assertThatThrownBy(this::open).isInstanceOf(JobQueueException.class)
                .hasMessageContaining("holds a table named " + table + " that is not jobq's")
                .hasMessageNotContaining("drop");
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT note FROM " + table)) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).as("the application's row, left as it was").isEqualTo("mine");
        }
        try (Connection connection = DriverManager.getConnection(url);
             var rows = connection.getMetaData().getTables(connection.getCatalog(), connection.getSchema(), "%",
                     new String[] {"TABLE"})) {
            List<String> tables = new ArrayList<>();
            while (rows.next()) {
                tables.add(rows.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
            }
            assertThat(tables).as("nothing of jobq's made beside it").containsExactly(table);
        }
    }

    /**
     * The wall clock stepping while schedulers run (NTP correcting a drifted clock, a VM resumed): due times
     * and next runs are instants on the scheduler's clock, so a step back delays what is due by the step and
     * repeats nothing, and a step forward makes what fell in between due at once, recurring occurrences
     * under the misfire policy as after downtime.
     */
    @Nested
    class ClockSteps {

        @Test
        @DisplayName("a step back an hour repeats no occurrence and no one-time job; they go on when the clock is "
                + "back where it was")
        void aStepBackRepeatsNothing() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("tick", "every 1 minute").build(), "{}");
            scheduler.registerRecurring(recurring("cron", "* * * * *").build(), "{}");
            scheduler.schedule(job("report:send"), T0.plusSeconds(90));
            clock.set(T0.plus(Duration.ofMinutes(1)));
            assertThat(scheduler.fireDue()).isEqualTo(2);
            clock.set(T0.plus(Duration.ofMinutes(2)));
            assertThat(scheduler.fireDue()).isEqualTo(3);
            List<String> before = sink.envelopes().stream().map(JobEnvelope::jobId).toList();

            clock.set(T0.plus(Duration.ofMinutes(2)).minus(AN_HOUR));
            assertThat(scheduler.fireDue()).as("handed on in the hour the clock went back").isZero();
            assertThat(scheduler.getRecurring("tick").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofMinutes(3)));
            assertThat(scheduler.getRecurring("cron").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofMinutes(3)));

            clock.set(T0.plus(Duration.ofMinutes(3)));
            assertThat(scheduler.fireDue()).isEqualTo(2);
            assertThat(sink.duplicates()).isEmpty();
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).startsWith(before.toArray(String[]::new));
            assertThat(sink.firedAt("report:tick")).containsExactly(T0.plus(Duration.ofMinutes(1)),
                    T0.plus(Duration.ofMinutes(2)), T0.plus(Duration.ofMinutes(3)));
        }

        @Test
        @DisplayName("a step forward an hour hands on each one-time job due in between once, and each recurring job "
                + "as its misfire policy says, not an occurrence a minute")
        void aStepForwardIsDowntimeUnderTheMisfirePolicy() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("once", "every 1 minute").build(), "{}");
            scheduler.registerRecurring(recurring("skip", "* * * * *").misfirePolicy(MisfirePolicy.SKIP).build(), "{}");
            scheduler.registerRecurring(recurring("all", "*/15 * * * *").misfirePolicy(MisfirePolicy.FIRE_ALL).build(),
                    "{}");
            for (int minute = 10; minute <= 50; minute += 10) {
                scheduler.schedule(job("report:send"), T0.plus(Duration.ofMinutes(minute)));
            }

            clock.set(T0.plus(AN_HOUR).plusSeconds(30)); // 12:00 to 13:00:30 in one step
            scheduler.fireDue();

            assertThat(sink.ofType("report:send")).hasSize(5);
            assertThat(sink.firedAt("report:once")).as("FIRE_ONCE: one run, as the first missed occurrence, then "
                    + "13:00 on time").containsExactly(T0.plus(Duration.ofMinutes(1)), T0.plus(AN_HOUR));
            assertThat(sink.firedAt("report:skip")).as("SKIP: only 13:00, within the threshold")
                    .containsExactly(T0.plus(AN_HOUR));
            assertThat(sink.firedAt("report:all")).as("FIRE_ALL: each quarter").containsExactly(
                    T0.plus(Duration.ofMinutes(15)), T0.plus(Duration.ofMinutes(30)), T0.plus(Duration.ofMinutes(45)),
                    T0.plus(AN_HOUR));
            assertThat(sink.duplicates()).isEmpty();
            assertThat(scheduler.getRecurring("once").orElseThrow().nextRunAt()).isEqualTo(T0.plus(AN_HOUR).plusSeconds(60));
        }
    }

    @Nested
    @DisplayName("one-time jobs")
    class OneTimeJobs {

        @Test
        void handsOnAJobWhenItIsDueAndNotBefore() {
            var scheduler = open();
            JobOptions options = new JobOptions(5, Duration.ofSeconds(10), 3, null, "reports");
            JobEnvelope job = job("report:send", options);
            Instant at = T0.plus(AN_HOUR);

            assertThat(scheduler.schedule(job, at)).isEqualTo(job.jobId());
            assertThat(scheduler.fireDue()).isZero();
            clock.set(at.minusMillis(1));
            assertThat(scheduler.fireDue()).isZero();
            clock.set(at);
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(scheduler.fireDue()).isZero();

            JobEnvelope handedOn = sink.envelopes().getFirst();
            assertThat(handedOn.jobId()).isEqualTo(job.jobId());
            assertThat(handedOn.type()).isEqualTo("report:send");
            assertThat(handedOn.payloadJson()).isEqualTo(job.payloadJson());
            assertThat(handedOn.options()).isEqualTo(options);
            assertThat(handedOn.scheduledFor()).isEqualTo(at);
            assertThat(handedOn.createdAt()).isEqualTo(T0);
            assertThat(handedOn.attempt()).isZero();
            assertThat(scheduler.listScheduled(10)).isEmpty();
        }

        @Test
        void listsWaitingJobsEarliestFirst() {
            var scheduler = open();
            JobEnvelope late = job("b:late");
            JobEnvelope early = job("a:early", new JobOptions(3, Duration.ofSeconds(30), 0, null, "reports"));
            JobEnvelope middle = job("c:middle");
            scheduler.schedule(late, T0.plus(Duration.ofDays(3)));
            scheduler.schedule(early, T0.plus(Duration.ofDays(1)));
            scheduler.schedule(middle, T0.plus(Duration.ofDays(2)));

            List<ScheduledJobInfo> listed = scheduler.listScheduled(2);

            assertThat(listed).extracting(ScheduledJobInfo::id).containsExactly(early.jobId(), middle.jobId());
            ScheduledJobInfo first = listed.getFirst();
            assertThat(first.type()).isEqualTo("a:early");
            assertThat(first.queue()).isEqualTo("reports");
            assertThat(first.scheduledFor()).isEqualTo(T0.plus(Duration.ofDays(1)));
            assertThat(first.status()).isEqualTo(ScheduledJobInfo.Status.SCHEDULED);
            assertThat(first.createdAt()).isEqualTo(T0);
            assertThat(first.error()).isNull();
        }

        @Test
        void neverHandsOnACancelledJob() {
            var scheduler = open();
            JobEnvelope job = job("report:send");
            scheduler.schedule(job, T0.plus(AN_HOUR));

            assertThat(scheduler.status(job.jobId())).hasValue(ScheduledJobInfo.Status.SCHEDULED);
            assertThat(scheduler.cancel(job.jobId())).isTrue();
            assertThat(scheduler.cancel(job.jobId())).isFalse();
            assertThat(scheduler.status(job.jobId())).hasValue(ScheduledJobInfo.Status.CANCELLED);
            assertThat(scheduler.cancel("no-such-job")).isFalse();
            assertThat(scheduler.status("no-such-job")).isEmpty();
            clock.set(T0.plus(Duration.ofHours(2)));

            assertThat(scheduler.fireDue()).isZero();
            assertThat(scheduler.listScheduled(10)).isEmpty();
        }

        @Test
        void cancelWhileTheJobIsBeingHandedOnWaitsForTheHandOffAndSaysItWasTooLate() throws Exception {
            CountDownLatch submitting = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            JobSink slow = envelope -> {
                submitting.countDown();
                try {
                    // A provider taking its time (SQS retrying, say): longer than H2's lock timeout.
                    assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return sink.submit(envelope);
            };
            var scheduler = open(builder(), slow);
            JobEnvelope job = job("report:send");
            scheduler.schedule(job, T0);
            var firing = CompletableFuture.supplyAsync(scheduler::fireDue);
            assertThat(submitting.await(10, TimeUnit.SECONDS)).isTrue();

            var cancelling = CompletableFuture.supplyAsync(() -> scheduler.cancel(job.jobId()));
            // The hand-off holds the row: cancel waits for it, however long the provider takes.
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> !cancelling.isDone());
            release.countDown();

            assertThat(firing.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(cancelling.get(10, TimeUnit.SECONDS)).as("too late: the job was handed on").isFalse();
            assertThat(scheduler.status(job.jobId())).hasValue(ScheduledJobInfo.Status.ENQUEUED);
        }

        @Test
        void neverHandsOnAJobBeforeItsInstantEvenWithinItsLastMicrosecond() {
            var scheduler = open();
            JobEnvelope job = job("report:send");
            Instant at = T0.plus(AN_HOUR).plusNanos(500);
            scheduler.schedule(job, at);

            // Stored to the microsecond, rounded up: the job goes at the first microsecond not before it.
            clock.set(T0.plus(AN_HOUR));
            assertThat(scheduler.fireDue()).isZero();
            clock.set(at);
            assertThat(scheduler.fireDue()).isZero();
            clock.set(T0.plus(AN_HOUR).plusNanos(1000));
            assertThat(scheduler.fireDue()).isEqualTo(1);
        }

        @Test
        void rejectsAnInstantOutsideTheRangeItHoldsBeforeStoringAnything() {
            var scheduler = open();
            JobEnvelope job = job("report:send");

            for (Instant at : List.of(Instant.parse("+300000-01-01T00:00:00Z"), Instant.MAX)) {
                assertThatThrownBy(() -> scheduler.schedule(job, at)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("scheduler: job " + job.jobId() + " (report:send) is due at " + at + ", after "
                                + "9999-12-31T23:59:59.999999Z, the latest instant the scheduler holds; choose an instant "
                                + "from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (one in the past is due at "
                                + "once)");
            }
            assertThatThrownBy(() -> scheduler.schedule(job, Instant.MIN)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("scheduler: job " + job.jobId() + " (report:send) is due at " + Instant.MIN + ", before "
                            + "0001-01-01T00:00:00Z, the earliest instant the scheduler holds; choose an instant from "
                            + "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (one in the past is due at once)");
            assertThat(scheduler.listScheduled(10)).isEmpty();
        }

        @Test
        void theRefusalOfAnInstantOutsideTheRangeRepeatsTheTypeEscapedAndCut() {
            // the type was repeated raw: a newline in it started a line of its own, and 10,000 characters went whole
            var scheduler = open();
            Instant at = Instant.MAX;

            JobEnvelope forged = job("report\n\u001b[31mforged");
            assertThatThrownBy(() -> scheduler.schedule(forged, at)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("scheduler: job " + forged.jobId() + " (report\\n\\u001b[31mforged) is due at "
                            + at + ", after ");
            JobEnvelope long_ = job("t".repeat(10_000));
            assertThatThrownBy(() -> scheduler.schedule(long_, at)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("scheduler: job " + long_.jobId() + " (" + "t".repeat(255) + "…) is due at "
                            + at + ", after ");
            assertThat(scheduler.listScheduled(10)).isEmpty();
        }

        @Test
        void holdsJobsDueAtEitherEndOfTheRange() {
            var scheduler = open();
            JobEnvelope longAgo = job("a:long-ago");
            JobEnvelope farAhead = job("b:far-ahead");
            Instant earliest = Instant.parse("0001-01-01T00:00:00Z");
            Instant latest = Instant.parse("9999-12-31T23:59:59.999999Z");
            scheduler.schedule(longAgo, earliest);
            scheduler.schedule(farAhead, latest);

            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::scheduledFor)
                    .containsExactly(earliest, latest);
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(longAgo.jobId());
        }

        @Test
        void refusesATypeOrQueueLongerThanItsColumnNamingItAndTheFix() {
            var scheduler = open();
            JobEnvelope longType = job("t".repeat(300));
            JobEnvelope longQueue = job("report:send", new JobOptions(3, Duration.ofSeconds(30), 0, null, "q".repeat(256)));

            assertThatThrownBy(() -> scheduler.schedule(longType, T0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("scheduler: job " + longType.jobId() + ": type '" + "t".repeat(60) + "…' is 300 "
                            + "characters long, longer than the 255 the scheduler holds; use a shorter job type");
            assertThatThrownBy(() -> scheduler.schedule(longQueue, T0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("scheduler: job " + longQueue.jobId() + ": queue '" + "q".repeat(60) + "…' is 256 "
                            + "characters long, longer than the 255 the scheduler holds; use a shorter queue name");
            assertThat(scheduler.listScheduled(10)).as("nothing written").isEmpty();
        }

        @Test
        void reportsWhatTheDatabaseRefusedWithoutBlamingTheConnection() {
            var scheduler = open();
            // Job ids are jobq's own (36 characters); one from a foreign producer may not fit the column.
            JobEnvelope job = new JobEnvelope(JobEnvelope.CURRENT_VERSION, "i".repeat(100), "report:send", "{}",
                    JobOptions.defaults(), 0, clock.instant(), null, null);

            assertThatThrownBy(() -> scheduler.schedule(job, T0)).isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("scheduler: scheduling job " + job.jobId() + " failed on ")
                    .message().containsIgnoringCase("too long")
                    .doesNotContain("reachable").doesNotContain("may read and write");
        }

        @Test
        void saysThePoolHadNoFreeConnectionRatherThanBlamingTheDatabase() throws SQLException {
            try (HikariDataSource pool = applicationPool(2)) {
                var scheduler = open(JdbcSchedulerFactory.builder().dataSource(pool).pollInterval(Duration.ofMinutes(10)));
                JobEnvelope job = job("report:send");
                try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
                    assertThatThrownBy(() -> scheduler.schedule(job, T0)).isInstanceOf(JobQueueException.class)
                            .hasMessageStartingWith("scheduler: scheduling job " + job.jobId() + " failed on the given "
                                    + "HikariDataSource: application - Connection is not available")
                            .hasMessageEndingWith("; every connection of the given HikariDataSource was in use for its "
                                    + "whole timeout: give its pool more connections (the scheduler holds up to "
                                    + "fireThreads of them while it hands jobs on)");
                }
                assertThat(scheduler.schedule(job, T0)).isEqualTo(job.jobId());
                scheduler.close();
            }
        }

        @Test
        void aDataSourceOfOneConnectionIsToldAtOnceThatTheTablesNeedTwo() {
            try (HikariDataSource pool = applicationPool(1)) {
                assertThatThrownBy(() -> open(JdbcSchedulerFactory.builder().dataSource(pool)))
                        .isInstanceOf(JobQueueException.class)
                        .hasMessageStartingWith("scheduler: creating or checking the jobq_* tables on the given "
                                + "HikariDataSource found no free connection: application - Connection is not available")
                        .hasMessageEndingWith("; Flyway holds two connections at once while it does, at every start: "
                                + "give the pool at least two, both free when the queue is built");
            }
        }

        @Test
        void aDataSourceWhoseConnectionsDoNotCommitIsNamedAtStartWithWhatItLosesAndTheFix() {
            // What the API writes (schedule(), cancel(), a recurring job's register, enable, disable and delete)
            // runs on the DataSource, joining the application's transaction where its DataSource hands one out; on a
            // pool whose connections have auto-commit off and no transaction around the call, the pool rolls it back when the
            // connection goes back (Hikari does), and the id schedule() returned names a job never stored.
            var config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(2);
            config.setAutoCommit(false);
            config.setPoolName("application");
            try (HikariDataSource pool = new HikariDataSource(config); CapturedLog log = CapturedLog.of(Database.class)) {
                open(JdbcSchedulerFactory.builder().dataSource(pool).pollInterval(Duration.ofMinutes(10))).close();
                assertThat(log.warnings()).containsExactly("scheduler: the given HikariDataSource hands out "
                        + "connections with auto-commit off, so what schedule(), cancel(), registerRecurring(), "
                        + "enableRecurring(), disableRecurring() and deleteRecurring() write is committed only by a transaction of the application's around the call; called "
                        + "outside one, the pool rolls it back when the connection returns (a job scheduled that way "
                        + "is lost): turn auto-commit on in the pool (Hikari: autoCommit=true), or give the scheduler "
                        + "its own jdbcUrl, or call those inside the application's transactions");
            }
            try (HikariDataSource pool = applicationPool(2); CapturedLog log = CapturedLog.of(Database.class)) {
                open(JdbcSchedulerFactory.builder().dataSource(pool).pollInterval(Duration.ofMinutes(10))).close();
                assertThat(log.warnings()).isEmpty();
            }
        }


        @Test
        void cannotCancelAJobAlreadyHandedOn() {
            var scheduler = open();
            JobEnvelope job = job("report:send");
            scheduler.schedule(job, T0);
            scheduler.fireDue();

            assertThat(scheduler.cancel(job.jobId())).isFalse();
            assertThat(scheduler.status(job.jobId())).as("why it could not be cancelled")
                    .hasValue(ScheduledJobInfo.Status.ENQUEUED);
        }

        @Test
        void returnsTheWaitingJobForTheSameDeduplicationKey() {
            var scheduler = open();
            var keyed = new JobOptions(3, Duration.ofSeconds(30), 0, "invoice-42", "default");
            JobEnvelope first = job("invoice:send", keyed);
            JobEnvelope second = job("invoice:send", keyed);
            JobEnvelope otherQueue = job("invoice:send", new JobOptions(3, Duration.ofSeconds(30), 0, "invoice-42",
                    "reports"));

            assertThat(scheduler.schedule(first, T0.plus(AN_HOUR))).isEqualTo(first.jobId());
            assertThat(scheduler.schedule(second, T0.plus(Duration.ofHours(2)))).isEqualTo(first.jobId());
            assertThat(scheduler.schedule(otherQueue, T0.plus(AN_HOUR))).isEqualTo(otherQueue.jobId());
            clock.set(T0.plus(AN_HOUR));
            assertThat(scheduler.fireDue()).isEqualTo(2);

            JobEnvelope third = job("invoice:send", keyed);
            assertThat(scheduler.schedule(third, T0.plus(Duration.ofHours(3)))).isEqualTo(third.jobId());
        }

        @Test
        void schedulingTheSameJobIdTwiceKeepsOneJob() {
            var scheduler = open();
            JobEnvelope job = job("report:send");

            scheduler.schedule(job, T0.plus(AN_HOUR));
            scheduler.schedule(job, T0.plus(AN_HOUR));

            assertThat(scheduler.listScheduled(10)).hasSize(1);
        }

        @Test
        void schedulingTheSameJobIdTwiceInTheApplicationsTransactionKeepsOneJobAndTheTransaction() throws SQLException {
            try (HikariDataSource pool = applicationPool(3)) {
                var application = new ApplicationTransactions(pool);
                var scheduler = open(JdbcSchedulerFactory.builder().dataSource(application)
                        .pollInterval(Duration.ofMinutes(10)));
                JobEnvelope job = job("report:send");
                try (Connection transaction = pool.getConnection()) {
                    application.bind(transaction);
                    try {
                        scheduler.schedule(job, T0.plus(AN_HOUR));
                        assertThat(scheduler.schedule(job, T0.plus(AN_HOUR))).as("the same call retried")
                                .isEqualTo(job.jobId());
                        try (Statement statement = transaction.createStatement()) {
                            statement.execute("SELECT 1");
                        }
                        transaction.commit();
                    } finally {
                        application.unbind();
                    }
                }
                assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(job.jobId());
                scheduler.close();
            }
        }

        @Test
        void schedulingAJobAgainAfterItWasHandedOnDoesNotHandItOnTwice() {
            var scheduler = open();
            JobEnvelope job = job("report:send");
            scheduler.schedule(job, T0);
            assertThat(scheduler.fireDue()).isEqualTo(1);

            assertThat(scheduler.schedule(job, T0)).isEqualTo(job.jobId());

            assertThat(scheduler.fireDue()).isZero();
            assertThat(scheduler.listScheduled(10)).isEmpty();
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
        }

        /**
         * Up to schema version 3 a handed-on row stayed in jobq_scheduled_job, marked ENQUEUED;
         * version 4 moves it to jobq_scheduled_job_done, where a retried schedule(...) and the
         * purge find it.
         */
        @Test
        void jobsHandedOnBeforeSchemaVersion4AreKnownAfterTheUpgrade() throws Exception {
            Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                    .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                    .javaMigrations(new PartialIndexesOnPostgres()).target("3").load().migrate();
            JobEnvelope handedOn = job("report:sent");
            JobEnvelope waiting = job("report:waiting");
            try (Connection connection = DriverManager.getConnection(url)) {
                insertVersion3Row(connection, handedOn, "ENQUEUED", T0);
                insertVersion3Row(connection, waiting, "SCHEDULED", T0.plus(AN_HOUR));
            }

            var scheduler = open(builder().retention(AN_HOUR));

            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(waiting.jobId());
            assertThat(scheduler.schedule(handedOn, T0)).isEqualTo(handedOn.jobId());
            assertThat(scheduler.fireDue()).isZero();
            clock.set(T0.plus(Duration.ofMinutes(61)));
            assertThat(scheduler.purgeNow()).as("records purged").isEqualTo(1);
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(waiting.jobId());
        }

        /** A database made by the first jobq with a schema (version 1), with jobs in it, upgraded by the current one. */
        @Test
        void jobsStoredAtSchemaVersion1AreKeptAndFireAfterTheUpgrade() throws Exception {
            Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                    .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                    .javaMigrations(new PartialIndexesOnPostgres()).target("1").load().migrate();
            JobEnvelope handedOn = job("report:sent");
            JobEnvelope dueNow = job("report:due");
            JobEnvelope dueLater = job("report:later");
            try (Connection connection = DriverManager.getConnection(url)) {
                insertVersion3Row(connection, handedOn, "ENQUEUED", T0.minus(AN_HOUR));
                insertVersion3Row(connection, dueNow, "SCHEDULED", T0);
                insertVersion3Row(connection, dueLater, "SCHEDULED", T0.plus(AN_HOUR));
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobq_recurring_job (name, "
                        + "type, queue, payload, options, schedule, timezone, enabled, misfire_policy, next_run_at, "
                        + "due_at, attempts, created_at, updated_at) VALUES ('digest', 'report:digest', 'default', "
                        + "'{}', '{}', 'every 1 hour', 'UTC', TRUE, 'FIRE_ONCE', ?, ?, 0, ?, ?)")) {
                    OffsetDateTime t0 = OffsetDateTime.ofInstant(T0, ZoneOffset.UTC);
                    for (int i = 1; i <= 4; i++) {
                        insert.setObject(i, t0);
                    }
                    insert.executeUpdate();
                }
            }

            var scheduler = open();

            assertThat(scheduler.status(handedOn.jobId())).contains(ScheduledJobInfo.Status.ENQUEUED);
            assertThat(scheduler.fireDue()).isEqualTo(2);
            assertThat(scheduler.getRecurring("digest").orElseThrow().nextRunAt()).isEqualTo(T0.plus(AN_HOUR));
            clock.set(T0.plus(AN_HOUR));
            assertThat(scheduler.fireDue()).isEqualTo(2);
            assertThat(sink.envelopes()).extracting(JobEnvelope::type)
                    .containsExactlyInAnyOrder("report:due", "report:digest", "report:later", "report:digest");
            assertThat(sink.duplicates()).isEmpty();
            assertThat(scheduler.listScheduled(10)).isEmpty();
        }

        /**
         * A database at each schema version before this one, holding jobs of every sort, started by the
         * current code: each due job and occurrence is handed on once, later ones keep their instants,
         * a waiting job keeps its deduplication key, and handed-on and cancelled jobs stay known.
         */
        @ParameterizedTest(name = "from schema version {0}")
        @ValueSource(strings = {"1", "2", "3"})
        void jobsOfEverySortStoredAtAnEarlierSchemaVersionAreKeptByTheUpgrade(String version) throws Exception {
            Flyway.configure(Database.class.getClassLoader()).dataSource(url, null, null)
                    .table(Database.HISTORY_TABLE).locations(Database.MIGRATIONS)
                    .javaMigrations(new PartialIndexesOnPostgres()).target(version).load().migrate();
            var keyed = new JobOptions(3, Duration.ofSeconds(30), 0, "invoice-42", "default");
            JobEnvelope dueKeyed = job("invoice:send", keyed);
            JobEnvelope due = job("report:due");
            JobEnvelope later = job("report:later");
            JobEnvelope cancelled = job("report:cancelled");
            JobEnvelope handedOn = job("report:sent");
            try (Connection connection = DriverManager.getConnection(url)) {
                insertOldRow(connection, dueKeyed, "SCHEDULED", T0.minusSeconds(1),
                        ScheduledJobs.pendingKey("default", "invoice-42"), T0.minus(AN_HOUR));
                insertOldRow(connection, due, "SCHEDULED", T0, null, T0.minus(AN_HOUR));
                insertOldRow(connection, later, "SCHEDULED", T0.plus(AN_HOUR), null, T0.minus(AN_HOUR));
                insertOldRow(connection, cancelled, "CANCELLED", T0, null, T0.minus(Duration.ofMinutes(30)));
                insertOldRow(connection, handedOn, "ENQUEUED", T0.minus(AN_HOUR), null, T0.minus(Duration.ofMinutes(30)));
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobq_recurring_job (name, "
                        + "type, queue, payload, options, schedule, timezone, enabled, misfire_policy, next_run_at, "
                        + "due_at, attempts, created_at, updated_at) VALUES (?, ?, 'default', '{}', '{}', "
                        + "'every 1 hour', 'UTC', ?, 'FIRE_ONCE', ?, ?, 0, ?, ?)")) {
                    for (var row : List.of(List.of("digest", true, T0), List.of("weekly", true,
                            T0.plus(Duration.ofDays(3))), List.of("paused", false, T0))) {
                        insert.setString(1, (String) row.get(0));
                        insert.setString(2, "report:" + row.get(0));
                        insert.setBoolean(3, (Boolean) row.get(1));
                        OffsetDateTime next = OffsetDateTime.ofInstant((Instant) row.get(2), ZoneOffset.UTC);
                        for (int i = 4; i <= 7; i++) {
                            insert.setObject(i, next);
                        }
                        insert.executeUpdate();
                    }
                }
            }

            var scheduler = open(builder().retention(AN_HOUR));

            assertThat(scheduler.status(handedOn.jobId())).contains(ScheduledJobInfo.Status.ENQUEUED);
            assertThat(scheduler.status(cancelled.jobId())).contains(ScheduledJobInfo.Status.CANCELLED);
            assertThat(scheduler.schedule(job("invoice:send", keyed), T0.plus(AN_HOUR)))
                    .as("a job with the waiting one's deduplication key").isEqualTo(dueKeyed.jobId());
            assertThat(scheduler.schedule(handedOn, T0)).as("a retry of a job handed on").isEqualTo(handedOn.jobId());
            assertThat(scheduler.fireDue()).as("the two due jobs and the due occurrence").isEqualTo(3);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId)
                    .contains(dueKeyed.jobId(), due.jobId()).doesNotContain(handedOn.jobId(), cancelled.jobId());
            assertThat(scheduler.listScheduled(10)).singleElement().satisfies(job -> {
                assertThat(job.id()).isEqualTo(later.jobId());
                assertThat(job.scheduledFor()).isEqualTo(T0.plus(AN_HOUR));
            });
            assertThat(scheduler.getRecurring("digest").orElseThrow().nextRunAt()).isEqualTo(T0.plus(AN_HOUR));
            assertThat(scheduler.getRecurring("weekly").orElseThrow().nextRunAt())
                    .isEqualTo(T0.plus(Duration.ofDays(3)));
            assertThat(scheduler.getRecurring("paused").orElseThrow().enabled()).isFalse();
            assertThat(scheduler.fireDue()).as("nothing twice").isZero();

            clock.set(T0.plus(AN_HOUR));
            assertThat(scheduler.fireDue()).as("the later job and the next occurrence").isEqualTo(2);
            assertThat(sink.duplicates()).isEmpty();
            assertThat(scheduler.purgeNow()).as("the record of the job handed on before the upgrade and the "
                    + "cancelled row, older than the retention (the jobs handed on since are not)").isEqualTo(2);
        }

        private static void insertOldRow(Connection connection, JobEnvelope job, String status, Instant due,
                                         String pendingKey, Instant updated) throws SQLException {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobq_scheduled_job (id, type, "
                    + "queue, payload, options, pending_key, scheduled_for, due_at, status, attempts, created_at, "
                    + "updated_at) VALUES (?, ?, 'default', '{}', '{}', ?, ?, ?, ?, 0, ?, ?)")) {
                OffsetDateTime at = OffsetDateTime.ofInstant(due, ZoneOffset.UTC);
                insert.setString(1, job.jobId());
                insert.setString(2, job.type());
                insert.setString(3, pendingKey);
                insert.setObject(4, at);
                insert.setObject(5, at);
                insert.setString(6, status);
                insert.setObject(7, OffsetDateTime.ofInstant(updated, ZoneOffset.UTC));
                insert.setObject(8, OffsetDateTime.ofInstant(updated, ZoneOffset.UTC));
                insert.executeUpdate();
            }
        }

        private static void insertVersion3Row(Connection connection, JobEnvelope job, String status, Instant due)
                throws SQLException {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobq_scheduled_job (id, type, "
                    + "queue, payload, options, scheduled_for, due_at, status, attempts, created_at, updated_at) "
                    + "VALUES (?, ?, 'default', '{}', '{}', ?, ?, ?, 0, ?, ?)")) {
                OffsetDateTime at = OffsetDateTime.ofInstant(due, ZoneOffset.UTC);
                OffsetDateTime now = OffsetDateTime.ofInstant(T0, ZoneOffset.UTC);
                insert.setString(1, job.jobId());
                insert.setString(2, job.type());
                insert.setObject(3, at);
                insert.setObject(4, at);
                insert.setString(5, status);
                insert.setObject(6, now);
                insert.setObject(7, now);
                insert.executeUpdate();
            }
        }

        @Test
        void keepsAJobWhoseHandOffFailedWithItsErrorAndTriesAgainLater() {
            var scheduler = open();
            JobEnvelope job = job("report:send");
            scheduler.schedule(job, T0);
            sink.refuseWhen(e -> true);

            assertThat(scheduler.fireDue()).isZero();
            ScheduledJobInfo kept = scheduler.listScheduled(10).getFirst();
            assertThat(kept.status()).isEqualTo(ScheduledJobInfo.Status.SCHEDULED);
            assertThat(kept.error()).isEqualTo("JobQueueException: provider unreachable (refused by the test) for job "
                    + job.jobId());
            assertThat(scheduler.fireDue()).as("no retry before the pause").isZero();

            sink.refuseWhen(e -> false);
            clock.set(T0.plus(HandOff.FIRST_RETRY));
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(sink.envelopes().getFirst().jobId()).isEqualTo(job.jobId());
        }

        /**
         * A job its queue's provider rejects at the hand-off (its limits changed since the job was
         * scheduled: maxPayloadBytes lowered, the queue moved to SQS) is kept, as it loses nothing and
         * a change of configuration or another process with the queue may take it; but a rejection is
         * not an outage: the job is logged once at WARN with the way out, then tried again every
         * {@link HandOff#MAX_RETRY} without a WARN each time, and the other due jobs go on.
         */
        @Test
        void keepsAJobItsProviderRejectsTriesItRarelyAndWarnsOnce() {
            var scheduler = open();
            JobEnvelope rejected = job("report:big");
            scheduler.schedule(rejected, T0);
            scheduler.schedule(job("report:small"), T0);
            sink.rejectWhen(e -> e.type().equals("report:big"));
            try (var log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).as("the other due job is handed on").isEqualTo(1);
                assertThat(sink.ofType("report:small")).hasSize(1);
                ScheduledJobInfo kept = scheduler.listScheduled(10).getFirst();
                assertThat(kept.id()).isEqualTo(rejected.jobId());
                assertThat(kept.status()).isEqualTo(ScheduledJobInfo.Status.SCHEDULED);
                assertThat(kept.error()).contains("rejected by the test");

                clock.set(T0.plus(HandOff.FIRST_RETRY.multipliedBy(8)));
                assertThat(scheduler.fireDue()).as("a rejected job is not tried again as an outage is").isZero();
                clock.set(T0.plus(HandOff.MAX_RETRY));
                assertThat(scheduler.fireDue()).isZero();
                clock.set(T0.plus(HandOff.MAX_RETRY.multipliedBy(2)));
                assertThat(scheduler.fireDue()).isZero();

                List<String> warnings = log.warnings();
                assertThat(warnings).as("one WARN for the job, not one per try").hasSize(1);
                assertThat(warnings.getFirst()).contains(rejected.jobId(), "report:big", "rejected by the test",
                        "jobq schedule cancel " + rejected.jobId(), "every 5m");

                sink.rejectWhen(e -> false);
                clock.set(T0.plus(HandOff.MAX_RETRY.multipliedBy(3)));
                assertThat(scheduler.fireDue()).as("taken once its queue takes it").isEqualTo(1);
                assertThat(sink.ofType("report:big")).hasSize(1);
            }
        }

        @Test
        void triesARecurringJobItsProviderRejectsRarelyAndWarnsOnce() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("big", "every 1 minute").build(), "{}");
            scheduler.registerRecurring(recurring("small", "every 1 minute").build(), "{}");
            sink.rejectWhen(e -> e.type().equals("report:big"));
            try (var log = CapturedLog.of(HandOff.class)) {
                Instant first = scheduler.getRecurring("big").orElseThrow().nextRunAt();
                clock.set(first);
                assertThat(scheduler.fireDue()).isEqualTo(1);
                for (int minute = 1; minute <= 10; minute++) {
                    clock.set(first.plus(Duration.ofMinutes(minute)));
                    scheduler.fireDue();
                }
                assertThat(sink.ofType("report:small")).as("the other recurring job goes on").hasSize(11);
                assertThat(scheduler.getRecurring("big").orElseThrow().lastError()).contains("rejected by the test");

                List<String> warnings = log.warnings();
                assertThat(warnings).as("one WARN for the job, not one per try").hasSize(1);
                assertThat(warnings.getFirst()).contains("'big'", "rejected by the test", "every 5m");
            }
        }

        /**
         * On one thread, batch after batch, earliest first overall. With helper threads (fireThreads
         * above 1, PostgreSQL's default) each claim still takes the earliest due rows nobody holds,
         * but batches handed on at the same time interleave (docs/scheduler.md).
         */
        @Test
        void handsOnManyDueJobsInBatchesEarliestFirst() {
            var scheduler = open(builder().batchSize(10).fireThreads(1));
            List<Instant> dueTimes = IntStream.range(0, 35)
                    .mapToObj(i -> T0.plusSeconds((i * 7L) % 35)).toList();
            dueTimes.forEach(at -> scheduler.schedule(job("bulk:item"), at));
            clock.set(T0.plus(AN_HOUR));

            assertThat(scheduler.fireDue()).isEqualTo(35);
            assertThat(sink.firedAt("bulk:item")).isSorted().hasSize(35);
            assertThat(sink.duplicates()).isEmpty();
        }
    }

    @Nested
    @DisplayName("recurring jobs")
    class RecurringJobs {

        @Test
        void registersACronJobWithItsNextRunInItsTimezone() {
            var scheduler = open();

            RecurringJobInfo info = scheduler.registerRecurring(recurring("digest", "0 9 * * *")
                    .timezone(NEW_YORK).build(), "{\"kind\":\"daily\"}");

            assertThat(info.name()).isEqualTo("digest");
            assertThat(info.type()).isEqualTo("report:digest");
            assertThat(info.schedule()).isEqualTo("0 9 * * *");
            assertThat(info.timezone()).isEqualTo(NEW_YORK);
            assertThat(info.enabled()).isTrue();
            assertThat(info.misfirePolicy()).isEqualTo(MisfirePolicy.FIRE_ONCE);
            assertThat(info.nextRunAt()).isEqualTo(Instant.parse("2026-03-02T14:00:00Z"));
            assertThat(info.lastRunAt()).isNull();
            assertThat(info.createdAt()).isEqualTo(T0);
            assertThat(scheduler.listRecurring()).containsExactly(info);
            assertThat(scheduler.getRecurring("digest")).contains(info);
            assertThat(scheduler.getRecurring("nothing")).isEmpty();
        }

        @Test
        @DisplayName("registering, enabling and disabling join the application's transaction: its rollback undoes "
                + "them, its commit keeps them")
        void registeringEnablingAndDisablingJoinTheApplicationsTransaction() throws SQLException {
            try (HikariDataSource pool = applicationPool(3)) {
                var application = new ApplicationTransactions(pool);
                var scheduler = open(JdbcSchedulerFactory.builder().dataSource(application)
                        .pollInterval(Duration.ofMinutes(10)));
                RecurringJob digest = recurring("digest", "0 9 * * *").build();

                inApplicationsTransaction(pool, application, false, () -> {
                    scheduler.schedule(job("report:send"), T0.plus(AN_HOUR));
                    scheduler.registerRecurring(digest, "null");
                });
                assertThat(scheduler.listScheduled(10)).as("the job scheduled before registerRecurring in the "
                        + "application's transaction it rolled back").isEmpty();
                assertThat(scheduler.listRecurring()).as("registered in the transaction rolled back").isEmpty();
                inApplicationsTransaction(pool, application, true, () -> scheduler.registerRecurring(digest, "null"));
                assertThat(scheduler.getRecurring("digest")).as("registered in the transaction committed")
                        .hasValueSatisfying(info -> assertThat(info.enabled()).isTrue());

                inApplicationsTransaction(pool, application, false, () -> {
                    scheduler.schedule(job("report:send"), T0.plus(AN_HOUR));
                    assertThat(scheduler.setRecurringEnabled("digest", false)).isTrue();
                });
                assertThat(scheduler.listScheduled(10)).as("the job scheduled before disabling, rolled back").isEmpty();
                assertThat(scheduler.getRecurring("digest").orElseThrow().enabled()).as("disabled, rolled back").isTrue();
                inApplicationsTransaction(pool, application, true,
                        () -> assertThat(scheduler.setRecurringEnabled("digest", false)).isTrue());
                assertThat(scheduler.getRecurring("digest").orElseThrow().enabled()).as("disabled, committed").isFalse();

                inApplicationsTransaction(pool, application, false, () -> {
                    scheduler.schedule(job("report:send"), T0.plus(AN_HOUR));
                    assertThat(scheduler.setRecurringEnabled("digest", true)).isTrue();
                });
                assertThat(scheduler.listScheduled(10)).as("the job scheduled before enabling, rolled back").isEmpty();
                assertThat(scheduler.getRecurring("digest").orElseThrow().enabled()).as("enabled, rolled back").isFalse();
                inApplicationsTransaction(pool, application, true,
                        () -> assertThat(scheduler.setRecurringEnabled("digest", true)).isTrue());
                assertThat(scheduler.getRecurring("digest").orElseThrow().nextRunAt()).as("enabled, committed")
                        .isEqualTo(Instant.parse("2026-03-02T09:00:00Z").plus(Duration.ofDays(1)));
                scheduler.close();
            }
        }

        /** Runs {@code work} in an application's transaction on a connection of {@code pool}, then ends it. */
        private static void inApplicationsTransaction(HikariDataSource pool, ApplicationTransactions application,
                                                      boolean commit, Runnable work) throws SQLException {
            try (Connection transaction = pool.getConnection()) {
                application.bind(transaction);
                try {
                    work.run();
                } finally {
                    application.unbind();
                    if (commit) {
                        transaction.commit();
                    } else {
                        transaction.rollback();
                    }
                    transaction.setAutoCommit(true);
                }
            }
        }

        @Test
        void firesEachOccurrenceOnceWithAnIdFromNameAndInstant() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("digest", "0 9 * * *").timezone(NEW_YORK)
                    .options(EnqueueOptions.builder().maxAttempts(7).queue("reports").build()).build(),
                    "{\"kind\":\"daily\"}");
            Instant nine = Instant.parse("2026-03-02T14:00:00Z");

            clock.set(nine);
            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(scheduler.fireDue()).isZero();

            JobEnvelope occurrence = sink.envelopes().getFirst();
            assertThat(occurrence.jobId()).isEqualTo(OccurrenceIds.of("digest", nine));
            assertThat(occurrence.type()).isEqualTo("report:digest");
            assertThat(occurrence.payloadJson()).isEqualTo("{\"kind\":\"daily\"}");
            assertThat(occurrence.options().maxAttempts()).isEqualTo(7);
            assertThat(occurrence.queue()).isEqualTo("reports");
            assertThat(occurrence.scheduledFor()).isEqualTo(nine);
            RecurringJobInfo info = scheduler.getRecurring("digest").orElseThrow();
            assertThat(info.lastRunAt()).isEqualTo(nine);
            assertThat(info.nextRunAt()).isEqualTo(nine.plus(Duration.ofDays(1)));
        }

        @Test
        void keepsAnIntervalJobOnItsGridHoweverLateItIsLookedAt() {
            var scheduler = open();
            clock.set(T0.plusMillis(7_500));
            scheduler.registerRecurring(recurring("tick", "every 10 minutes").build(), "null");
            Instant grid = T0.plusSeconds(7);
            Duration step = Duration.ofMinutes(10);

            for (int i = 1; i <= 5; i++) {
                // looked at 3 s, 17 s, 31 s … after each occurrence, as a busy scheduler might
                clock.set(grid.plus(step.multipliedBy(i)).plusSeconds(3 + 14L * (i - 1)));
                assertThat(scheduler.fireDue()).isEqualTo(1);
            }

            assertThat(sink.firedAt("report:tick")).containsExactly(grid.plus(step), grid.plus(step.multipliedBy(2)),
                    grid.plus(step.multipliedBy(3)), grid.plus(step.multipliedBy(4)), grid.plus(step.multipliedBy(5)));
            assertThat(scheduler.getRecurring("tick").orElseThrow().nextRunAt()).isEqualTo(grid.plus(step.multipliedBy(6)));
        }

        @Test
        void keepsTheNextRunWhenRegisteredAgainUnchangedAndRecomputesItForANewSchedule() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{\"v\":1}");
            clock.set(T0.plus(Duration.ofMinutes(40)));

            RecurringJobInfo again = scheduler.registerRecurring(recurring("sync", "every 1 hour")
                    .misfirePolicy(MisfirePolicy.SKIP).build(), "{\"v\":2}");
            assertThat(again.nextRunAt()).isEqualTo(T0.plus(AN_HOUR));
            assertThat(again.misfirePolicy()).isEqualTo(MisfirePolicy.SKIP);
            assertThat(again.createdAt()).isEqualTo(T0);
            clock.set(T0.plus(AN_HOUR));
            scheduler.fireDue();
            assertThat(sink.envelopes().getFirst().payloadJson()).isEqualTo("{\"v\":2}");

            RecurringJobInfo changed = scheduler.registerRecurring(recurring("sync", "every 2 hours").build(), "{}");
            assertThat(changed.nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(3)));
            RecurringJobInfo otherZone = scheduler.registerRecurring(recurring("sync", "every 2 hours")
                    .timezone(NEW_YORK).build(), "{}");
            assertThat(otherZone.nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(3)));
            assertThat(otherZone.timezone()).isEqualTo(NEW_YORK);
        }

        /** UTC, the name jobq recurring list gives the default zone (Z), is no change of schedule, nor is Etc/UTC. */
        @Test
        void keepsTheNextRunWhenRegisteredAgainWithTheSameZoneUnderAnotherName() {
            var scheduler = open(builder().misfireThreshold(Duration.ofSeconds(60)));
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            scheduler.registerRecurring(recurring("digest", "0 13 * * *").build(), "{}");
            // Every scheduler was down over 13:00; a deploy registers the jobs again.
            clock.set(T0.plus(Duration.ofMinutes(65)));

            RecurringJobInfo sync = scheduler.registerRecurring(recurring("sync", "every 1 hour")
                    .timezone(ZoneId.of("UTC")).build(), "{}");
            RecurringJobInfo digest = scheduler.registerRecurring(recurring("digest", "0 13 * * *")
                    .timezone(ZoneId.of("Etc/UTC")).build(), "{}");

            assertThat(sync.nextRunAt()).isEqualTo(T0.plus(AN_HOUR));
            assertThat(sync.timezone()).isEqualTo(ZoneId.of("UTC"));
            assertThat(digest.nextRunAt()).isEqualTo(T0.plus(AN_HOUR));
            assertThat(scheduler.fireDue()).as("the missed runs, once each").isEqualTo(2);
            assertThat(sink.firedAt("report:sync")).containsExactly(T0.plus(AN_HOUR));
            assertThat(sink.firedAt("report:digest")).containsExactly(T0.plus(AN_HOUR));
        }

        @Test
        void keepsItsGridAcrossARestart() {
            var first = open();
            first.registerRecurring(recurring("sync", "every 15 minutes").build(), "{}");
            clock.set(T0.plus(Duration.ofMinutes(15)));
            first.fireDue();
            first.close();
            clock.set(T0.plus(Duration.ofMinutes(22)));

            var restarted = open();
            restarted.registerRecurring(recurring("sync", "every 15 minutes").build(), "{}");

            assertThat(restarted.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
            assertThat(fireNext(restarted, clock, "sync")).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        }

        @Test
        void doesNotFireWhileDisabledAndResumesOnItsGrid() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");

            assertThat(scheduler.setRecurringEnabled("sync", false)).isTrue();
            RecurringJobInfo disabled = scheduler.getRecurring("sync").orElseThrow();
            assertThat(disabled.enabled()).isFalse();
            assertThat(disabled.nextRunAt()).isNull();
            clock.set(T0.plus(Duration.ofMinutes(150)));
            assertThat(scheduler.fireDue()).isZero();

            assertThat(scheduler.setRecurringEnabled("sync", true)).isTrue();
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(3)));
            assertThat(scheduler.fireDue()).isZero();
            assertThat(scheduler.setRecurringEnabled("nothing", true)).isFalse();
            assertThat(scheduler.setRecurringEnabled("nothing", false)).isFalse();
        }

        @Test
        void registeringAnswersTheJobAsItIsStored_whatGetRecurringReadsBack() {
            var scheduler = open();
            clock.set(T0.plusNanos(123_456_789));
            RecurringJobInfo first = scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            assertThat(scheduler.getRecurring("sync")).contains(first);
            clock.set(T0.plus(Duration.ofMinutes(5)).plusNanos(987_654_321));
            RecurringJobInfo again = scheduler.registerRecurring(recurring("sync", "every 2 hours").build(), "{}");
            assertThat(scheduler.getRecurring("sync")).contains(again);
        }

        @Test
        void deletesAJob() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");

            assertThat(scheduler.deleteRecurring("sync")).isTrue();
            assertThat(scheduler.deleteRecurring("sync")).isFalse();
            assertThat(scheduler.getRecurring("sync")).isEmpty();
            clock.set(T0.plus(AN_HOUR));
            assertThat(scheduler.fireDue()).isZero();
        }

        /**
         * A zone added by newer time-zone data than this runtime's (as America/Coyhaique was in 2025b),
         * named by a job another process registered: listed with the others, its zone's text and why; it does not
         * fire here, and can still be disabled and deleted.
         */
        @Test
        void aJobInAZoneThisRuntimeDoesNotKnowIsListedWithTheOthersAndCanStillBeDisabled() throws SQLException {
            var scheduler = open();
            scheduler.registerRecurring(recurring("digest", "0 9 * * *").build(), "{}");
            RecurringJobInfo sync = scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            setTimezone("digest", "America/Atlantis");
            String why = "recurring job 'digest': timezone 'America/Atlantis' is unknown to this Java runtime (";

            assertThat(scheduler.listRecurring()).extracting(RecurringJobInfo::name).containsExactly("digest", "sync");
            RecurringJobInfo digest = scheduler.getRecurring("digest").orElseThrow();
            assertThat(scheduler.listRecurring()).containsExactly(digest, sync);
            assertThat(digest.timezone()).isNull();
            assertThat(digest.timezoneId()).isEqualTo("America/Atlantis");
            assertThat(digest.problem()).startsWith(why)
                    .contains("update this Java runtime or its time-zone data (tzupdater), or register the job again "
                            + "with a zone both know")
                    .endsWith("(jobq recurring disable and delete still work)");
            assertThat(digest.enabled()).isTrue();
            assertThat(digest.nextRunAt()).isEqualTo(Instant.parse("2026-03-03T09:00:00Z"));
            assertThat(sync.timezoneId()).isEqualTo("Z");
            assertThat(sync.problem()).isNull();
            assertThatThrownBy(() -> scheduler.setRecurringEnabled("digest", true)).isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith(why);

            clock.set(Instant.parse("2026-03-03T09:00:00Z"));
            scheduler.fireDue();
            assertThat(sink.envelopes()).as("sync's, none of digest's").extracting(JobEnvelope::type).isNotEmpty()
                    .containsOnly("report:sync");
            RecurringJobInfo kept = scheduler.getRecurring("digest").orElseThrow();
            assertThat(kept.nextRunAt()).as("kept, not skipped").isEqualTo(Instant.parse("2026-03-03T09:00:00Z"));
            assertThat(kept.lastError()).as("left as it is, for a process that can read it").isNull();

            assertThat(scheduler.setRecurringEnabled("digest", false)).isTrue();
            assertThat(scheduler.getRecurring("digest").orElseThrow().enabled()).isFalse();
            assertThat(scheduler.deleteRecurring("digest")).isTrue();
            assertThat(scheduler.listRecurring()).extracting(RecurringJobInfo::name).containsExactly("sync");
        }

        /** A row written by hand, whose zone is not even in a zone id's form: no talk of time-zone data. */
        @Test
        void aJobWhoseTimezoneIsNoZoneIdIsListedWithTheOthersAndWhy() throws SQLException {
            var scheduler = open();
            scheduler.registerRecurring(recurring("digest", "0 9 * * *").build(), "{}");
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            setTimezone("digest", "New York");

            assertThat(scheduler.listRecurring()).extracting(RecurringJobInfo::name).containsExactly("digest", "sync");
            RecurringJobInfo digest = scheduler.getRecurring("digest").orElseThrow();
            assertThat(digest.timezone()).isNull();
            assertThat(digest.timezoneId()).isEqualTo("New York");
            assertThat(digest.problem()).isEqualTo("recurring job 'digest': timezone 'New York' is not a time-zone id "
                    + "(Invalid ID for region-based ZoneId, invalid format: New York): jobq writes none such, the row "
                    + "was changed by hand; register the job again with a zone id such as 'America/New_York' or 'UTC' "
                    + "(jobq recurring disable and delete still work)");
        }

        /**
         * A misfire policy a newer version of jobq added, on a job it registered in the database this one shares (or a
         * row changed by hand): listed with the others and why; not fired here, kept.
         */
        @Test
        void aJobWithAMisfirePolicyThisVersionDoesNotKnowIsListedWithTheOthers() throws SQLException {
            var scheduler = open();
            scheduler.registerRecurring(recurring("digest", "0 9 * * *").build(), "{}");
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE jobq_recurring_job SET misfire_policy = 'FIRE_LATEST' WHERE name = 'digest'")) {
                assertThat(update.executeUpdate()).isOne();
            }
            String why = "recurring job 'digest': misfire policy 'FIRE_LATEST' is unknown to this version of jobq, "
                    + "which knows [FIRE_ONCE, SKIP, FIRE_ALL]: a newer version registered the job, or the row was "
                    + "changed by hand; run this process on that version, or register the job again with one of these "
                    + "(jobq recurring disable and delete still work)";

            assertThat(scheduler.listRecurring()).extracting(RecurringJobInfo::name).containsExactly("digest", "sync");
            RecurringJobInfo digest = scheduler.getRecurring("digest").orElseThrow();
            assertThat(digest.misfirePolicy()).isNull();
            assertThat(digest.problem()).isEqualTo(why);
            assertThat(digest.timezone()).isEqualTo(ZoneOffset.UTC);

            clock.set(Instant.parse("2026-03-03T09:00:00Z"));
            scheduler.fireDue();
            assertThat(sink.envelopes()).as("sync's, none of digest's").extracting(JobEnvelope::type).isNotEmpty()
                    .containsOnly("report:sync");
            RecurringJobInfo kept = scheduler.getRecurring("digest").orElseThrow();
            assertThat(kept.nextRunAt()).as("kept, not skipped").isEqualTo(Instant.parse("2026-03-03T09:00:00Z"));
            assertThat(kept.lastError()).as("left as it is, for a process that can read it").isNull();
            assertThat(scheduler.setRecurringEnabled("digest", false)).isTrue();
            assertThat(scheduler.deleteRecurring("digest")).isTrue();
        }

        /**
         * A schedule this version cannot read (a form a newer version added, or the row changed by hand) is not fired
         * here and its row is left as it is (f9fb22e), so its reason is no longer its last error: the listing must say
         * why, as it does for a zone or a misfire policy, or an operator sees a job whose next run passes with
         * nothing said outside one process's log.
         */
        @Test
        void aJobWithAScheduleThisVersionCannotReadIsListedWithWhy() throws SQLException {
            var scheduler = open();
            scheduler.registerRecurring(recurring("digest", "0 9 * * *").build(), "{}");
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE jobq_recurring_job SET schedule = 'every weekday at 09:00' WHERE name = 'digest'")) {
                assertThat(update.executeUpdate()).isOne();
            }

            RecurringJobInfo digest = scheduler.getRecurring("digest").orElseThrow();
            assertThat(digest.problem()).as("why this process cannot read it").isNotNull()
                    .contains("recurring job 'digest'", "every weekday at 09:00");
            assertThat(scheduler.listRecurring()).filteredOn(job -> job.name().equals("digest"))
                    .extracting(RecurringJobInfo::problem).containsExactly(digest.problem());
            assertThat(scheduler.getRecurring("sync").orElseThrow().problem()).isNull();

            clock.set(Instant.parse("2026-03-03T09:00:00Z"));
            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                scheduler.fireDue();
                assertThat(log.warnings()).singleElement().asString().contains(digest.problem());
            }
            assertThat(sink.envelopes()).extracting(JobEnvelope::type).isNotEmpty().containsOnly("report:sync");
        }

        /**
         * Options a newer jobq wrote (sharing the database in a rolling deploy) are left to the processes that can read
         * them, as a zone, a misfire policy or a schedule this process cannot read are: read first in the hand-off, they
         * counted as a failed one, which pushed the shared row on, and a process that could read them fired it late.
         */
        @Test
        void aJobWhoseOptionsThisVersionCannotReadIsLeftToAProcessThatCan() throws SQLException {
            var older = open();
            older.registerRecurring(recurring("digest", "0 9 * * *").build(), "{}");
            older.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            // Options as a newer jobq might write them: a maxAttempts of 0, which this version refuses.
            setRecurringOptions("digest", "{\"maxAttempts\":0,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");

            RecurringJobInfo digest = older.getRecurring("digest").orElseThrow();
            assertThat(digest.problem()).as("why this process cannot read it").isNotNull()
                    .contains("recurring job 'digest'", "maxAttempts must be ≥ 1, got 0", "register the job again");
            Instant nine = Instant.parse("2026-03-03T09:00:00Z");
            clock.set(nine);
            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                older.fireDue();
                assertThat(log.warnings()).singleElement().asString()
                        .contains(digest.problem(), "leaves its row as it is");
            }
            assertThat(sink.envelopes()).extracting(JobEnvelope::type).isNotEmpty().containsOnly("report:sync");
            RecurringJobInfo left = older.getRecurring("digest").orElseThrow();
            assertThat(left.nextRunAt()).as("its next run, as the older process left it").isEqualTo(nine);
            assertThat(left.lastError()).as("its last error, as the older process left it").isNull();

            // The newer process reads them (here written as this version reads them), and fires the job on time.
            setRecurringOptions("digest", "{\"maxAttempts\":3,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            var newer = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "newer"))
                    .pollInterval(Duration.ofMinutes(10)));
            assertThat(newer.fireDue()).as("jobs the newer process handed on").isOne();
            assertThat(sink.firedAt("report:digest")).containsExactly(nine);
        }

        /**
         * Past {@link UnreadableRecurringJobs.MAX_LEFT_ALONE} recurring jobs this process cannot read (a rolling
         * deploy whose newer version registered many), the others are pushed on, as one-time jobs past that many are:
         * every claim and look at the earliest due job carries a condition for each job left alone, and the set had no
         * bound, so the statements grew with every such job.
         */
        @Test
        void recurringJobsItCannotReadBeyondThoseItLeavesAloneArePushedOnNotCarriedInEveryClaim() throws SQLException {
            var scheduler = open();
            int beyond = 3;
            int unreadable = UnreadableRecurringJobs.MAX_LEFT_ALONE + beyond;
            for (int i = 0; i < unreadable; i++) {
                scheduler.registerRecurring(recurring("newer-" + i, "every 1 hour").misfirePolicy(MisfirePolicy.SKIP)
                        .build(), "{}");
            }
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            setNewerOptions(unreadable, "{\"maxAttempts\":0,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            Instant due = T0.plus(Duration.ofHours(1));
            clock.set(due);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).as("jobs handed on").isOne();
                assertThat(log.warnings()).as("warnings of the jobs pushed on").filteredOn(warning -> warning
                                .toString().contains("more than " + UnreadableRecurringJobs.MAX_LEFT_ALONE))
                        .singleElement().asString().contains("cannot be read", "pushed on", "newer-");
            }
            assertThat(sink.envelopes()).extracting(JobEnvelope::type).containsExactly("report:sync");
            List<List<Object>> rows = new ArrayList<>();
            try (Connection connection = DriverManager.getConnection(url);
                 Statement select = connection.createStatement();
                 var result = select.executeQuery("SELECT next_run_at, due_at, attempts, last_error "
                         + "FROM jobq_recurring_job WHERE name LIKE 'newer-%'")) {
                while (result.next()) {
                    rows.add(Arrays.asList(result.getObject(1, OffsetDateTime.class).toInstant(),
                            result.getObject(2, OffsetDateTime.class).toInstant(), result.getInt(3),
                            result.getString(4)));
                }
            }
            assertThat(rows).as("rows left as they were").filteredOn(row -> row.get(1).equals(due))
                    .hasSize(UnreadableRecurringJobs.MAX_LEFT_ALONE)
                    .allSatisfy(row -> assertThat(row).containsExactly(due, due, 0, null));
            assertThat(rows).as("rows pushed on").filteredOn(row -> !row.get(1).equals(due))
                    .hasSize(beyond)
                    .allSatisfy(row -> {
                        assertThat(row.get(0)).as("next run: the occurrence stays").isEqualTo(due);
                        assertThat(row.get(1)).as("looked at again").isEqualTo(due.plus(HandOff.MAX_RETRY));
                        assertThat(row.get(2)).as("tries: none was made").isEqualTo(0);
                        assertThat(row.get(3)).asString().contains("cannot be read", "maxAttempts");
                    });

            // Read by a newer process once pushed on, and skipped as missed: nothing failed, so no error is left.
            setNewerOptions(unreadable, "{\"maxAttempts\":3,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            clock.set(due.plus(HandOff.MAX_RETRY));
            scheduler.fireDue();
            assertThat(scheduler.listRecurring()).filteredOn(job -> job.name().startsWith("newer-"))
                    .hasSize(unreadable)
                    .allSatisfy(job -> {
                        assertThat(job.nextRunAt()).as("next run, the missed occurrence skipped")
                                .isEqualTo(due.plus(Duration.ofHours(1)));
                        assertThat(job.lastError()).as("last error of " + job.name()).isNull();
                    });
            assertThat(sink.envelopes()).extracting(JobEnvelope::type).containsExactly("report:sync");
        }

        /**
         * Many recurring jobs this process cannot read (a newer jobq's, during a rolling deploy): each one left alone
         * was a WARN of its own, up to {@link UnreadableRecurringJobs#MAX_LEFT_ALONE} in one pass, where one-time jobs
         * get one. One WARN per pass names how many, a few names, a reason and the way out.
         */
        @Test
        void recurringJobsThisProcessCannotReadAreOneWarningAPass() throws SQLException {
            var scheduler = open();
            int unreadable = 7;
            for (int i = 0; i < unreadable; i++) {
                scheduler.registerRecurring(recurring("newer-" + i, "every 1 hour").build(), "{}");
            }
            scheduler.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            setNewerOptions(unreadable, "{\"maxAttempts\":0,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            Instant due = T0.plus(Duration.ofHours(1));
            clock.set(due);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).as("jobs handed on").isOne();
                assertThat(log.warnings()).as("warnings of the pass").singleElement().asString()
                        .contains("7 recurring jobs in ", "cannot be read by this process", "'newer-0'", "and 2 more",
                                "maxAttempts must be ≥ 1, got 0", "looks at them again at " + due.plus(HandOff.MAX_RETRY),
                                "jobq recurring list");
                clock.advance(HandOff.MAX_RETRY);
                assertThat(scheduler.fireDue()).as("jobs handed on, 5 minutes later").isZero();
                assertThat(log.warnings()).as("warnings after 5 minutes").hasSize(2);
            }
            assertThat(sink.envelopes()).extracting(JobEnvelope::type).containsExactly("report:sync");
        }

        private void setNewerOptions(int jobs, String options) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE jobq_recurring_job SET options = ? WHERE name LIKE 'newer-%'")) {
                update.setString(1, options);
                assertThat(update.executeUpdate()).isEqualTo(jobs);
            }
        }

        private void setRecurringOptions(String name, String options) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE jobq_recurring_job SET options = ? WHERE name = ?")) {
                update.setString(1, options);
                update.setString(2, name);
                assertThat(update.executeUpdate()).isOne();
            }
        }

        private void setTimezone(String name, String zone) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE jobq_recurring_job SET timezone = ? WHERE name = ?")) {
                update.setString(1, zone);
                update.setString(2, name);
                assertThat(update.executeUpdate()).isOne();
            }
        }

        @Test
        void rejectsABadScheduleAndStoresNothing() {
            var scheduler = open();

            assertThatThrownBy(() -> scheduler.registerRecurring(recurring("digest", "0 9 * *").build(), "{}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("recurring job 'digest': schedule '0 9 * *' is not a valid cron expression (");
            assertThatThrownBy(() -> scheduler.registerRecurring(recurring("tick", "every 0 minutes").build(), "{}"))
                    .hasMessage("recurring job 'tick': interval 'every 0 minutes' must be at least 1 unit, got 0; "
                            + "write e.g. 'every 1 minute'");
            assertThat(scheduler.listRecurring()).isEmpty();
        }

        @Test
        void rejectsANameTypeOrScheduleLongerThanItHoldsBeforeStoringIt() {
            var scheduler = open();
            String minutes = IntStream.range(0, 60).mapToObj(Integer::toString).collect(Collectors.joining(","));
            String hours = IntStream.range(0, 24).mapToObj(Integer::toString).collect(Collectors.joining(","));
            String days = IntStream.rangeClosed(1, 31).mapToObj(Integer::toString).collect(Collectors.joining(","));
            String valid = minutes + " " + hours + " " + days + " * *";

            assertThatThrownBy(() -> scheduler.registerRecurring(recurring("every-minute", valid).build(), "{}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'every-minute': schedule '" + valid.substring(0, 60) + "…' is "
                            + valid.length() + " characters long, longer than the 255 the scheduler holds; shorten it "
                            + "with ranges and steps, such as '*/5' or '0-30/5' for a list of minutes 5 apart");
            String name = "tenant-" + "x".repeat(250);
            assertThatThrownBy(() -> scheduler.registerRecurring(recurring(name, "@daily").build(), "{}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job '" + name.substring(0, 60) + "…': the name is 257 characters long, "
                            + "longer than the 255 the scheduler holds; choose a shorter name");
            assertThatThrownBy(() -> scheduler.registerRecurring(RecurringJob.builder("digest", "t".repeat(256))
                    .schedule("@daily").build(), "{}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("recurring job 'digest': type 'ttt")
                    .hasMessageEndingWith("…' is 256 characters long, longer than the 255 the scheduler holds; use a "
                            + "shorter job type");
            assertThat(scheduler.listRecurring()).isEmpty();
            assertThat(scheduler.registerRecurring(RecurringJob.builder("x".repeat(255), "t".repeat(255))
                    .schedule("every 5 minutes").build(), "{}").name()).hasSize(255);
        }

        @Test
        void registeringAgainWhileAnOccurrenceIsDueKeepsItForANewPayloadAndDropsItForANewSchedule() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("digest", "0 9 * * *").build(), "{\"v\":1}");
            scheduler.registerRecurring(recurring("sync", "0 9 * * *").build(), "{}");
            Instant nine = Instant.parse("2026-03-03T09:00:00Z");
            clock.set(nine.plus(Duration.ofMinutes(10))); // every scheduler was down at 09:00

            scheduler.registerRecurring(recurring("digest", "0 9 * * *").build(), "{\"v\":2}");
            scheduler.registerRecurring(recurring("sync", "0 10 * * *").build(), "{}");

            assertThat(scheduler.fireDue()).isEqualTo(1);
            assertThat(sink.ofType("report:digest")).singleElement().satisfies(job -> {
                assertThat(job.scheduledFor()).isEqualTo(nine);
                assertThat(job.payloadJson()).isEqualTo("{\"v\":2}");
            });
            assertThat(sink.ofType("report:sync")).isEmpty();
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt())
                    .isEqualTo(Instant.parse("2026-03-03T10:00:00Z"));
        }

        @Test
        void theLastOccurrenceBeforeTheEndOfTheRangeFiresAndTheJobThenStopsSayingWhy() {
            clock.set(Instant.parse("9999-12-31T21:30:00Z"));
            var scheduler = open();
            scheduler.registerRecurring(recurring("tick", "every 1 hour").build(), "{}");
            scheduler.registerRecurring(recurring("nightly", "0 23 * * *").build(), "{}");

            clock.set(Instant.parse("9999-12-31T23:30:00Z"));
            assertThat(scheduler.fireDue()).isEqualTo(3); // tick at 22:00 and 23:00, nightly at 23:00
            assertThat(scheduler.fireDue()).isZero();

            for (String name : List.of("tick", "nightly")) {
                RecurringJobInfo info = scheduler.getRecurring(name).orElseThrow();
                assertThat(info.lastRunAt()).isEqualTo(clock.instant());
                assertThat(info.enabled()).as(name).isFalse();
                assertThat(info.lastError()).as(name).startsWith("its next run would be +10000-01-01T")
                        .endsWith(", after 9999-12-31T23:59:59.999999Z, the latest instant the scheduler holds; it "
                                + "was disabled");
            }
            assertThat(scheduler.listRecurring()).hasSize(2);
        }

        @Test
        void rejectsAJobWhoseNextRunIsBeyondTheRangeItHolds() {
            clock.set(Instant.parse("9999-12-31T12:00:00Z"));
            var scheduler = open();

            assertThatThrownBy(() -> scheduler.registerRecurring(recurring("tick", "every 1 day").build(), "{}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'tick': its next run would be +10000-01-01T12:00:00Z, after "
                            + "9999-12-31T23:59:59.999999Z, the latest instant the scheduler holds; check the schedule "
                            + "'every 1 day' and the clock");
            assertThat(scheduler.listRecurring()).isEmpty();
        }

        @Test
        void aJobWhoseNextRunIsBeyondTheRangeItHoldsIsRefusedWithItsScheduleEscaped() {
            // the schedule was repeated raw: "every 1\rday" reads (\s is the space between its words), and its
            // carriage return sent the terminal back to overwrite the start of the line
            clock.set(Instant.parse("9999-12-31T12:00:00Z"));
            var scheduler = open();

            assertThatThrownBy(() -> scheduler.registerRecurring(recurring("tick", "every 1\rday").build(), "{}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("; check the schedule 'every 1\\rday' and the clock");
            assertThat(scheduler.listRecurring()).isEmpty();
        }

        @Test
        void firesAMonthlyCronOnTheRightDaysAcrossMonths() {
            var scheduler = open();
            scheduler.registerRecurring(recurring("month-end", "0 23 31 * *").build(), "{}");
            List<Instant> monthEnds = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                monthEnds.add(fireNext(scheduler, clock, "month-end"));
            }
            scheduler.deleteRecurring("month-end");
            clock.set(T0);
            scheduler.registerRecurring(recurring("rent", "0 6 1 * *").timezone(NEW_YORK).build(), "{}");
            List<Instant> rents = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                rents.add(fireNext(scheduler, clock, "rent"));
            }

            assertThat(monthEnds).containsExactly(Instant.parse("2026-03-31T23:00:00Z"),
                    Instant.parse("2026-05-31T23:00:00Z"), Instant.parse("2026-07-31T23:00:00Z"),
                    Instant.parse("2026-08-31T23:00:00Z"), Instant.parse("2026-10-31T23:00:00Z"),
                    Instant.parse("2026-12-31T23:00:00Z"));
            // 06:00 in New York: 10:00 UTC in daylight time, 11:00 UTC from November on.
            assertThat(rents).containsExactly(Instant.parse("2026-04-01T10:00:00Z"),
                    Instant.parse("2026-05-01T10:00:00Z"), Instant.parse("2026-06-01T10:00:00Z"),
                    Instant.parse("2026-07-01T10:00:00Z"), Instant.parse("2026-08-01T10:00:00Z"),
                    Instant.parse("2026-09-01T10:00:00Z"), Instant.parse("2026-10-01T10:00:00Z"),
                    Instant.parse("2026-11-01T11:00:00Z"), Instant.parse("2026-12-01T11:00:00Z"));
        }
    }

    @Nested
    @DisplayName("daylight saving time in America/New_York")
    class DaylightSaving {

        @Test
        void aTimeInTheSpringGapFiresRightAfterTheGap() {
            clock.set(Instant.parse("2026-03-07T12:00:00Z"));
            var scheduler = open();
            scheduler.registerRecurring(recurring("night", "30 2 * * *").timezone(NEW_YORK).build(), "{}");

            List<Instant> runs = List.of(fireNext(scheduler, clock, "night"), fireNext(scheduler, clock, "night"));

            // 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
            assertThat(runs).containsExactly(Instant.parse("2026-03-08T07:00:00Z"),
                    Instant.parse("2026-03-09T06:30:00Z"));
        }

        @Test
        void aTimeInTheRepeatedHourFiresOnce() {
            clock.set(Instant.parse("2026-10-31T12:00:00Z"));
            var scheduler = open();
            scheduler.registerRecurring(recurring("night", "30 1 * * *").timezone(NEW_YORK).build(), "{}");

            // 2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice; walk the clock through it.
            for (Instant t = Instant.parse("2026-11-01T00:00:00Z"); t.isBefore(Instant.parse("2026-11-02T12:00:00Z"));
                 t = t.plus(Duration.ofMinutes(15))) {
                clock.set(t);
                scheduler.fireDue();
            }

            assertThat(sink.firedAt("report:night")).containsExactly(Instant.parse("2026-11-01T05:30:00Z"),
                    Instant.parse("2026-11-02T06:30:00Z"));
        }

        @Test
        void anHourlyJobFiresInBothPassesOfTheRepeatedHourEachWithItsOwnId() {
            clock.set(Instant.parse("2026-11-01T03:30:00Z"));
            var scheduler = open();
            scheduler.registerRecurring(recurring("hourly", "@hourly").timezone(NEW_YORK).build(), "{}");

            List<Instant> runs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                runs.add(fireNext(scheduler, clock, "hourly"));
            }

            // 00:00 EDT, 01:00 EDT, 01:00 EST (the clock reads 01:00 again an hour later), 02:00 EST, 03:00 EST
            assertThat(runs).containsExactly(Instant.parse("2026-11-01T04:00:00Z"), Instant.parse("2026-11-01T05:00:00Z"),
                    Instant.parse("2026-11-01T06:00:00Z"), Instant.parse("2026-11-01T07:00:00Z"),
                    Instant.parse("2026-11-01T08:00:00Z"));
            assertThat(sink.ofType("report:hourly")).extracting(JobEnvelope::jobId)
                    .containsExactlyElementsOf(runs.stream().map(run -> OccurrenceIds.of("hourly", run)).toList())
                    .doesNotHaveDuplicates();
        }

        @Test
        void aQuarterHourlyJobKeepsItsPaceThroughTheRepeatedHour() {
            clock.set(Instant.parse("2026-11-01T03:59:00Z"));
            var scheduler = open();
            scheduler.registerRecurring(recurring("quarter", "*/15 * * * *").timezone(NEW_YORK).build(), "{}");

            // Walk the clock minute by minute from 00:00 EDT to 03:00 EST: four hours of elapsed time.
            for (Instant t = Instant.parse("2026-11-01T04:00:00Z"); !t.isAfter(Instant.parse("2026-11-01T08:00:00Z"));
                 t = t.plus(Duration.ofMinutes(1))) {
                clock.set(t);
                scheduler.fireDue();
            }

            assertThat(sink.firedAt("report:quarter")).hasSize(17).doesNotHaveDuplicates().isSorted()
                    .allSatisfy(run -> assertThat(run.getEpochSecond() % 900).isZero());
            assertThat(sink.distinctIds()).isEqualTo(17);
        }
    }

    @Nested
    @DisplayName("misfires after downtime")
    class Misfires {

        /** Hourly from T0: occurrences T0+1h … T0+5h pass while no scheduler runs. */
        private JdbcJobScheduler downFiveHours(MisfirePolicy policy, Duration pastTheFifth, int fireAllLimit) {
            var scheduler = open(builder().misfireThreshold(Duration.ofSeconds(60)).fireAllLimit(fireAllLimit));
            scheduler.registerRecurring(everyHour("sync", policy), "{}");
            clock.set(T0.plus(Duration.ofHours(5)).plus(pastTheFifth));
            scheduler.fireDue();
            return scheduler;
        }

        private List<Instant> hours(int... offsets) {
            return IntStream.of(offsets).mapToObj(h -> T0.plus(Duration.ofHours(h))).toList();
        }

        @Test
        void aPollIntervalLongerThanTheThresholdIsToldAtStartWithWhatItMayMissAndTheFix() {
            // Rows other processes write are seen at the next look, up to pollInterval later: a recurring job that
            // `jobq recurring add` registers, due within that, is then more than misfireThreshold late when first
            // seen, so judged missed (SKIP drops its first run), and logged as missed "while no scheduler ran".
            try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class)) {
                var scheduler = open(builder().pollInterval(Duration.ofMinutes(5)).misfireThreshold(Duration.ofSeconds(60)));
                scheduler.start();
                scheduler.close();
                assertThat(log.warnings()).containsExactly("scheduler: pollInterval (5m) is longer than "
                        + "misfireThreshold (1m): a recurring job that another process registers or enables (jobq "
                        + "recurring add, another instance of the application) is seen only at this scheduler's next "
                        + "look, up to 5m later, and its first occurrence may be judged missed (policy SKIP skips it); "
                        + "set pollInterval to at most misfireThreshold, or misfireThreshold to at least pollInterval");
            }
            try (CapturedLog log = CapturedLog.of(JdbcJobScheduler.class)) {
                var scheduler = open(builder().pollInterval(Duration.ofSeconds(60)).misfireThreshold(Duration.ofSeconds(60)));
                scheduler.start();
                scheduler.close();
                assertThat(log.warnings()).isEmpty();
            }
        }

        @Test
        void fireOnceRunsOneJobForAllMissedOccurrences() {
            var scheduler = downFiveHours(MisfirePolicy.FIRE_ONCE, Duration.ofMinutes(10), 100);

            assertThat(sink.firedAt("report:sync")).containsExactlyElementsOf(hours(1));
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(6)));
        }

        @Test
        void skipRunsNoneOfThem() {
            var scheduler = downFiveHours(MisfirePolicy.SKIP, Duration.ofMinutes(10), 100);

            assertThat(sink.count()).isZero();
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(6)));
        }

        @Test
        void fireAllRunsEachOfThemOldestFirst() {
            var scheduler = downFiveHours(MisfirePolicy.FIRE_ALL, Duration.ofMinutes(10), 100);

            assertThat(sink.firedAt("report:sync")).containsExactlyElementsOf(hours(1, 2, 3, 4, 5));
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(6)));
        }

        @Test
        void fireAllStopsAtItsLimit() {
            var scheduler = downFiveHours(MisfirePolicy.FIRE_ALL, Duration.ofMinutes(10), 3);

            assertThat(sink.firedAt("report:sync")).containsExactlyElementsOf(hours(1, 2, 3));
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(6)));
        }

        /**
         * A hand-off that fails partway through a FIRE_ALL burst: the retry went on from the occurrence that failed
         * with fireAllLimit afresh, so the job fired more than fireAllLimit missed occurrences in all.
         */
        @Test
        void fireAllStopsAtItsLimitWhenAHandOffFailsPartway() {
            var scheduler = open(builder().misfireThreshold(Duration.ofSeconds(60)).fireAllLimit(3));
            scheduler.registerRecurring(everyHour("sync", MisfirePolicy.FIRE_ALL), "{}");
            Instant second = T0.plus(Duration.ofHours(2));
            sink.refuseWhen(envelope -> second.equals(envelope.scheduledFor()));
            clock.set(T0.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(10)));
            scheduler.fireDue();
            assertThat(sink.firedAt("report:sync")).as("before the failed hand-off").containsExactlyElementsOf(hours(1));

            sink.refuseWhen(envelope -> false);
            clock.set(clock.instant().plus(HandOff.retryDelay(1)));
            scheduler.fireDue();
            assertThat(sink.firedAt("report:sync")).as("occurrences fired, fireAllLimit 3")
                    .containsExactlyElementsOf(hours(1, 2, 3));
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(6)));
        }

        /**
         * A registration during the retry of a FIRE_ALL burst that fireAllLimit cut short, its schedule kept and its
         * policy switched away from FIRE_ALL: next_run_at is kept, and with it the burst's end in fire_all_until, at or
         * after it, unread, until the next try clears it (docs/scheduler.md, the recurring job's columns).
         */
        @Test
        void aRegistrationSwitchingAwayFromFireAllDuringABurstsRetryLeavesItsEndUntilTheNextTry() throws SQLException {
            var scheduler = open(builder().misfireThreshold(Duration.ofSeconds(60)).fireAllLimit(3));
            scheduler.registerRecurring(everyHour("sync", MisfirePolicy.FIRE_ALL), "{}");
            Instant second = T0.plus(Duration.ofHours(2));
            sink.refuseWhen(envelope -> second.equals(envelope.scheduledFor()));
            clock.set(T0.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(10)));
            scheduler.fireDue();
            assertThat(fireAllUntil("sync")).as("the burst's end, kept by the failed try")
                    .isEqualTo(T0.plus(Duration.ofHours(3)));

            scheduler.registerRecurring(everyHour("sync", MisfirePolicy.FIRE_ONCE), "{}");
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(second);
            assertThat(fireAllUntil("sync")).as("left by the registration, after next_run_at")
                    .isEqualTo(T0.plus(Duration.ofHours(3)));

            sink.refuseWhen(envelope -> false);
            scheduler.fireDue();
            assertThat(sink.firedAt("report:sync")).as("FIRE_ONCE: the failed occurrence once")
                    .containsExactlyElementsOf(hours(1, 2));
            assertThat(fireAllUntil("sync")).as("cleared by the next try").isNull();
        }

        /** The fire_all_until column of recurring job {@code name}. */
        private @Nullable Instant fireAllUntil(String name) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT fire_all_until FROM jobq_recurring_job WHERE name = ?")) {
                select.setString(1, name);
                try (var rows = select.executeQuery()) {
                    assertThat(rows.next()).as("recurring job %s's row", name).isTrue();
                    OffsetDateTime until = rows.getObject(1, OffsetDateTime.class);
                    return until == null ? null : until.toInstant();
                }
            }
        }

        /**
         * A hand-off that fails partway through a FIRE_ALL burst that holds every missed occurrence, far from
         * fireAllLimit, tried again once the occurrence that was on time at the first try is missed too: the retry
         * stopped at the burst's last occurrence and skipped that one, where a failed on-time occurrence tried again so
         * late fires each occurrence missed meanwhile.
         */
        @Test
        void fireAllRunsAnOccurrenceMissedWhileAHandOffOfItsBurstFailed() {
            var scheduler = open(builder().misfireThreshold(Duration.ofSeconds(60)).fireAllLimit(100));
            scheduler.registerRecurring(everyHour("sync", MisfirePolicy.FIRE_ALL), "{}");
            Instant second = T0.plus(Duration.ofHours(2));
            sink.refuseWhen(envelope -> second.equals(envelope.scheduledFor()));
            clock.set(T0.plus(Duration.ofHours(5)).plus(Duration.ofSeconds(30)));
            scheduler.fireDue();
            assertThat(sink.firedAt("report:sync")).as("before the failed hand-off").containsExactlyElementsOf(hours(1));

            sink.refuseWhen(envelope -> false);
            clock.set(T0.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(2)));
            scheduler.fireDue();
            assertThat(sink.firedAt("report:sync")).as("occurrences fired, fireAllLimit 100")
                    .containsExactlyElementsOf(hours(1, 2, 3, 4, 5));
            assertThat(scheduler.getRecurring("sync").orElseThrow().nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(6)));
        }

        @Test
        void anOccurrenceWithinTheThresholdIsOnTimeWhateverThePolicy() {
            downFiveHours(MisfirePolicy.SKIP, Duration.ofSeconds(20), 100);

            assertThat(sink.firedAt("report:sync")).containsExactlyElementsOf(hours(5));
        }

        @Test
        void fireOnceRunsTheMissedOnesOnceAndTheOnTimeOneToo() {
            downFiveHours(MisfirePolicy.FIRE_ONCE, Duration.ofSeconds(20), 100);

            assertThat(sink.firedAt("report:sync")).containsExactlyElementsOf(hours(1, 5));
        }

        /** Missed while the scheduler ran, its hand-off failing (a provider down for minutes): the log says so. */
        @Test
        void occurrencesMissedWhileTheirHandOffFailedAreNotLoggedAsMissedWhileNoSchedulerRan() {
            var scheduler = open(builder().misfireThreshold(Duration.ofSeconds(60)));
            scheduler.registerRecurring(everyHour("sync", MisfirePolicy.SKIP), "{}");
            sink.refuseWhen(envelope -> true);
            clock.set(T0.plus(AN_HOUR));
            scheduler.fireDue();
            sink.refuseWhen(envelope -> false);
            clock.set(T0.plus(AN_HOUR).plus(Duration.ofMinutes(2)));

            try (var log = CapturedLog.of(HandOff.class)) {
                scheduler.fireDue();

                assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                        .filteredOn(line -> line.contains("missed occurrences")).singleElement().asString()
                        .doesNotContain("while no scheduler ran")
                        .contains("missed occurrences from " + T0.plus(AN_HOUR) + ": handing it on failed until it was "
                                + "more than misfireThreshold (1m) late (1 try; last error JobQueueException: provider "
                                + "unreachable (refused by the test)");
            }
            assertThat(sink.count()).isZero();
        }

        @Test
        void missedOccurrencesAreHandedOnOnceAcrossRepeatedLooks() {
            var scheduler = downFiveHours(MisfirePolicy.FIRE_ALL, Duration.ofMinutes(10), 100);

            assertThat(scheduler.fireDue()).isZero();
            assertThat(sink.duplicates()).isEmpty();
        }
    }

    @Nested
    @DisplayName("firing thread")
    class Firing {

        @Test
        void wakesAtOnceWhenThisProcessSchedulesSomethingDue() {
            var scheduler = open(builder().pollInterval(Duration.ofHours(1)));
            scheduler.start();

            JobEnvelope job = job("report:send");
            scheduler.schedule(job, T0);

            // The clock does not move: only the wake-up on schedule() can hand it on.
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() == 1);
            assertThat(sink.envelopes().getFirst().jobId()).isEqualTo(job.jobId());
        }

        @Test
        void handsOnAJobWhenTheClockReachesItsDueTime() {
            var scheduler = open(builder().pollInterval(Duration.ofHours(1)));
            scheduler.schedule(job("report:send"), T0.plus(Duration.ofMinutes(30)));
            scheduler.registerRecurring(recurring("tick", "every 1 minute").build(), "{}");
            scheduler.start();

            for (int minute = 1; minute <= 3; minute++) {
                clock.set(T0.plus(Duration.ofMinutes(minute)));
                int expected = minute;
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.ofType("report:tick").size() == expected);
            }
            clock.set(T0.plus(Duration.ofMinutes(30)));
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.ofType("report:send").size() == 1);
        }

        @Test
        void handsOnAJobClaimedAheadAtItsInstantAndNotBefore() {
            var scheduler = open(builder().pollInterval(Duration.ofHours(1)));
            scheduler.start();
            Instant at = T0.plus(FiringLoop.LEAD.dividedBy(2));
            scheduler.schedule(job("report:send"), at);

            // Within the lead the thread claims the job, then waits for the clock to reach its instant.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> sink.count() == 0);
            clock.set(at);

            await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() == 1);
            assertThat(sink.submissions().getFirst().at()).isEqualTo(at);
        }

        @Test
        @DisplayName("a clock stepped back an hour while a claimed job waits for its instant gives the claim back at "
                + "once, and the job is handed on once when its instant comes again")
        void aClockSteppedBackWhileAClaimedJobWaitsGivesItsClaimBack() {
            List<Thread> threads = new CopyOnWriteArrayList<>();
            var scheduler = open(builder().pollInterval(Duration.ofHours(1)).threadFactory(recordingInto(threads)));
            scheduler.start();
            Instant at = T0.plus(FiringLoop.LEAD.dividedBy(2));
            JobEnvelope job = job("report:send");
            scheduler.schedule(job, at);
            Thread firing = threads.getFirst();
            // Within the lead the thread claims the job, then waits for its instant holding the row's lock.
            await().atMost(Duration.ofSeconds(5)).until(() -> waitsForAClaimedJob(firing));

            clock.set(T0.minus(AN_HOUR)); // NTP (or a resumed VM) steps the wall clock back
            // Before, it waited out the hour inside the claim's transaction: on PostgreSQL the server ended the
            // session after claimTimeout, and meanwhile the row could not be cancelled.
            await().atMost(Duration.ofSeconds(5)).until(() -> !waitsForAClaimedJob(firing));
            assertThat(sink.count()).isZero();
            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(job.jobId());

            clock.set(at);
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() == 1);
            assertThat(sink.submissions().getFirst().at()).isEqualTo(at);
            assertThat(sink.duplicates()).isEmpty();
        }

        /**
         * docs/scheduler.md: rows other processes write are seen within pollInterval, the firing thread sleeping on
         * elapsed time, at most that long. After a step back of the clock it slept until the clock reached the wake-up
         * it had set before the step: a job another process scheduled meanwhile, due at once, waited out the step.
         */
        @Test
        void aClockSteppedBackWhileTheThreadSleepsStillSeesOtherProcessesRowsWithinPollInterval() {
            List<Thread> threads = new CopyOnWriteArrayList<>();
            var scheduler = open(builder().pollInterval(Duration.ofSeconds(1)).threadFactory(recordingInto(threads)));
            var other = open(builder()); // another process sharing the database, which does not fire
            scheduler.start();
            Thread firing = threads.getFirst();
            await().atMost(Duration.ofSeconds(5)).until(() -> sleepsUntilItsNextPass(firing));

            clock.set(T0.minus(AN_HOUR)); // NTP (or a resumed VM) steps the wall clock back
            JobEnvelope job = job("report:send");
            other.schedule(job, T0.minus(AN_HOUR));

            await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() == 1);
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
        }

        private static boolean sleepsUntilItsNextPass(Thread firing) {
            StackTraceElement[] frames = firing.getStackTrace();
            return Arrays.stream(frames).anyMatch(frame -> frame.getClassName().equals(Alarm.class.getName()))
                    && Arrays.stream(frames).anyMatch(frame -> frame.getClassName().equals(FiringLoop.class.getName())
                            && frame.getMethodName().equals("run"))
                    && Arrays.stream(frames).noneMatch(frame -> frame.getMethodName().equals("awaitDue"));
        }

        private static boolean waitsForAClaimedJob(Thread firing) {
            return Arrays.stream(firing.getStackTrace()).anyMatch(frame ->
                    frame.getClassName().equals(FiringLoop.class.getName()) && frame.getMethodName().equals("awaitDue"));
        }

        @Test
        void handsOnAJobScheduledEarlierThanTheOneItWaitsForFirst() {
            var scheduler = open(builder().pollInterval(Duration.ofHours(1)));
            scheduler.start();
            JobEnvelope later = job("report:later");
            JobEnvelope sooner = job("report:sooner");
            scheduler.schedule(later, T0.plus(FiringLoop.LEAD.multipliedBy(4).dividedBy(5)));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> sink.count() == 0);
            scheduler.schedule(sooner, T0.plus(FiringLoop.LEAD.dividedBy(5)));

            clock.set(T0.plus(FiringLoop.LEAD.dividedBy(5)));
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() == 1);
            clock.set(T0.plus(FiringLoop.LEAD));
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() == 2);

            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(sooner.jobId(), later.jobId());
        }

        @Test
        void findsRowsWrittenByAnotherProcessWithinThePollInterval() {
            var firing = open(builder().pollInterval(Duration.ofSeconds(5)));
            firing.start();
            var writer = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "writer")));
            writer.schedule(job("report:send"), T0);

            clock.set(T0.plusSeconds(5));

            await().atMost(Duration.ofSeconds(20)).until(() -> sink.count() == 1);
        }

        @Test
        void closeStopsTheFiringThread() {
            List<Thread> threads = new CopyOnWriteArrayList<>();
            var scheduler = open(builder().threadFactory(recordingInto(threads)));
            scheduler.start();
            scheduler.start();

            scheduler.close();

            assertThat(threads).hasSize(1);
            assertThat(threads.getFirst().isAlive()).isFalse();
            assertThatThrownBy(scheduler::start).hasMessage("this scheduler is closed; build a new JobQueue");
        }

        /**
         * A close() in the middle of a backlog lets the batch in hand finish and claims no other: the
         * jobs handed on are exactly the rows marked so, and the rest stay scheduled for the next
         * start. (It once drained the whole backlog, or was interrupted after 10 s in a batch whose
         * rows it had partly handed on, and those went out again at the next start.)
         */
        @Test
        void closeInABacklogFinishesTheBatchInHandAndStopsThere() throws InterruptedException {
            int batch = 10;
            var inSecondBatch = new CountDownLatch(1);
            var closing = new CountDownLatch(1);
            var submits = new AtomicInteger();
            JobSink holdingSink = envelope -> {
                if (submits.incrementAndGet() == batch + batch / 2) {
                    inSecondBatch.countDown();
                    awaitBounded(closing);
                }
                return sink.submit(envelope);
            };
            var scheduler = open(builder().batchSize(batch).fireThreads(1), holdingSink);
            storeDueJobs(scheduler, 500, T0);
            scheduler.start();
            assertThat(awaitBounded(inSecondBatch)).as("the firing thread reached its second batch").isTrue();

            Thread closer = Thread.ofPlatform().name("test-closer").start(scheduler::close);
            // close() has asked the hand-off to stop and waits for the firing thread.
            await().atMost(Duration.ofSeconds(20)).until(() -> closer.getState() == Thread.State.TIMED_WAITING);
            closing.countDown();
            closer.join(Duration.ofSeconds(30));

            assertThat(closer.isAlive()).as("close() still running").isFalse();
            assertThat(sink.ofType("bulk:item")).hasSize(2 * batch);
            assertThat(sink.duplicates()).isEmpty();
            var reopened = open(builder().batchSize(batch));
            assertThat(reopened.listScheduled(1_000)).hasSize(500 - 2 * batch);
            assertThat(reopened.fireDue()).isEqualTo(500 - 2 * batch);
            assertThat(sink.duplicates()).isEmpty();
            assertThat(sink.distinctIds()).isEqualTo(500);
        }

        /**
         * As above, from a thread already interrupted (one that caught an InterruptedException, set the flag again and
         * closes in a finally block): close() gave its wait for the firing thread up at once and closed the pool under
         * the batch in hand, whose jobs handed on went again at the next start, and returned with the thread running.
         */
        @Test
        void closeOnAnInterruptedThreadFinishesTheBatchInHandToo() throws InterruptedException {
            int batch = 10;
            var inBatch = new CountDownLatch(1);
            var closing = new CountDownLatch(1);
            var submits = new AtomicInteger();
            JobSink holdingSink = envelope -> {
                if (submits.incrementAndGet() == batch / 2) {
                    inBatch.countDown();
                    awaitBounded(closing);
                }
                return sink.submit(envelope);
            };
            List<Thread> threads = new CopyOnWriteArrayList<>();
            var scheduler = open(builder().batchSize(batch).fireThreads(1).threadFactory(recordingInto(threads)),
                    holdingSink);
            storeDueJobs(scheduler, 3 * batch, T0);
            scheduler.start();
            assertThat(awaitBounded(inBatch)).as("the firing thread is in its first batch").isTrue();

            var interruptedAfter = new AtomicBoolean();
            Thread closer = Thread.ofPlatform().name("test-closer").start(() -> {
                Thread.currentThread().interrupt();
                scheduler.close();
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            // close() waits for the firing thread (or, before, had given the wait up and gone on).
            await().atMost(Duration.ofSeconds(60)).until(() -> !closer.isAlive() || (closer.getState()
                    == Thread.State.TIMED_WAITING && Arrays.stream(closer.getStackTrace())
                    .anyMatch(frame -> frame.getMethodName().equals("awaitFiringThread"))));
            boolean returnedBeforeTheBatchEnded = !closer.isAlive();
            closing.countDown();
            closer.join(Duration.ofSeconds(30));

            assertThat(returnedBeforeTheBatchEnded).as("close() returned while the batch in hand was handing on")
                    .isFalse();
            assertThat(closer.isAlive()).as("close() still running").isFalse();
            assertThat(threads).allSatisfy(thread -> assertThat(thread.isAlive()).as(thread.getName()).isFalse());
            assertThat(interruptedAfter).as("the caller's interrupt, set again").isTrue();
            assertThat(sink.ofType("bulk:item")).hasSize(batch);
            var reopened = open(builder().batchSize(batch));
            assertThat(reopened.listScheduled(1_000)).hasSize(2 * batch);
            assertThat(reopened.fireDue()).isEqualTo(2 * batch);
            assertThat(sink.duplicates()).isEmpty();
        }

        /**
         * As above with a helper thread (fireThreads 2) whose hand-off does not end at its interrupt (a provider deaf to
         * it), the caller interrupted again while close() waits for the helper: that wait too goes on (bounded), and
         * close() returns once the helper has ended, its flag set again, the pool closed after the helper's batch.
         */
        @Test
        void closeInterruptedWhileItWaitsForAHelperStillWaitsForIt() throws InterruptedException {
            int batch = 10;
            List<Thread> threads = new CopyOnWriteArrayList<>();
            var helperInBatch = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            List<String> byHelper = new CopyOnWriteArrayList<>();
            var byFiringThread = new AtomicInteger();
            JobSink holdingSink = envelope -> {
                if (Thread.currentThread() != threads.getFirst()) {
                    byHelper.add(envelope.jobId());
                } else if (byFiringThread.incrementAndGet() > batch) {
                    awaitBounded(helperInBatch); // leaves the helper a batch to claim
                }
                if (Thread.currentThread() != threads.getFirst() && helperInBatch.getCount() > 0) {
                    helperInBatch.countDown();
                    DeafToInterrupts.await(release, Duration.ofSeconds(30));
                }
                return sink.submit(envelope);
            };
            var scheduler = open(builder().batchSize(batch).fireThreads(2).threadFactory(recordingInto(threads)),
                    holdingSink);
            storeDueJobs(scheduler, 4 * batch, T0);
            scheduler.start();
            assertThat(awaitBounded(helperInBatch)).as("a helper is in a batch").isTrue();

            var helperAliveAtReturn = new AtomicBoolean();
            var interruptedAfter = new AtomicBoolean();
            Thread closer = Thread.ofPlatform().name("test-closer").start(() -> {
                Thread.currentThread().interrupt();
                scheduler.close();
                helperAliveAtReturn.set(threads.stream().skip(1).anyMatch(Thread::isAlive));
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            // An interrupt while close() waits for the firing thread (which waits for the helper) ends that at once.
            await().atMost(Duration.ofSeconds(60)).until(() -> !closer.isInterrupted() && waitingIn(closer, "JdbcJobScheduler",
                    "awaitFiringThread"));
            closer.interrupt();
            // Then close() waits for the helper; interrupted there, it gave that wait up and closed the pool.
            await().atMost(Duration.ofSeconds(60)).until(() -> !closer.isInterrupted() && waitingIn(closer, "HandOff",
                    "close"));
            closer.interrupt();
            await().atMost(Duration.ofSeconds(60)).until(() -> !closer.isAlive() || !closer.isInterrupted()
                    && waitingIn(closer, "HandOff", "close"));
            boolean returnedWhileTheHelperHeldItsBatch = !closer.isAlive();
            release.countDown();
            closer.join(Duration.ofSeconds(30));

            assertThat(returnedWhileTheHelperHeldItsBatch).as("close() returned while a helper was handing on").isFalse();
            assertThat(closer.isAlive()).as("close() still running").isFalse();
            assertThat(helperAliveAtReturn).as("a helper still running when close() returned").isFalse();
            assertThat(interruptedAfter).as("the caller's interrupt, set again").isTrue();
            var reopened = open(builder().batchSize(batch));
            assertThat(byHelper).as("jobs the helper handed on").hasSizeGreaterThanOrEqualTo(batch)
                    .allSatisfy(id -> assertThat(reopened.status(id)).as("status of %s", id)
                            .contains(ScheduledJobInfo.Status.ENQUEUED));
        }

        /** Whether {@code thread} waits with a time-out in method {@code method} of class {@code type}. */
        private static boolean waitingIn(Thread thread, String type, String method) {
            return thread.getState() == Thread.State.TIMED_WAITING && Arrays.stream(thread.getStackTrace())
                    .anyMatch(frame -> frame.getClassName().endsWith("." + type) && frame.getMethodName().equals(method));
        }
    }

    @Nested
    @DisplayName("several schedulers on one database")
    class ManySchedulers {

        static final int JOBS = 5_000;
        static final int INSTANCES = 4;
        static final int MINUTES = 5;

        /**
         * docs/scheduler.md: "When due rows are held by another scheduler, this one looks again after 250 ms, in case
         * that one died", not at its poll interval: a scheduler whose claim skipped a due row another holds wakes soon.
         */
        @Test
        void aSchedulerLooksAgainSoonAtADueRowAnotherOneHolds() throws Exception {
            var held = new HeldHandOff(sink, Duration.ofSeconds(30));
            var holder = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "holder"))
                    .pollInterval(Duration.ofMinutes(10)), held);
            var other = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "other"))
                    .pollInterval(Duration.ofMinutes(10)));
            JobEnvelope job = job("report:send");
            holder.schedule(job, T0);

            held.whileHandingOn(holder, () -> assertThat(other.passNow())
                    .as("the other scheduler's wake-up while the job's row is held")
                    .isEqualTo(clock.instant().plus(FiringLoop.HELD_ELSEWHERE_RECHECK)));

            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(job.jobId());
            assertThat(other.passNow()).as("its wake-up once nothing is due").isEqualTo(clock.instant()
                    .plus(Duration.ofMinutes(10)));
        }

        @Test
        void handOnEachJobAndEachOccurrenceExactlyOnce() {
            var first = open(builder().batchSize(100));
            storeDueJobs(first, JOBS, T0);
            first.registerRecurring(recurring("tick", "every 1 minute").build(), "{}");
            List<JdbcJobScheduler> all = new ArrayList<>(List.of(first));
            for (int i = 2; i <= INSTANCES; i++) {
                all.add(open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "instance-" + i))
                        .pollInterval(Duration.ofMinutes(10)).batchSize(100)));
            }

            all.forEach(JdbcJobScheduler::start);
            await().atMost(Duration.ofSeconds(90)).until(() -> sink.ofType("bulk:item").size() >= JOBS);
            for (int minute = 1; minute <= MINUTES; minute++) {
                clock.set(T0.plus(Duration.ofMinutes(minute)));
                int expected = minute;
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.ofType("report:tick").size() >= expected);
            }
            // Every instance is asleep again: nothing more is due until the next minute.
            all.forEach(s -> assertThat(s.fireDue()).isZero());

            assertThat(sink.duplicates()).isEmpty();
            assertThat(sink.ofType("bulk:item")).hasSize(JOBS);
            assertThat(sink.firedAt("report:tick")).containsExactlyInAnyOrderElementsOf(IntStream
                    .rangeClosed(1, MINUTES).mapToObj(m -> T0.plus(Duration.ofMinutes(m))).toList());
            assertThat(first.listScheduled(10)).isEmpty();
        }

        /**
         * Many instances on one database each keep their pool small. Flyway holds two connections at
         * once while it creates or checks the tables (its lock and the migration), so with the pool
         * alone a scheduler of one connection waited out six of the pool's 30 s timeouts, then failed
         * saying its user needed CREATE rights.
         */
        @Test
        void schedulersOfOneConnectionEachStartAndHandOnEachJobOnce() {
            var pools = JdbcSchedulerFactory.builder().poolSize(1).fireThreads(1).pollInterval(Duration.ofMinutes(10));
            var first = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> open(pools.jdbcUrl(sameDatabase(url, "instance-1"))), "a fresh database");
            var second = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> open(pools.jdbcUrl(sameDatabase(url, "instance-2"))), "tables already there");
            storeDueJobs(first, 250, T0);

            assertThat(first.fireDue() + second.fireDue()).isEqualTo(250);
            assertThat(sink.duplicates()).isEmpty();
            assertThat(second.listScheduled(10)).isEmpty();
        }

        /**
         * Through a backlog, helper threads claim beside the thread that fires: each job is handed
         * on once. The firing thread's second batch waits in the sink, its rows held, until a helper
         * has handed a job on, so the test sees a helper take rows while another batch is held.
         */
        @Test
        void helperThreadsHandOnABacklogBesideTheFiringThreadEachJobOnce() {
            int batch = 10;
            Thread firing = Thread.currentThread();
            var helperHandedOn = new CountDownLatch(1);
            var firingSubmits = new AtomicInteger();
            var helperSeenInTime = new AtomicBoolean();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            JobSink waitingSink = envelope -> {
                threads.add(Thread.currentThread().getName());
                if (Thread.currentThread() != firing) {
                    helperHandedOn.countDown();
                } else if (firingSubmits.incrementAndGet() == batch + 1) {
                    helperSeenInTime.set(awaitBounded(helperHandedOn));
                }
                return sink.submit(envelope);
            };
            var scheduler = open(builder().batchSize(batch).fireThreads(3), waitingSink);
            storeDueJobs(scheduler, 500, T0);

            assertThat(scheduler.fireDue()).isEqualTo(500);

            assertThat(helperSeenInTime).as("a helper handed on a job while the firing thread held a batch").isTrue();
            assertThat(threads).hasSizeGreaterThan(1);
            assertThat(sink.duplicates()).isEmpty();
            assertThat(sink.ofType("bulk:item")).hasSize(500);
            assertThat(scheduler.listScheduled(10)).isEmpty();
        }

        /**
         * Through a backlog, a claim on PostgreSQL starts after the last row claimed (ClaimCursor;
         * on H2 every claim starts at the start). A job written meanwhile with an earlier due time
         * sits behind that place: once the claims after it come back short, a claim from the start
         * hands it on in the same drain.
         */
        @Test
        void aJobDueBeforeTheBacklogWrittenWhileItDrainsIsHandedOnInTheSameDrain() {
            var scheduler = backlogGettingALateJob(50, () -> { });

            assertThat(scheduler.fireDue()).isEqualTo(51);

            assertThat(sink.ofType("report:late")).hasSize(1);
            assertThat(sink.duplicates()).isEmpty();
            assertThat(scheduler.listScheduled(10)).isEmpty();
        }

        /**
         * In a long backlog a job behind the cursor does not wait for the end: at least every
         * {@link ClaimCursor#RESTART_EVERY} a claim starts from the start again.
         */
        @Test
        void aJobBehindTheCursorWaitsNoLongerThanItsRestartInALongBacklog() {
            var scheduler = backlogGettingALateJob(100, () -> clock.advance(ClaimCursor.RESTART_EVERY));

            assertThat(scheduler.fireDue()).isEqualTo(101);

            List<String> types = sink.envelopes().stream().map(JobEnvelope::type).toList();
            assertThat(types.indexOf("report:late")).as("place of the late job among the jobs handed on")
                    .isEqualTo(3 * LATE_JOB_BATCH);
            assertThat(sink.duplicates()).isEmpty();
        }

        static final int LATE_JOB_BATCH = 10;

        /**
         * A scheduler on one thread with batches of {@link #LATE_JOB_BATCH} and {@code count} jobs due
         * at T0, whose sink, at the first submit after the second batch, schedules a job of type
         * report:late due an hour before T0 (behind every row claimed so far) and then runs
         * {@code then}.
         */
        private JdbcJobScheduler backlogGettingALateJob(int count, Runnable then) {
            var submits = new AtomicInteger();
            var scheduler = new AtomicReference<JdbcJobScheduler>();
            JobSink writingSink = envelope -> {
                if (submits.incrementAndGet() == 2 * LATE_JOB_BATCH + 1) {
                    scheduler.get().schedule(job("report:late"), T0.minus(AN_HOUR));
                    then.run();
                }
                return sink.submit(envelope);
            };
            scheduler.set(open(builder().batchSize(LATE_JOB_BATCH).fireThreads(1), writingSink));
            storeDueJobs(scheduler.get(), count, T0);
            return scheduler.get();
        }

        /**
         * close() in the middle of a backlog ends the firing thread and its helpers; every job is
         * handed on once or still scheduled, none lost, none twice.
         */
        @Test
        void closeDuringABacklogEndsTheHelpersAndLosesNothing() {
            List<Thread> threads = new CopyOnWriteArrayList<>();
            var scheduler = open(builder().batchSize(10).fireThreads(3).threadFactory(recordingInto(threads)));
            storeDueJobs(scheduler, 3_000, T0);

            scheduler.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> threads.size() == 3 && sink.count() > 0);
            scheduler.close();

            assertThat(threads).allSatisfy(thread -> assertThat(thread.isAlive()).as(thread.getName()).isFalse());
            var checker = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "checker")));
            assertThat(sink.duplicates()).isEmpty();
            assertThat(sink.ofType("bulk:item").size() + checker.listScheduled(10_000).size()).isEqualTo(3_000);
        }

        /**
         * A claim locks the batch it takes and nothing else, so another scheduler takes the rest
         * meanwhile. H2 locked every due row its claim read, before the LIMIT: the other got none.
         */
        @Test
        void aClaimHoldsItsBatchOnlyAndAnotherSchedulerTakesTheRestMeanwhile() {
            var holder = open(builder().batchSize(100));
            var other = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "other"))
                    .pollInterval(Duration.ofMinutes(10)).batchSize(100));
            storeDueJobs(holder, 250, T0);

            List<String> held = holder.database().transaction(tx -> {
                List<String> ids = new ScheduledJobs().lockDue(tx.dsl(), T0, 100).stream()
                        .map(row -> row.getId()).toList();
                assertThat(other.fireDue()).as("jobs the other scheduler handed on while the batch was held")
                        .isEqualTo(150);
                return ids;
            });

            assertThat(held).hasSize(100);
            assertThat(sink.ofType("bulk:item")).extracting(JobEnvelope::jobId).doesNotContainAnyElementsOf(held);
            // The holder marked nothing: its rows are due again once its transaction ended.
            assertThat(other.fireDue()).isEqualTo(100);
            assertThat(sink.ofType("bulk:item")).hasSize(250);
            assertThat(sink.duplicates()).isEmpty();
        }

        JobEnvelope onQueue(String queue) {
            JobOptions defaults = JobOptions.defaults();
            return job("report:" + queue, new JobOptions(defaults.maxAttempts(), defaults.timeout(),
                    defaults.priority(), null, queue));
        }

        /**
         * Processes sharing the database need not have the same queues (workers split by queue, a rolling deploy
         * that adds one). A process without a job's queue rejected it and pushed its shared row {@link
         * HandOff#MAX_RETRY} on, so that the process with the queue handed it on 5 minutes late.
         */
        @Test
        void aProcessWithoutAJobsQueueLeavesItsRowToOneWithTheQueue() {
            var narrowSink = new QueuesSink(clock, "default");
            var narrow = open(builder(), narrowSink);
            Instant at = T0.plus(Duration.ofMinutes(1));
            String report = narrow.schedule(onQueue("reports"), at);
            String other = narrow.schedule(onQueue("default"), at);
            clock.set(at);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(narrow.fireDue()).as("jobs the process without the queue handed on").isOne();
                assertThat(narrowSink.recorded().envelopes()).extracting(JobEnvelope::jobId).containsExactly(other);
                assertThat(log.warnings()).as("warnings of the process without the queue").hasSize(1).first()
                        .asString().contains("does not have queue 'reports'", "unknown queue 'reports'",
                                "left as they are", "jobq schedule cancel");
                clock.advance(Duration.ofSeconds(1));
                assertThat(narrow.fireDue()).isZero();
                assertThat(narrow.passNow()).as("its wake-up: not at once, again and again, for a job it leaves")
                        .isAfter(clock.instant().plus(FiringLoop.HELD_ELSEWHERE_RECHECK));
                assertThat(log.warnings()).as("warnings once the queue is known to be missing here").hasSize(1);
            }
            ScheduledJobInfo untouched = narrow.listScheduled(10).getFirst();
            assertThat(untouched.id()).isEqualTo(report);
            assertThat(untouched.error()).as("error in the shared row").isNull();
            assertThat(untouched.updatedAt()).as("updated at").isEqualTo(T0);

            var fullSink = new QueuesSink(clock, "default", "reports");
            var full = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "full"))
                    .pollInterval(Duration.ofMinutes(10)), fullSink);
            clock.advance(Duration.ofSeconds(1));
            assertThat(full.fireDue()).as("jobs the process with the queue handed on, 2 s after their instant")
                    .isOne();
            assertThat(fullSink.recorded().submissions()).singleElement().satisfies(submission -> {
                assertThat(submission.envelope().jobId()).isEqualTo(report);
                assertThat(Duration.between(at, submission.at())).as("lateness").isEqualTo(Duration.ofSeconds(2));
            });
            assertThat(narrow.listScheduled(10)).isEmpty();
        }

        /**
         * As a one-time job: a process without a recurring job's queue rejected its occurrence and pushed the shared
         * row {@link HandOff#MAX_RETRY} on, so that the process with the queue saw it 5 minutes late, past
         * misfireThreshold: a SKIP job lost the occurrence.
         */
        @Test
        void aProcessWithoutARecurringJobsQueueLeavesItsRowToOneWithTheQueue() {
            var narrowSink = new QueuesSink(clock, "default");
            var narrow = open(builder(), narrowSink);
            narrow.registerRecurring(recurring("digest", "every 1 hour").misfirePolicy(MisfirePolicy.SKIP)
                    .options(EnqueueOptions.builder().queue("reports").build()).build(), "{}");
            narrow.registerRecurring(recurring("sync", "every 1 hour").build(), "{}");
            Instant occurrence = T0.plus(AN_HOUR);
            clock.set(occurrence);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(narrow.fireDue()).as("occurrences the process without the queue handed on").isOne();
                assertThat(narrowSink.recorded().firedAt("report:sync")).containsExactly(occurrence);
                assertThat(log.warnings()).as("warnings of the process without the queue").hasSize(1).first()
                        .asString().contains("does not have queue 'reports'", "left as they are");
                clock.advance(Duration.ofSeconds(1));
                assertThat(narrow.fireDue()).isZero();
                assertThat(narrow.passNow()).as("its wake-up: not at once, again and again, for a job it leaves")
                        .isAfter(clock.instant().plus(FiringLoop.HELD_ELSEWHERE_RECHECK));
                assertThat(log.warnings()).hasSize(1);
            }
            RecurringJobInfo untouched = narrow.getRecurring("digest").orElseThrow();
            assertThat(untouched.lastError()).as("last error in the shared row").isNull();
            assertThat(untouched.updatedAt()).as("updated at").isEqualTo(T0);
            assertThat(untouched.queue()).as("the queue the listing shows, all that says why it waits")
                    .isEqualTo("reports");

            var fullSink = new QueuesSink(clock, "default", "reports");
            var full = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "full"))
                    .pollInterval(Duration.ofMinutes(10)), fullSink);
            clock.advance(Duration.ofSeconds(1));
            assertThat(full.fireDue()).as("occurrences the process with the queue handed on, 2 s after their instant")
                    .isOne();
            assertThat(fullSink.recorded().firedAt("report:digest")).containsExactly(occurrence);
            assertThat(full.getRecurring("digest").orElseThrow().nextRunAt()).isEqualTo(occurrence.plus(AN_HOUR));
        }

        /** Rows of queues a process does not have, among many of its own: a backlog's batches go past them. */
        @Test
        void aBacklogGoesPastTheRowsOfQueuesTheProcessDoesNotHave() {
            var narrowSink = new QueuesSink(clock, "default");
            var narrow = open(builder().batchSize(3).fireThreads(2), narrowSink);
            List<String> left = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                narrow.schedule(onQueue("default"), T0);
                left.add(narrow.schedule(onQueue(i % 2 == 0 ? "reports" : "audit"), T0));
            }
            assertThat(narrow.fireDue()).as("jobs of its own queue, in one drain").isEqualTo(10);
            clock.advance(Duration.ofMinutes(10));
            narrow.schedule(onQueue("default"), clock.instant());
            assertThat(narrow.fireDue()).isOne();
            assertThat(narrowSink.recorded().envelopes()).extracting(JobEnvelope::queue).containsOnly("default");
            assertThat(narrow.listScheduled(100)).extracting(ScheduledJobInfo::id)
                    .containsExactlyInAnyOrderElementsOf(left);
            assertThat(narrow.listScheduled(100)).extracting(ScheduledJobInfo::error).containsOnlyNulls();

            var fullSink = new QueuesSink(clock, "default", "reports", "audit");
            var full = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "full"))
                    .pollInterval(Duration.ofMinutes(10)).batchSize(3), fullSink);
            assertThat(full.fireDue()).isEqualTo(10);
            assertThat(fullSink.recorded().envelopes()).extracting(JobEnvelope::jobId)
                    .containsExactlyInAnyOrderElementsOf(left);
        }

        /**
         * An application's own sink whose {@code serves(queue)} throws (the core's cannot): asked inside the claim's
         * transaction, it rolled the batch back, the jobs handed on in it unmarked, and every pass met the same row
         * again, so that no job due with it was ever marked and every pass failed.
         */
        @Test
        void aSinkWhoseServesThrowsHoldsUpNoOtherJob() {
            var queues = new QueuesSink(clock, "default");
            JobSink throwing = new JobSink() {
                @Override
                public dev.jobq.spi.EnqueueResult submit(JobEnvelope envelope) {
                    return queues.submit(envelope);
                }

                @Override
                public boolean serves(String queue) {
                    throw new IllegalStateException("tenant registry unreachable");
                }
            };
            var scheduler = open(builder(), throwing);
            Instant at = T0.plus(Duration.ofMinutes(1));
            String report = scheduler.schedule(onQueue("reports"), at);
            String other = scheduler.schedule(onQueue("default"), at);
            scheduler.registerRecurring(recurring("digest", "every 1 minute")
                    .options(EnqueueOptions.builder().queue("reports").build()).build(), "{}");
            clock.set(at);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).as("jobs handed on beside those whose queue serves() failed on")
                        .isOne();
                assertThat(queues.recorded().envelopes()).extracting(JobEnvelope::jobId).containsExactly(other);
                assertThat(scheduler.listScheduled(10)).singleElement().satisfies(row -> {
                    assertThat(row.id()).isEqualTo(report);
                    assertThat(row.error()).as("its error").contains("unknown queue 'reports'");
                });
                assertThat(scheduler.getRecurring("digest").orElseThrow().lastError())
                        .contains("unknown queue 'reports'");
                assertThat(log.warnings()).as("warnings about serves()").filteredOn(line -> line.contains("serves("))
                        .singleElement().asString().contains("serves('reports')", "IllegalStateException",
                                "tenant registry unreachable", "kept and tried again every 5m",
                                "answers true or false for every queue without throwing");

                clock.advance(HandOff.MAX_RETRY);
                assertThat(scheduler.fireDue()).as("after the retry pause").isZero();
                assertThat(log.warnings()).as("warnings about serves(), once per queue")
                        .filteredOn(line -> line.contains("serves(")).hasSize(1);
            }
            assertThat(scheduler.firingProblem()).isEmpty();
        }

        /**
         * Processes of different versions share the database during a rolling deploy: a one-time job whose options
         * this version cannot read (a newer jobq's) was a failed hand-off here, its shared row pushed on (1 s, 2 s,
         * 4 s … 5 min) at each try, with an error and a try counted, so that the process that can read it handed it on
         * that late. As a recurring job it cannot read, it is left as it is for that process.
         */
        @Test
        void aProcessThatCannotReadAJobLeavesItsRowToOneThatCan() throws SQLException {
            var older = open(builder());
            Instant at = T0.plus(Duration.ofMinutes(1));
            String unreadable = older.schedule(job("report:newer"), at);
            String other = older.schedule(job("report:other"), at);
            // Options as a newer jobq might write them: a maxAttempts of 0, which this version refuses.
            setOptions(unreadable, "{\"maxAttempts\":0,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            clock.set(at);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(older.fireDue()).as("jobs the older process handed on").isOne();
                clock.advance(Duration.ofSeconds(1));
                assertThat(older.fireDue()).as("a second later").isZero();
                assertThat(scheduledRow(unreadable)).as("due_at, attempts and error of the shared row")
                        .containsExactly(at, 0, null);
                assertThat(older.passNow()).as("the older process's wake-up: when it looks at the job again")
                        .isEqualTo(at.plus(HandOff.MAX_RETRY));
                assertThat(log.warnings()).as("warnings of the older process").singleElement().asString()
                        .contains("scheduled job " + unreadable + " (report:newer) cannot be read",
                                "maxAttempts must be ≥ 1, got 0", "leaves its row as it is",
                                "jobq schedule cancel " + unreadable);
            }
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(other);

            // The newer process reads the job's options (here written as this version reads them).
            setOptions(unreadable, "{\"maxAttempts\":3,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            var newer = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "newer"))
                    .pollInterval(Duration.ofMinutes(10)));
            clock.advance(Duration.ofSeconds(1));
            assertThat(newer.fireDue()).as("jobs the newer process handed on, 2 s after their instant").isOne();
            assertThat(sink.submissions()).last().satisfies(submission -> {
                assertThat(submission.envelope().jobId()).isEqualTo(unreadable);
                assertThat(Duration.between(at, submission.at())).as("lateness").isEqualTo(Duration.ofSeconds(2));
            });
            assertThat(older.listScheduled(10)).isEmpty();
        }

        /**
         * A row's id changed by hand (an operator's {@code UPDATE}) may hold a newline or an ANSI escape: the warnings
         * about the row repeated it as it is, where the type beside it was escaped, so a newline forged a log line and
         * the command to cancel it, pasted, cancelled no such job.
         */
        @Test
        void theWarningsAboutARowRepeatAnIdChangedByHandEscaped() throws SQLException {
            var scheduler = open(builder());
            Instant at = T0.plus(Duration.ofMinutes(1));
            String refused = "refused-1\n12:00:00.000 INFO forged \u001b[31m";
            String rejected = "rejected-1\nforged";
            String unreadable = "unreadable-1\nforged";
            setId(scheduler.schedule(job("report:refused"), at), refused);
            setId(scheduler.schedule(job("report:rejected"), at), rejected);
            setId(scheduler.schedule(job("report:newer"), at), unreadable);
            setOptions(unreadable, "{\"maxAttempts\":0,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            sink.refuseWhen(e -> e.type().equals("report:refused"));
            sink.rejectWhen(e -> e.type().equals("report:rejected"));
            clock.set(at);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).as("jobs handed on").isZero();

                assertThat(log.warnings()).hasSize(3)
                        .allSatisfy(line -> assertThat(line).doesNotContain("\n", "\u001b"))
                        .anySatisfy(line -> assertThat(line).contains("handing on scheduled job refused-1\\n"
                                + "12:00:00.000 INFO forged \\u001b[31m (report:refused) failed"))
                        .anySatisfy(line -> assertThat(line).contains("scheduled job rejected-1\\nforged "
                                + "(report:rejected) is rejected", "jobq schedule cancel $'rejected-1\\nforged'"))
                        .anySatisfy(line -> assertThat(line).contains("scheduled job unreadable-1\\nforged "
                                + "(report:newer) cannot be read", "jobq schedule cancel $'unreadable-1\\nforged'"));
            }
        }

        private void setId(String id, String changed) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE jobq_scheduled_job SET id = ? WHERE id = ?")) {
                update.setString(1, changed);
                update.setString(2, id);
                assertThat(update.executeUpdate()).isOne();
            }
        }

        /**
         * Past {@link UnreadableScheduledJobs#MAX_LEFT_ALONE} jobs this process cannot read (a rolling deploy whose
         * newer version wrote many), the others are pushed on as before it left such rows alone: every claim carries
         * the ids it leaves out, and a set without bound made each claim slower (20,000 such rows: the first pass took
         * 147 s on H2, holding up the jobs due with them).
         */
        @Test
        void jobsItCannotReadBeyondThoseItLeavesAloneArePushedOnNotCarriedInEveryClaim() throws SQLException {
            var scheduler = open(builder());
            int beyond = 3;
            List<String> unreadable = new ArrayList<>();
            for (int i = 0; i < UnreadableScheduledJobs.MAX_LEFT_ALONE + beyond; i++) {
                unreadable.add(scheduler.schedule(job("report:newer"), T0));
            }
            String readable = scheduler.schedule(job("report:other"), T0.plusSeconds(1));
            for (String id : unreadable) {
                setOptions(id, "{\"maxAttempts\":");
            }
            Instant now = T0.plusSeconds(1);
            clock.set(now);

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).as("jobs handed on").isOne();
                assertThat(log.warnings()).as("warnings: one for the jobs left alone, one for those pushed on")
                        .hasSize(2)
                        .satisfiesExactly(
                                pushedOn -> assertThat(pushedOn).asString().contains("cannot be read",
                                        "more than " + UnreadableScheduledJobs.MAX_LEFT_ALONE, "pushed on"),
                                leftAlone -> assertThat(leftAlone).asString().contains(
                                        UnreadableScheduledJobs.MAX_LEFT_ALONE + " scheduled jobs in "));
            }
            assertThat(sink.envelopes()).extracting(JobEnvelope::jobId).containsExactly(readable);
            List<List<Object>> rows = new ArrayList<>();
            for (String id : unreadable) {
                rows.add(scheduledRow(id));
            }
            assertThat(rows).as("rows left as they were").filteredOn(row -> row.get(0).equals(T0))
                    .hasSize(UnreadableScheduledJobs.MAX_LEFT_ALONE)
                    .allSatisfy(row -> assertThat(row).containsExactly(T0, 0, null));
            assertThat(rows).as("rows pushed on, as before rows were left alone").filteredOn(row -> !row.get(0).equals(T0))
                    .hasSize(beyond)
                    .allSatisfy(row -> {
                        assertThat(row.get(0)).isEqualTo(now.plus(HandOff.MAX_RETRY));
                        assertThat(row.get(1)).as("tries: none was made").isEqualTo(0);
                        assertThat(row.get(2)).asString().contains("cannot be read");
                    });
        }

        /**
         * Stores {@link UnreadableScheduledJobs#MAX_LEFT_ALONE} jobs this process cannot read due at T0, which it leaves
         * alone, and one more due at {@code at}, which it pushes on; returns that one's id.
         */
        private String oneUnreadableBeyondThoseLeftAlone(JdbcJobScheduler scheduler, Instant at) throws SQLException {
            for (int i = 0; i < UnreadableScheduledJobs.MAX_LEFT_ALONE; i++) {
                setOptions(scheduler.schedule(job("report:newer"), T0), "{\"maxAttempts\":");
            }
            String pushed = scheduler.schedule(job("report:newer"), at);
            setOptions(pushed, "{\"maxAttempts\":");
            return pushed;
        }

        /**
         * A job pushed on for being unreadable (past the {@link UnreadableScheduledJobs#MAX_LEFT_ALONE} left alone) and
         * then made readable (a newer deploy, the process that can read it): each push counted a try it never made, so
         * that its first failed hand-off after 9 pushes waited 5 minutes, not 1 s, and getJob and listScheduled showed
         * "cannot be read" for a job that can be read, until it was handed on.
         */
        @Test
        void aJobPushedOnForBeingUnreadableCountsNoTryAndSaysSoOnceItCanBeRead() throws SQLException {
            var scheduler = open(builder());
            Instant at = T0.plusSeconds(1);
            String pushed = oneUnreadableBeyondThoseLeftAlone(scheduler, at);
            Instant now = at;
            clock.set(now);
            int pushes = 9;
            for (int i = 0; i < pushes; i++) {
                assertThat(scheduler.fireDue()).as("jobs handed on").isZero();
                assertThat(scheduledRow(pushed)).as("the row pushed on, push " + (i + 1)).satisfies(row -> {
                    assertThat(row.get(1)).as("tries").isEqualTo(0);
                    assertThat(row.get(2)).asString().contains("cannot be read");
                });
                now = now.plus(HandOff.MAX_RETRY);
                clock.set(now);
            }
            Instant dueAt = (Instant) scheduledRow(pushed).get(0);

            // Now it can be read (a newer deploy): until it is handed on, nothing says it cannot be.
            setOptions(pushed, "{\"maxAttempts\":3,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            assertThat(scheduler.getJob(pushed)).hasValueSatisfying(info -> assertThat(info.lastError()).as("getJob")
                    .doesNotContain("cannot be read", "options object").contains("pushed it on to " + dueAt));
            assertThat(scheduler.listScheduled(200)).filteredOn(row -> row.id().equals(pushed)).singleElement()
                    .satisfies(row -> assertThat(row.error()).as("listScheduled")
                            .doesNotContain("cannot be read", "options object").contains("pushed it on to " + dueAt));

            sink.refuseWhen(envelope -> envelope.jobId().equals(pushed));
            clock.set(dueAt);
            assertThat(scheduler.fireDue()).as("jobs handed on").isZero();
            assertThat(scheduledRow(pushed)).as("due_at, tries and error after its first failed hand-off")
                    .satisfies(row -> {
                        assertThat(row.get(0)).isEqualTo(dueAt.plus(HandOff.FIRST_RETRY));
                        assertThat(row.get(1)).isEqualTo(1);
                        assertThat(row.get(2)).asString().contains("provider unreachable");
                    });
        }

        /**
         * A job pushed on for being unreadable whose new due time has passed, not handed on (no scheduler that can read
         * it ran since: a newer jobq's {@code jobq schedule list} beside older workers): getJob and listScheduled said
         * "pushed it on to <a past instant>, when it is handed on", a hand-off at a time gone by that never happened.
         */
        @Test
        void aJobPushedOnForBeingUnreadableAndDueSinceDoesNotSayItIsHandedOnThen() throws SQLException {
            var scheduler = open(builder());
            Instant at = T0.plusSeconds(1);
            String pushed = oneUnreadableBeyondThoseLeftAlone(scheduler, at);
            clock.set(at);
            assertThat(scheduler.fireDue()).as("jobs handed on").isZero();
            Instant dueAt = (Instant) scheduledRow(pushed).get(0);
            assertThat(dueAt).as("pushed on").isEqualTo(at.plus(HandOff.MAX_RETRY));

            // Readable (a newer jobq), and due for 10 minutes, no scheduler that can read it having run.
            setOptions(pushed, "{\"maxAttempts\":3,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"default\"}");
            clock.set(dueAt.plus(Duration.ofMinutes(10)));
            assertThat(scheduler.getJob(pushed)).hasValueSatisfying(info -> assertThat(info.lastError()).as("getJob")
                    .contains("pushed it on to " + dueAt, "due since").doesNotContain("when it is handed on"));
            assertThat(scheduler.listScheduled(200)).filteredOn(row -> row.id().equals(pushed)).singleElement()
                    .satisfies(row -> assertThat(row.error()).as("listScheduled")
                            .contains("pushed it on to " + dueAt, "due since").doesNotContain("when it is handed on"));

            // Before its due time, it still says when it is handed on.
            clock.set(dueAt.minusSeconds(1));
            assertThat(scheduler.getJob(pushed)).hasValueSatisfying(info -> assertThat(info.lastError())
                    .contains("pushed it on to " + dueAt + ", when it is handed on"));
        }

        /**
         * A rolling deploy whose newer version adds a queue and writes options this version cannot read: a job of both
         * kinds is not this process's either way. Past the {@link UnreadableScheduledJobs#MAX_LEFT_ALONE} jobs it
         * leaves alone, it pushed the shared row of one on a queue it does not have by {@link HandOff#MAX_RETRY}, with
         * an error and a try counted, where a job of a queue it does not have is left as it is: the process with the
         * queue, which can read it, handed it on 5 minutes late.
         */
        @Test
        void aJobItCannotReadOnAQueueItDoesNotHaveIsLeftToTheProcessWithTheQueue() throws SQLException {
            var narrowSink = new QueuesSink(clock, "default");
            var narrow = open(builder(), narrowSink);
            List<String> unreadable = new ArrayList<>();
            for (int i = 0; i < UnreadableScheduledJobs.MAX_LEFT_ALONE; i++) {
                unreadable.add(narrow.schedule(job("report:newer"), T0));
            }
            Instant at = T0.plusSeconds(1);
            String report = narrow.schedule(onQueue("reports"), at);
            for (String id : unreadable) {
                setOptions(id, "{\"maxAttempts\":");
            }
            setOptions(report, "{\"maxAttempts\":0,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"reports\"}");
            clock.set(at);

            assertThat(narrow.fireDue()).as("jobs the process without the queue handed on").isZero();
            assertThat(scheduledRow(report)).as("due_at, attempts and error of the row on the queue it does not have")
                    .containsExactly(at, 0, null);

            // The newer process, with the queue, reads the job's options (here written as this version reads them).
            setOptions(report, "{\"maxAttempts\":3,\"timeoutMs\":30000,\"priority\":0,\"queue\":\"reports\"}");
            var fullSink = new QueuesSink(clock, "default", "reports");
            var full = open(JdbcSchedulerFactory.builder().jdbcUrl(sameDatabase(url, "full"))
                    .pollInterval(Duration.ofMinutes(10)), fullSink);
            clock.advance(Duration.ofSeconds(1));
            assertThat(full.fireDue()).as("jobs the process with the queue handed on").isOne();
            assertThat(fullSink.recorded().submissions()).singleElement().satisfies(submission -> {
                assertThat(submission.envelope().jobId()).isEqualTo(report);
                assertThat(Duration.between(at, submission.at())).as("lateness").isEqualTo(Duration.ofSeconds(1));
            });
        }

        /**
         * Many one-time jobs this process cannot read (a newer jobq's, during a rolling deploy): each one left alone
         * was a WARN of its own, up to {@link UnreadableScheduledJobs#MAX_LEFT_ALONE} of them every 5 minutes. One WARN
         * per pass names how many, a few ids, a reason and the way out.
         */
        @Test
        void jobsThisProcessCannotReadAreOneWarningAPass() throws SQLException {
            var scheduler = open(builder());
            List<String> unreadable = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                unreadable.add(scheduler.schedule(job("report:newer"), T0));
            }
            for (String id : unreadable) {
                setOptions(id, "{\"maxAttempts\":");
            }

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).isZero();
                assertThat(log.warnings()).as("warnings of the pass").singleElement().asString()
                        .contains("7 scheduled jobs in ", "cannot be read by this process", "and 2 more",
                                "is not a jobq options object", "looks at them again at " + T0.plus(HandOff.MAX_RETRY),
                                "jobq schedule cancel <id>", "jobq schedule list");
                clock.advance(HandOff.MAX_RETRY);
                assertThat(scheduler.fireDue()).isZero();
                assertThat(log.warnings()).as("warnings after 5 minutes").hasSize(2);
            }
        }

        /** A job no process here can read: looked at again, and warned of, once per {@link HandOff#MAX_RETRY}. */
        @Test
        void aJobThisProcessCannotReadIsLookedAtAgainEveryFiveMinutes() throws SQLException {
            var scheduler = open(builder());
            String unreadable = scheduler.schedule(job("report:newer"), T0);
            setOptions(unreadable, "{\"maxAttempts\":");

            try (CapturedLog log = CapturedLog.of(HandOff.class)) {
                assertThat(scheduler.fireDue()).isZero();
                clock.advance(HandOff.MAX_RETRY.minusSeconds(1));
                assertThat(scheduler.fireDue()).isZero();
                assertThat(log.warnings()).as("warnings within 5 minutes").hasSize(1);
                clock.advance(Duration.ofSeconds(1));
                assertThat(scheduler.fireDue()).isZero();
                assertThat(log.warnings()).as("warnings after 5 minutes").hasSize(2);
            }
            assertThat(scheduledRow(unreadable)).containsExactly(T0, 0, null);
            assertThat(scheduler.cancel(unreadable)).as("cancelled").isTrue();
        }

        /**
         * getJob on a one-time job whose options this process cannot read (a newer jobq's): listScheduled and status
         * show the job waiting, and a process that can read it hands it on, but getJob threw the reader's raw
         * IllegalStateException, naming no way out. As a recurring job this runtime cannot read is returned with its
         * problem, the job is returned, DELAYED, with the default options on its queue and the reason as its error.
         */
        @Test
        void getJobOfAJobThisProcessCannotReadSaysWhyRatherThanThrowing() throws SQLException {
            var scheduler = open(builder());
            String unreadable = scheduler.schedule(job("report:newer"), T0.plus(Duration.ofMinutes(1)));
            setOptions(unreadable, "{\"maxAttempts\":0,\"timeoutMs\":30000,\"priority\":7,\"queue\":\"default\"}");

            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(unreadable);
            assertThat(scheduler.getJob(unreadable)).as("getJob").hasValueSatisfying(info -> {
                assertThat(info.id()).isEqualTo(unreadable);
                assertThat(info.type()).isEqualTo("report:newer");
                assertThat(info.queue()).isEqualTo("default");
                assertThat(info.state()).isEqualTo(JobState.DELAYED);
                assertThat(info.options()).as("options this process cannot read: the defaults on its queue")
                        .isEqualTo(JobOptions.defaults());
                assertThat(info.lastError()).as("why").contains("scheduled job " + unreadable,
                        "maxAttempts must be ≥ 1, got 0", "cannot be read by this version of jobq",
                        "jobq schedule cancel " + unreadable);
            });
        }

        /**
         * A one-time job no process can read (a row changed by hand): this process leaves it as it is (e56faca1), its
         * row's error empty, where it had held the reason since the first failed try. jobq schedule list
         * (listScheduled) then showed a job long due, never handed on, with nothing saying why; the reason was only in
         * a WARN every 5 minutes. As getJob, and listRecurring for a recurring job, it says what this process cannot
         * read and the way out.
         */
        @Test
        void listScheduledSaysWhyThisProcessLeavesAJobItCannotRead() throws SQLException {
            var scheduler = open(builder());
            String unreadable = scheduler.schedule(job("report:newer"), T0);
            String readable = scheduler.schedule(job("report:other"), T0.plus(Duration.ofMinutes(1)));
            setOptions(unreadable, "{\"maxAttempts\":");
            assertThat(scheduler.fireDue()).isZero();

            assertThat(scheduler.listScheduled(10)).satisfiesExactly(
                    row -> {
                        assertThat(row.id()).isEqualTo(unreadable);
                        assertThat(row.error()).as("why it is not handed on").contains(
                                "scheduled job " + unreadable, "is not a jobq options object",
                                "jobq schedule cancel " + unreadable);
                    },
                    row -> {
                        assertThat(row.id()).isEqualTo(readable);
                        assertThat(row.error()).isNull();
                    });
            assertThat(scheduledRow(unreadable)).as("due_at, attempts and error of the shared row")
                    .containsExactly(T0, 0, null);
        }

        /**
         * Both kinds of rows left out at once, a queue this process does not have and a job it cannot read: the claims
         * (from the start, and after a place in a backlog, in batches of one) and the look at the earliest due row bind
         * the place, the queues and the ids in that order, and the rest is handed on.
         */
        @Test
        void claimsLeavingOutAQueueAndAJobThisProcessCannotReadHandOnTheRest() throws SQLException {
            var queues = new QueuesSink(clock, "default");
            var scheduler = open(builder().batchSize(1), queues);
            String elsewhere = scheduler.schedule(onQueue("reports"), T0);
            String unreadable = scheduler.schedule(job("report:newer"), T0);
            setOptions(unreadable, "{\"maxAttempts\":");
            assertThat(scheduler.fireDue()).as("with only rows left out").isZero();

            List<String> due = IntStream.range(0, 3).mapToObj(i -> scheduler.schedule(job("report:" + i), T0)).toList();
            assertThat(scheduler.fireDue()).as("the rest, one batch of one after another").isEqualTo(3);
            assertThat(queues.recorded().envelopes()).extracting(JobEnvelope::jobId)
                    .containsExactlyInAnyOrderElementsOf(due);
            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id)
                    .containsExactlyInAnyOrder(elsewhere, unreadable);
            assertThat(scheduler.passNow()).as("the wake-up: when it looks at the job it cannot read again")
                    .isEqualTo(T0.plus(HandOff.MAX_RETRY));
        }

        private void setOptions(String id, String options) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement update = connection.prepareStatement(
                         "UPDATE jobq_scheduled_job SET options = ? WHERE id = ?")) {
                update.setString(1, options);
                update.setString(2, id);
                assertThat(update.executeUpdate()).isOne();
            }
        }

        /** The due time, attempts and error of a one-time job's row. */
        private List<Object> scheduledRow(String id) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT due_at, attempts, error FROM jobq_scheduled_job WHERE id = ?")) {
                select.setString(1, id);
                try (var rows = select.executeQuery()) {
                    assertThat(rows.next()).isTrue();
                    return Arrays.asList(rows.getObject(1, OffsetDateTime.class).toInstant(), rows.getInt(2),
                            rows.getString(3));
                }
            }
        }
    }

    @Nested
    @DisplayName("purge")
    class Purge {

        @Test
        void deletesEnqueuedAndCancelledJobsAfterTheRetentionPeriod() {
            var scheduler = open(builder().retention(AN_HOUR));
            JobEnvelope done = job("report:done");
            JobEnvelope cancelled = job("report:cancelled");
            JobEnvelope waiting = job("report:waiting");
            scheduler.schedule(done, T0);
            scheduler.schedule(cancelled, T0.plus(Duration.ofDays(1)));
            scheduler.schedule(waiting, T0.plus(Duration.ofDays(1)));
            scheduler.fireDue();
            scheduler.cancel(cancelled.jobId());

            clock.set(T0.plus(Duration.ofMinutes(59)));
            assertThat(scheduler.purgeNow()).isZero();
            clock.set(T0.plus(Duration.ofMinutes(61)));
            assertThat(scheduler.purgeNow()).isEqualTo(2);

            assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(waiting.jobId());
            assertThat(scheduler.cancel(done.jobId())).isFalse();
        }
    }

}
