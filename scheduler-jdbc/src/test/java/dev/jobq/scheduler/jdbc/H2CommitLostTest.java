package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.zaxxer.hikari.HikariDataSource;
import dev.jobq.JobQueueException;
import dev.jobq.MisfirePolicy;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * H2's side of {@code PostgresCommitLostTest}: a recurring batch fails after its hand-off, before its commit (here the
 * statement that moves the job's schedule on fails, as a lost connection fails it), and this process remembers the
 * occurrence it handed on.
 */
@DisplayName("JDBC scheduler on H2: the commit after a recurring hand-off is lost")
class H2CommitLostTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");
    private static final Instant OCCURRENCE = T0.plus(Duration.ofHours(1));

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingSink sink = new RecordingSink(clock);
    private final HikariDataSource pool = new HikariDataSource();
    private BeforeStatement advance;
    private JdbcJobScheduler scheduler;

    @BeforeEach
    void open() {
        pool.setJdbcUrl("jdbc:h2:mem:jobq-commit-lost-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        advance = new BeforeStatement(pool, Pattern.compile("update (\\w+\\.)?jobq_recurring_job set"));
        scheduler = JdbcSchedulerFactory.builder().dataSource(advance).pollInterval(Duration.ofMinutes(10))
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
    }

    @AfterEach
    void close() {
        scheduler.close();
        pool.close();
    }

    /**
     * Registers {@code beat}, every hour from T0 under FIRE_ALL with {@code fireAllLimit}, and loses the commit of the
     * burst of its three occurrences missed by T0 + 125 min.
     */
    private void burstHandedOnBeforeALostCommit(int fireAllLimit) {
        scheduler.close();
        scheduler = JdbcSchedulerFactory.builder().dataSource(advance).pollInterval(Duration.ofMinutes(10))
                .fireAllLimit(fireAllLimit).buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, sink));
        scheduler.registerRecurring(RecurringJob.builder("beat", "report:beat").schedule("every 1 hour")
                .misfirePolicy(MisfirePolicy.FIRE_ALL).build(), "{}");
        clock.set(OCCURRENCE.plus(Duration.ofMinutes(125)));
        advance.arm(() -> {
            throw new SQLException("connection lost (the test's)");
        });
        assertThatThrownBy(scheduler::fireDue).as("the burst whose commit was lost").isInstanceOf(JobQueueException.class);
    }

    /** Registers {@code beat}, every hour from T0 under {@code policy}, and loses the commit of its first occurrence. */
    private String firstOccurrenceHandedOnBeforeALostCommit(MisfirePolicy policy) {
        scheduler.registerRecurring(RecurringJob.builder("beat", "report:beat").schedule("every 1 hour")
                .misfirePolicy(policy).build(), "{}");
        clock.set(OCCURRENCE);
        advance.arm(() -> {
            throw new SQLException("connection lost (the test's)");
        });
        assertThatThrownBy(scheduler::fireDue).as("the batch whose commit was lost").isInstanceOf(JobQueueException.class);
        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).containsExactly(OCCURRENCE);
        return sink.envelopes().getFirst().jobId();
    }

    /**
     * A cancel of the occurrence answers false (on its queue); on H2 its mark recorded the occurrence's id as a one-time
     * job handed on, though it had no row, and status(id) said ENQUEUED where PostgreSQL, which records only the ids of
     * the rows it deletes, says nothing of an id that is no one-time job's.
     */
    @Test
    void statusOfAnOccurrenceCancelledTooLateSaysNothingAsOnPostgres() {
        String occurrence = firstOccurrenceHandedOnBeforeALostCommit(MisfirePolicy.FIRE_ONCE);

        assertThat(scheduler.cancel(occurrence)).as("cancel of an occurrence already on its queue").isFalse();
        assertThat(scheduler.status(occurrence)).as("status of an occurrence, no one-time job's id").isEmpty();
        assertThat(scheduler.fireDue()).as("jobs handed on again").isZero();
        assertThat(sink.duplicates()).as("occurrences handed on twice").isEmpty();
    }

    /**
     * The database comes back after more than misfireThreshold: the occurrence handed on before the lost commit is
     * late now, and the INFO line said it was missed and that policy SKIP enqueued none of it, where it is on its queue.
     */
    @Test
    void anOccurrenceHandedOnBeforeTheLostCommitIsNotSaidMissed() {
        firstOccurrenceHandedOnBeforeALostCommit(MisfirePolicy.SKIP);
        clock.advance(Duration.ofMinutes(5));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThat(scheduler.fireDue()).as("jobs handed on again").isZero();
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).as("lines of the pass after")
                    .noneMatch(line -> line.contains("missed"));
        }
        assertThat(scheduler.getRecurring("beat").orElseThrow().nextRunAt()).isEqualTo(OCCURRENCE.plus(Duration.ofHours(1)));
        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).containsExactly(OCCURRENCE);
    }

    /**
     * As above, the database back after more than an occurrence: the line names the missed occurrences from the one after
     * that handed on, and counts what the policy enqueues of those.
     */
    @Test
    void theMissedOccurrencesAfterOneHandedOnBeforeTheLostCommitStartAfterIt() {
        firstOccurrenceHandedOnBeforeALostCommit(MisfirePolicy.SKIP);
        clock.advance(Duration.ofMinutes(125));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThat(scheduler.fireDue()).as("jobs handed on").isZero();
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).as("lines of the pass after")
                    .filteredOn(line -> line.contains("missed")).singleElement().asString()
                    .contains("missed occurrences from " + OCCURRENCE.plus(Duration.ofHours(1)) + ", after occurrence "
                            + OCCURRENCE + ", which this process handed on before a commit that failed;",
                            "policy SKIP enqueues 0 of them", "continues at " + OCCURRENCE.plus(Duration.ofHours(3)));
        }
        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).containsExactly(OCCURRENCE);
    }

    /**
     * SKIP, the database back after more than an occurrence: the pass marks the occurrence handed on before the lost
     * commit, which ran, and the job's last run says so, at the pass that marked it (as when the pass after is on time
     * and marks it in its hand-off); it stayed empty, as if no occurrence had been handed on.
     */
    @Test
    void skipSaysTheOccurrenceHandedOnBeforeTheLostCommitRanWhenItMarksIt() {
        firstOccurrenceHandedOnBeforeALostCommit(MisfirePolicy.SKIP);
        clock.advance(Duration.ofMinutes(125));
        Instant marked = clock.instant();

        assertThat(scheduler.fireDue()).as("jobs handed on").isZero();
        RecurringJobInfo info = scheduler.getRecurring("beat").orElseThrow();
        assertThat(info.lastRunAt()).as("last run").isEqualTo(marked);
        assertThat(info.nextRunAt()).as("next run").isEqualTo(OCCURRENCE.plus(Duration.ofHours(3)));
        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).containsExactly(OCCURRENCE);
    }

    /**
     * FIRE_ONCE, the database back after more than an occurrence: the occurrence handed on before the lost commit ran on
     * time, and the ones missed after it are owed one run (scheduler.md: one run for all of them, as the first missed
     * occurrence), as when the commit lands. The pass counted the one handed on before as that run, and none ran.
     */
    @Test
    void fireOnceRunsOnceForTheOccurrencesMissedAfterOneHandedOnBeforeTheLostCommit() {
        firstOccurrenceHandedOnBeforeALostCommit(MisfirePolicy.FIRE_ONCE);
        clock.advance(Duration.ofMinutes(125));

        assertThat(scheduler.fireDue()).as("jobs handed on").isOne();
        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).as("occurrences on their queue")
                .containsExactly(OCCURRENCE, OCCURRENCE.plus(Duration.ofHours(1)));
        assertThat(scheduler.getRecurring("beat").orElseThrow().nextRunAt()).isEqualTo(OCCURRENCE.plus(Duration.ofHours(3)));
        assertThat(sink.duplicates()).as("occurrences handed on twice").isEmpty();
    }

    /**
     * FIRE_ALL: the pass after the lost commit comes when the occurrence handed on before it is late and the next is on
     * time, and handing that next one on fails. As when the commit lands, that is no burst of missed occurrences: tried
     * again hours later, the occurrences missed since are each enqueued. The try was kept as a burst that ended at that
     * occurrence, and the ones missed after it were dropped.
     */
    @Test
    void fireAllAfterAFailedOnTimeHandOffPastALostCommitStillOwesTheOccurrencesMissedLater() {
        firstOccurrenceHandedOnBeforeALostCommit(MisfirePolicy.FIRE_ALL);
        Instant second = OCCURRENCE.plus(Duration.ofHours(1));
        clock.set(second.plusSeconds(30));
        sink.refuseWhen(envelope -> true);
        assertThat(scheduler.fireDue()).as("jobs handed on while the provider refuses").isZero();
        sink.refuseWhen(envelope -> false);
        clock.set(OCCURRENCE.plus(Duration.ofHours(4)).plusSeconds(30));

        scheduler.fireDue();

        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).as("occurrences on their queue")
                .contains(OCCURRENCE, second, OCCURRENCE.plus(Duration.ofHours(2)), OCCURRENCE.plus(Duration.ofHours(3)));
        assertThat(sink.duplicates()).as("occurrences handed on twice").isEmpty();
    }

    /**
     * FIRE_ALL: a burst of three missed occurrences handed on before a lost commit, the database back two occurrences
     * later. Those two are owed (fireAllLimit 4 holds them), and the line said the three were missed from the second on,
     * the limit spent on the three already on their queue: one of the two was enqueued and the other dropped.
     */
    @Test
    void fireAllOwesTheOccurrencesMissedAfterABurstHandedOnBeforeTheLostCommit() {
        burstHandedOnBeforeALostCommit(4);
        assertThat(sink.envelopes()).as("the burst").hasSize(3);
        clock.advance(Duration.ofHours(2));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThat(scheduler.fireDue()).as("jobs handed on").isEqualTo(2);
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).as("lines of the pass after")
                    .noneMatch(line -> line.contains("missed"));
        }
        assertThat(sink.envelopes()).extracting(JobEnvelope::scheduledFor).as("occurrences on their queue")
                .containsExactly(OCCURRENCE, OCCURRENCE.plus(Duration.ofHours(1)), OCCURRENCE.plus(Duration.ofHours(2)),
                        OCCURRENCE.plus(Duration.ofHours(3)), OCCURRENCE.plus(Duration.ofHours(4)));
        assertThat(sink.duplicates()).as("occurrences handed on twice").isEmpty();
    }

    /**
     * As above, fireAllLimit 3 and the database back four occurrences later: the line names the missed ones from the
     * first after the burst, after the burst's occurrences, and counts the three enqueued of them.
     */
    @Test
    void theMissedOccurrencesAfterABurstHandedOnBeforeTheLostCommitStartAfterIt() {
        burstHandedOnBeforeALostCommit(3);
        clock.advance(Duration.ofHours(4));

        try (CapturedLog log = CapturedLog.of(HandOff.class)) {
            assertThat(scheduler.fireDue()).as("jobs handed on").isEqualTo(3);
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).as("lines of the pass after")
                    .filteredOn(line -> line.contains("missed")).singleElement().asString()
                    .contains("missed occurrences from " + OCCURRENCE.plus(Duration.ofHours(3)) + ", after occurrences "
                            + OCCURRENCE + " to " + OCCURRENCE.plus(Duration.ofHours(2)) + ", which this process handed "
                            + "on before a commit that failed;", "policy FIRE_ALL enqueues 3 of them",
                            "continues at " + OCCURRENCE.plus(Duration.ofHours(7)));
        }
        assertThat(sink.duplicates()).as("occurrences handed on twice").isEmpty();
    }
}
