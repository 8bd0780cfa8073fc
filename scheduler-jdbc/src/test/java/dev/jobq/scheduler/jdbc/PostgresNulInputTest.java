package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.JobOptions;
import dev.jobq.RecurringJob;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A job type, queue or recurring job name holding a NUL character, which PostgreSQL's text cannot store: refused
 * before anything is written, naming the field, its value and the fix, as a text too long for its column is; not
 * the database's "invalid byte sequence for encoding UTF8: 0x00" naming neither. The same on H2, so that code
 * tested there does not fail on PostgreSQL.
 */
class PostgresNulInputTest {

    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    private final SettableClock clock = new SettableClock(T0);

    @Test
    void aNulInATypeQueueOrNameIsRefusedNamingItOnPostgres() {
        refusesNul(PostgresServer.get().newDatabase("jobq-nul-input"));
    }

    @Test
    void aNulInATypeQueueOrNameIsRefusedNamingItOnH2() {
        refusesNul("jdbc:h2:mem:jobq-nul-input-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    private void refusesNul(String url) {
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, new RecordingSink(clock)))) {
            JobEnvelope badType = job("report\u0000send", JobOptions.defaults());
            JobEnvelope badQueue = job("report:send", new JobOptions(3, Duration.ofSeconds(30), 0, null, "q\u0000"));

            assertThatThrownBy(() -> scheduler.schedule(badType, T0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("scheduler: job " + badType.jobId() + ": type 'report\\u0000send' holds a NUL character "
                            + "(U+0000), which the scheduler's database cannot store; remove it");
            assertThatThrownBy(() -> scheduler.schedule(badQueue, T0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("scheduler: job " + badQueue.jobId() + ": queue 'q\\u0000' holds a NUL character "
                            + "(U+0000), which the scheduler's database cannot store; remove it");
            assertThatThrownBy(() -> scheduler.registerRecurring(RecurringJob.builder("tick\u0000", "report:tick")
                    .schedule("@daily").build(), "{}")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'tick\\u0000': name 'tick\\u0000' holds a NUL character (U+0000), which "
                            + "the scheduler's database cannot store; remove it");
            assertThatThrownBy(() -> scheduler.registerRecurring(RecurringJob.builder("tick", "report\u0000tick")
                    .schedule("@daily").build(), "{}")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("recurring job 'tick': type 'report\\u0000tick' holds a NUL character (U+0000), which "
                            + "the scheduler's database cannot store; remove it");
            assertThat(scheduler.listScheduled(10)).isEmpty();
            assertThat(scheduler.listRecurring()).isEmpty();
        }
    }

    @Test
    void aLookUpByAnIdOrNameHoldingANulFindsNothingOnPostgres() {
        findsNothing(PostgresServer.get().newDatabase("jobq-nul-look-up"));
    }

    @Test
    void aLookUpByAnIdOrNameHoldingANulFindsNothingOnH2() {
        findsNothing("jdbc:h2:mem:jobq-nul-look-up-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    /**
     * An id or a name holding a NUL (one a caller took from a request, a file) names no job: none can be stored. It
     * is unknown, as on H2, not PostgreSQL's "invalid byte sequence for encoding UTF8: 0x00" thrown, which in an
     * application's transaction the call joined aborted that transaction too.
     */
    private void findsNothing(String url) {
        try (JdbcJobScheduler scheduler = JdbcSchedulerFactory.builder().jdbcUrl(url)
                .buildJdbc(new SchedulerContext(Settings.empty("scheduler"), clock, new RecordingSink(clock)))) {
            String id = scheduler.schedule(job("report:send", JobOptions.defaults()), T0.plus(Duration.ofHours(1)));
            scheduler.registerRecurring(RecurringJob.builder("tick", "report:tick").schedule("@daily").build(), "{}");

            assertThat(scheduler.cancel(id + "\u0000")).isFalse();
            assertThat(scheduler.status(id + "\u0000")).isEmpty();
            assertThat(scheduler.getJob(id + "\u0000")).isEmpty();
            assertThat(scheduler.getRecurring("tick\u0000")).isEmpty();
            assertThat(scheduler.setRecurringEnabled("tick\u0000", false)).isFalse();
            assertThat(scheduler.setRecurringEnabled("tick\u0000", true)).isFalse();
            assertThat(scheduler.deleteRecurring("tick\u0000")).isFalse();
            assertThat(scheduler.status(id)).contains(ScheduledJobInfo.Status.SCHEDULED);
            assertThat(scheduler.getRecurring("tick").orElseThrow().enabled()).isTrue();
        }
    }

    private JobEnvelope job(String type, JobOptions options) {
        return new JobEnvelope(JobEnvelope.CURRENT_VERSION, UUID.randomUUID().toString(), type, "{}", options, 0,
                clock.instant(), null, null);
    }
}
