package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jobq.MisfirePolicy;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.scheduler.jdbc.schema.tables.records.JobqRecurringJobRecord;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.time.zone.ZoneRulesProvider;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Processes of different versions share one database during a rolling deploy: one whose Java runtime has older
 * time-zone data than another's (or whose jobq is older) cannot read a recurring job the newer one registered. It
 * must leave that job's row as it is for the processes that can: it pushed the occurrence 5 minutes on in the shared
 * row, so that those fired it late (FIRE_ONCE) or not at all (SKIP, past misfireThreshold).
 */
@DisplayName("JDBC scheduler on H2: a recurring job this process cannot read")
class H2RowThisProcessCannotReadTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    /** A zone of newer time-zone data: unknown to this JVM until {@link NewerTzdata#arrive()}. */
    private static final String NEWER_ZONE = "Jobq/Rolling_Deploy";

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);
    private final List<JdbcJobScheduler> opened = new CopyOnWriteArrayList<>();
    private final String url = "jdbc:h2:mem:jobq-unreadable-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    @AfterEach
    void close() {
        opened.forEach(JdbcJobScheduler::close);
    }

    private JdbcJobScheduler open() {
        JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url).pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        opened.add(scheduler);
        return scheduler;
    }

    @Test
    @DisplayName("a process that cannot read the job leaves its row as it is: one that can fires it on time")
    void aProcessThatCannotReadTheJobLeavesItToOneThatCan() throws SQLException {
        var older = open();
        older.registerRecurring(RecurringJob.builder("digest", "report:digest").schedule("every 1 hour")
                .misfirePolicy(MisfirePolicy.SKIP).build(), "{}");
        // Registered by a process whose time-zone data knows the zone (written here by plain JDBC).
        update("UPDATE jobq_recurring_job SET timezone = '" + NEWER_ZONE + "' WHERE name = 'digest'");
        Instant occurrence = T0.plus(Duration.ofHours(1));
        clock.set(occurrence);

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThat(older.fireDue()).as("jobs the older process handed on").isZero();
            assertThat(older.passNow()).as("the older process's wake-up: not at once for a job it does not fire")
                    .isAfter(occurrence.plus(FiringLoop.HELD_ELSEWHERE_RECHECK));
            assertThat(log.warnings()).as("warnings of the older process").hasSize(1).first().asString()
                    .contains("recurring job 'digest'", "timezone '" + NEWER_ZONE + "' is unknown to this Java runtime",
                            "update this Java runtime or its time-zone data");
        }
        RecurringJobInfo untouched = older.getRecurring("digest").orElseThrow();
        Instant dueAt = dueAt();

        NewerTzdata.arrive();
        var newer = open();
        clock.advance(Duration.ofSeconds(1));
        assertThat(newer.fireDue()).as("jobs the newer process handed on, a second after the occurrence").isOne();
        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).containsExactly(occurrence);
        assertThat(newer.getRecurring("digest").orElseThrow().nextRunAt()).isEqualTo(occurrence.plus(Duration.ofHours(1)));

        assertThat(untouched.nextRunAt()).isEqualTo(occurrence);
        assertThat(untouched.lastError()).as("last error in the shared row").isNull();
        assertThat(untouched.updatedAt()).as("updated at").isEqualTo(T0);
        assertThat(dueAt).as("due_at in the shared row").isEqualTo(occurrence);
    }

    @Test
    @DisplayName("a job no process here can read is warned of once per 5 minutes, and looked at again once its row changes")
    void aJobThisProcessCannotReadIsWarnedOfOncePerIntervalAndAgainOnceItChanges() throws SQLException {
        var scheduler = open();
        scheduler.registerRecurring(RecurringJob.builder("digest", "report:digest").schedule("every 1 hour").build(), "{}");
        scheduler.registerRecurring(RecurringJob.builder("sync", "report:sync").schedule("every 1 hour").build(), "{}");
        update("UPDATE jobq_recurring_job SET misfire_policy = 'FIRE_LATEST' WHERE name = 'digest'");
        clock.set(T0.plus(Duration.ofHours(1)));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThat(scheduler.fireDue()).as("sync's occurrence").isOne();
            assertThat(log.warnings()).hasSize(1).first().asString().contains("recurring job 'digest'",
                    "misfire policy 'FIRE_LATEST' is unknown to this version of jobq", "run this process on that version");
            clock.advance(Duration.ofMinutes(4));
            assertThat(scheduler.fireDue()).isZero();
            assertThat(log.warnings()).as("warnings within 5 minutes").hasSize(1);
            assertThat(dueAt()).as("due_at in the shared row").isEqualTo(T0.plus(Duration.ofHours(1)));

            clock.advance(Duration.ofMinutes(1));
            assertThat(scheduler.fireDue()).isZero();
            assertThat(log.warnings()).as("warnings after 5 minutes").hasSize(2);
            clock.advance(Duration.ofSeconds(1));
            assertThat(scheduler.fireDue()).isZero();
            assertThat(log.warnings()).hasSize(2);

            // Another process changes the row (a newer one registering the job again, with another policy it knows).
            update("UPDATE jobq_recurring_job SET misfire_policy = 'FIRE_NEWEST', updated_at = TIMESTAMP WITH TIME "
                    + "ZONE '2026-03-02 13:05:30Z' WHERE name = 'digest'");
            assertThat(scheduler.fireDue()).isZero();
            assertThat(log.warnings()).as("warnings once the row changed").hasSize(3).last().asString()
                    .contains("misfire policy 'FIRE_NEWEST'");
        }
        RecurringJobInfo digest = scheduler.getRecurring("digest").orElseThrow();
        assertThat(digest.lastError()).isNull();
        assertThat(dueAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    /**
     * A job this process cannot read, fired every minute by a process that can (a rolling deploy): each occurrence
     * changes its row, and this process, claiming it first now and then, warned of it again each time, with the same
     * reason: a WARN a minute where docs/scheduler.md says every 5 minutes.
     */
    @Test
    @DisplayName("a job another process fires every minute is warned of once per 5 minutes, not at every occurrence")
    void aJobAnotherProcessFiresIsWarnedOfOncePerIntervalNotAtEveryOccurrence() throws SQLException {
        var scheduler = open();
        scheduler.registerRecurring(RecurringJob.builder("digest", "report:digest").schedule("every 1 minute").build(),
                "{}");
        update("UPDATE jobq_recurring_job SET misfire_policy = 'FIRE_LATEST' WHERE name = 'digest'");
        Instant occurrence = T0.plus(Duration.ofMinutes(1));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            for (int i = 0; i < 4; i++) {
                clock.set(occurrence);
                assertThat(scheduler.fireDue()).as("jobs handed on at " + occurrence).isZero();
                // The process that can read it fires the occurrence: its row moves on to the next.
                occurrence = occurrence.plus(Duration.ofMinutes(1));
                update("UPDATE jobq_recurring_job SET next_run_at = TIMESTAMP WITH TIME ZONE '" + occurrence
                        + "', due_at = TIMESTAMP WITH TIME ZONE '" + occurrence + "', updated_at = "
                        + "TIMESTAMP WITH TIME ZONE '" + clock.instant() + "' WHERE name = 'digest'");
            }
            assertThat(log.warnings()).as("warnings within 4 minutes").hasSize(1);
        }
    }

    /**
     * docs/scheduler.md: enabling a job whose zone this runtime does not know fails, as its next run cannot be computed
     * here; one whose misfire policy or options this version cannot read has a next run all the same, and enabling it
     * works: the processes that can read it fire it, and this one still leaves its row as it is.
     */
    @Test
    @DisplayName("a job whose misfire policy this version does not know can be enabled here; it still does not fire it")
    void aJobWithAnUnknownMisfirePolicyCanBeEnabledAndIsStillNotFiredHere() throws SQLException {
        var scheduler = open();
        scheduler.registerRecurring(RecurringJob.builder("digest", "report:digest").schedule("every 1 hour")
                .enabled(false).build(), "{}");
        update("UPDATE jobq_recurring_job SET misfire_policy = 'FIRE_LATEST' WHERE name = 'digest'");
        clock.set(T0.plus(Duration.ofMinutes(90)));

        assertThat(scheduler.setRecurringEnabled("digest", true)).isTrue();
        RecurringJobInfo enabled = scheduler.getRecurring("digest").orElseThrow();
        assertThat(enabled.enabled()).isTrue();
        assertThat(enabled.nextRunAt()).isEqualTo(T0.plus(Duration.ofHours(2)));
        assertThat(enabled.problem()).contains("misfire policy 'FIRE_LATEST' is unknown to this version of jobq");

        clock.set(T0.plus(Duration.ofHours(2)));
        assertThat(scheduler.fireDue()).as("occurrences this process handed on").isZero();
        assertThat(dueAt()).as("due_at in the shared row").isEqualTo(T0.plus(Duration.ofHours(2)));

        // A schedule this version cannot read leaves no next run to compute: enabling that job fails, saying why.
        scheduler.setRecurringEnabled("digest", false);
        update("UPDATE jobq_recurring_job SET schedule = 'every 1 fortnight' WHERE name = 'digest'");
        assertThat(catchThrowable(() -> scheduler.setRecurringEnabled("digest", true)))
                .hasMessageContaining("'every 1 fortnight'");
        assertThat(scheduler.getRecurring("digest").orElseThrow().enabled()).isFalse();
    }

    @Test
    @DisplayName("a row's misfire policy or zone changed by hand is repeated with its control characters escaped")
    void aPolicyOrZoneWithControlCharactersIsRepeatedEscaped() throws SQLException {
        // they were repeated raw: a newline in the column started a forged line of its own in the WARN and the listing
        var scheduler = open();
        scheduler.registerRecurring(RecurringJob.builder("digest", "report:digest").schedule("every 1 hour").build(), "{}");
        scheduler.registerRecurring(RecurringJob.builder("sync", "report:sync").schedule("every 1 hour").build(), "{}");
        update("UPDATE jobq_recurring_job SET misfire_policy = 'SKIP' || CHAR(10) || 'forged' WHERE name = 'digest'");
        update("UPDATE jobq_recurring_job SET timezone = 'UTC' || CHAR(10) || 'forged' WHERE name = 'sync'");

        assertThat(scheduler.getRecurring("digest").orElseThrow().problem())
                .contains("misfire policy 'SKIP\\nforged' is unknown").doesNotContain("\n");
        assertThat(scheduler.getRecurring("sync").orElseThrow().problem())
                .contains("timezone 'UTC\\nforged' is not a time-zone id").doesNotContain("\n");
    }

    @Test
    @DisplayName("a row's zone or misfire policy changed by hand is not repeated raw by the cause of its refusal")
    void aZoneOrPolicyWithControlCharactersIsNotRepeatedRawByTheCauseOfItsRefusal() throws SQLException {
        // the refusal escaped the column, but carried java.time's exception (or valueOf's), whose message repeats it
        // raw: a caller logging setRecurringEnabled's refusal with its stack trace had the escape after "Caused by:"
        var scheduler = open();
        scheduler.registerRecurring(RecurringJob.builder("sync", "report:sync").schedule("every 1 hour").build(), "{}");
        scheduler.setRecurringEnabled("sync", false);
        update("UPDATE jobq_recurring_job SET timezone = 'UTC' || CHAR(27) || '[31m' || CHAR(10) || 'forged', "
                + "misfire_policy = 'SKIP' || CHAR(27) || '[31m' || CHAR(10) || 'x' WHERE name = 'sync'");

        Throwable zone = catchThrowable(() -> scheduler.setRecurringEnabled("sync", true));
        assertThat(zone).hasMessageContaining("timezone 'UTC\\u001b[31m\\nforged' is not a time-zone id");
        assertThat(stackTrace(zone)).as("the refusal's stack trace, as a log line shows it")
                .doesNotContain("\u001b", "\nforged");
        JobqRecurringJobRecord row = new JobqRecurringJobRecord();
        row.setName("sync");
        row.setMisfirePolicy("SKIP\u001b[31m\nx");
        Throwable policy = catchThrowable(() -> RecurringJobs.misfirePolicy(row));
        assertThat(policy).hasMessageContaining("misfire policy 'SKIP\\u001b[31m\\nx' is unknown");
        assertThat(stackTrace(policy)).as("the refusal's stack trace, as a log line shows it")
                .doesNotContain("\u001b", "\nx");
    }

    private static String stackTrace(Throwable thrown) {
        var trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    private void update(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement update = connection.prepareStatement(sql)) {
            assertThat(update.executeUpdate()).isOne();
        }
    }

    private Instant dueAt() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             PreparedStatement select = connection.prepareStatement(
                     "SELECT due_at FROM jobq_recurring_job WHERE name = 'digest'");
             var rows = select.executeQuery()) {
            assertThat(rows.next()).isTrue();
            return rows.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }

    /** Newer time-zone data arriving in this JVM, as it would in a newer process: once per JVM. */
    private static final class NewerTzdata extends ZoneRulesProvider {

        private static boolean arrived;

        static synchronized void arrive() {
            if (!arrived) {
                ZoneRulesProvider.registerProvider(new NewerTzdata());
                arrived = true;
            }
        }

        @Override
        protected Set<String> provideZoneIds() {
            return Set.of(NEWER_ZONE);
        }

        @Override
        protected ZoneRules provideRules(String zoneId, boolean forCaching) {
            return ZoneRules.of(ZoneOffset.ofHours(3));
        }

        @Override
        protected NavigableMap<String, ZoneRules> provideVersions(String zoneId) {
            return new TreeMap<>(java.util.Map.of("2099a", ZoneRules.of(ZoneOffset.ofHours(3))));
        }
    }
}
