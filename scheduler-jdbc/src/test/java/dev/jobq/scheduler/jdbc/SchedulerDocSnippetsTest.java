package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobInfo;
import dev.jobq.JobQueue;
import dev.jobq.JobState;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The Java snippets of docs/scheduler.md and of configuration.md's scheduler section, pasted. */
class SchedulerDocSnippetsTest {
    record Reminder(String user) {}
    record Report(String name) {}
    record Digest(String list) {}

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T12:00:00Z"));

    @Test
    void theOverviewOnAnApplicationsDataSource() {
        var dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:scheduler-doc-snippets;DB_CLOSE_DELAY=-1");
        Reminder reminder = new Reminder("ada");
        Report report = new Report("year end");
        Digest digest = new Digest("all");

        try (JobQueue jobs = JobQueue.builder()
                .scheduler(ctx -> JdbcSchedulerFactory.builder().dataSource(dataSource).build(ctx))
                .clock(clock)
                .build()) {
            String delayed = jobs.enqueue("reminder:send", reminder, EnqueueOptions.delay(Duration.ofHours(3)));
            String id = jobs.scheduler().schedule("report:send", report, Instant.parse("2026-12-25T09:00:00Z"));
            jobs.scheduler().registerRecurring(RecurringJob.builder("daily-digest", "email:digest")
                    .schedule("0 9 * * *").timezone(ZoneId.of("America/New_York")).payload(digest).build());

            RecurringJobInfo recurring = jobs.scheduler().listRecurring().getFirst();
            assertThat(recurring.name()).isEqualTo("daily-digest");
            assertThat(recurring.enabled()).isTrue();
            assertThat(recurring.nextRunAt()).isEqualTo(Instant.parse("2026-12-01T14:00:00Z"));   // 9:00 in New York

            JobInfo held = jobs.getJob(id).orElseThrow();
            assertThat(held.state()).isEqualTo(JobState.DELAYED);
            assertThat(held.payloadJson()).contains("year end");
            assertThat(jobs.getJob(delayed).orElseThrow().state()).isEqualTo(JobState.DELAYED);
        }
    }

    @Test
    void aSchedulerFromItsSettingsInCode() {
        String url = "jdbc:h2:mem:scheduler-doc-settings;DB_CLOSE_DELAY=-1";
        try (JobQueue jobs = JobQueue.builder().scheduler("jdbc", Map.of("jdbcUrl", url)).clock(clock).build()) {
            assertThat(jobs.hasScheduler()).isTrue();
            String id = jobs.scheduler().schedule("report:send", new Report("q4"), Instant.parse("2026-12-25T09:00:00Z"));
            assertThat(jobs.scheduler().listScheduled(10)).extracting(info -> info.id()).containsExactly(id);
        }
    }
}
