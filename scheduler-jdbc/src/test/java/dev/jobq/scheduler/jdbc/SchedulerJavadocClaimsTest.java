package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobInfo;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.JobState;
import dev.jobq.RecurringJob;
import dev.jobq.RecurringJobInfo;
import dev.jobq.ScheduledJobInfo;
import dev.jobq.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The javadoc of {@link Scheduler} (as {@link JobQueue#scheduler()} gives it, on H2) and of
 * {@link JdbcSchedulerFactory.Builder}, read as a contract: each test names the type, the method and the
 * sentence it checks. The queue is not started, so nothing fires while a test looks.
 */
class SchedulerJavadocClaimsTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Instant TOMORROW = Instant.now().plus(Duration.ofDays(1));

    record Report(String name) {
    }

    private final JobQueue jobs = JobQueue.builder().scheduler("jdbc", Map.of("jdbcUrl",
            "jdbc:h2:mem:javadoc-claims-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1")).build();
    private final Scheduler scheduler = jobs.scheduler();

    @AfterEach
    void close() {
        jobs.close();
    }

    // Scheduler.schedule

    @Test
    void scheduler_schedule_holdsTheJobUntilAt_returnsItsId_payloadMayBeNull() {
        String id = scheduler.schedule("report:send", null, TOMORROW);
        assertThat(scheduler.status(id)).contains(ScheduledJobInfo.Status.SCHEDULED);
        assertThat(scheduler.listScheduled(10)).extracting(ScheduledJobInfo::id).containsExactly(id);
    }

    @Test
    void scheduler_schedule_optionsMustNotSetADelay() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> scheduler.schedule("report:send", null, TOMORROW,
                        EnqueueOptions.delay(Duration.ofMinutes(1))))
                .withMessage("schedule(...) takes its time from its 'at' argument; options must not set delay or "
                        + "scheduledFor, and these set delay 1m: leave it out of the options, or enqueue with them "
                        + "instead of scheduling");
        // The message named neither the option set nor its value, where every other refusal names both.
        assertThatIllegalArgumentException()
                .isThrownBy(() -> scheduler.schedule("report:send", null, TOMORROW, EnqueueOptions.at(TOMORROW)))
                .withMessage("schedule(...) takes its time from its 'at' argument; options must not set delay or "
                        + "scheduledFor, and these set scheduledFor " + TOMORROW + ": leave it out of the options, or "
                        + "enqueue with them instead of scheduling");
    }

    @Test
    void scheduler_schedule_nullAtOrOptionsAreRefusedAtTheCallNamingThem() {
        assertThatNullPointerException().isThrownBy(() -> scheduler.schedule("report:send", null, null))
                .withMessage("at must not be null; give the instant the job is due");
        assertThatNullPointerException().isThrownBy(() -> scheduler.schedule("report:send", null, TOMORROW, null))
                .withMessage("options must not be null; pass EnqueueOptions.none() for the defaults");
        String fix = "; give the type its handler registers, such as \"email:send\"";
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.schedule(" ", null, TOMORROW))
                .withMessage("job type must not be blank, got \" \"" + fix);
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.schedule(null, null, TOMORROW))
                .withMessage("job type must not be null" + fix);
    }

    @Test
    void scheduler_aNullIdOrNameIsRefusedAtTheCallNamingIt() {
        String id = "id must not be null; give the id schedule(...) returned";
        assertThatNullPointerException().isThrownBy(() -> scheduler.cancel(null)).withMessage(id);
        assertThatNullPointerException().isThrownBy(() -> scheduler.status(null)).withMessage(id);
        String name = "name must not be null; give the recurring job's name";
        assertThatNullPointerException().isThrownBy(() -> scheduler.getRecurring(null)).withMessage(name);
        assertThatNullPointerException().isThrownBy(() -> scheduler.enableRecurring(null)).withMessage(name);
        assertThatNullPointerException().isThrownBy(() -> scheduler.disableRecurring(null)).withMessage(name);
        assertThatNullPointerException().isThrownBy(() -> scheduler.deleteRecurring(null)).withMessage(name);
    }

    @Test
    void scheduler_schedule_anInstantBeyondWhatTheSchedulerHoldsIsRefusedNamingTheRange() {
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.schedule("report:send", null, Instant.MAX))
                .withMessageContaining("choose an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z");
    }

    @Test
    void scheduler_schedule_anInstantPastItsLastMicrosecond_isRefusedFromScheduleEnqueueAndEnqueueAllAlike() {
        Instant last = Instant.parse("9999-12-31T23:59:59.999999Z");
        Instant after = last.plusNanos(100);
        String range = "choose an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z";
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.schedule("report:send", null, after))
                .withMessageContaining(range);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> jobs.enqueue("report:send", new Report("a"), EnqueueOptions.at(after)))
                .withMessageContaining(range);
        // enqueueAll failed each job apart, in a BulkEnqueueException saying "enqueue the payloads at failedIndexes()
        // again", which is refused every time: the instant is the same for all, so it is refused as enqueue refuses it.
        assertThatIllegalArgumentException()
                .isThrownBy(() -> jobs.enqueueAll("report:send", List.of(new Report("a"), new Report("b")),
                        EnqueueOptions.at(after)))
                .withMessageContaining(range);
        assertThat(scheduler.listScheduled(10)).isEmpty();
        assertThat(jobs.enqueueAll("report:send", List.of(new Report("a"), new Report("b")), EnqueueOptions.at(last)))
                .hasSize(2);
    }

    @Test
    void scheduler_schedule_aTypeLongerThanTheSchedulerHolds_orAPayloadTooLargeForTheQueue_isRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.schedule("t".repeat(256), null, TOMORROW))
                .withMessageEndingWith("is 256 characters long, longer than the 255 a job type may have (what the "
                        + "scheduler holds, so that any job can also be delayed or scheduled); use a shorter job type");
        assertThatThrownBy(() -> scheduler.schedule("report:send", "x".repeat(10_000_000), TOMORROW))
                .isInstanceOf(JobRejectedException.class)
                .hasMessageStartingWith("payload of job type 'report:send' is 10000002 bytes, over the 1048576-byte");
        assertThat(scheduler.listScheduled(10)).isEmpty();
    }

    /** A type with a control character is refused as enqueue refuses it, before anything is stored. */
    @Test
    void scheduler_scheduleAndRegisterRecurring_aTypeWithAControlCharacter_isRefusedBeforeAnythingIsStored() {
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.schedule("report:send\n", null, TOMORROW))
                .withMessageStartingWith("job type \"report:send\\n\" has a control character (shown escaped)");
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.registerRecurring(RecurringJob
                        .builder("digest", "email:digest\t").schedule("@daily").build()))
                .withMessageStartingWith("job type \"email:digest\\t\" has a control character (shown escaped)");
        assertThat(scheduler.listScheduled(10)).isEmpty();
        assertThat(scheduler.listRecurring()).isEmpty();
    }

    @Test
    void scheduler_schedule_anInstantThatHasPassedIsDueAtOnce() {
        try (JobQueue running = JobQueue.builder().scheduler("jdbc", Map.of("jdbcUrl",
                "jdbc:h2:mem:javadoc-claims-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1")).build()) {
            var ran = new CompletableFuture<String>();
            running.registerJobHandler("report:send", Report.class, (job, ctx) -> ran.complete(job.payload().name()));
            running.start();
            running.scheduler().schedule("report:send", new Report("late"), Instant.EPOCH);
            assertThat(ran).succeedsWithin(Duration.ofSeconds(20)).isEqualTo("late");
        }
    }

    @Test
    void scheduler_aHandlerMayCallItWhileCloseDrains() throws Exception {
        var release = new CountDownLatch(1);
        var scheduled = new CompletableFuture<String>();
        var started = new CountDownLatch(1);
        JobQueue draining = JobQueue.builder().scheduler("jdbc", Map.of("jdbcUrl",
                "jdbc:h2:mem:javadoc-claims-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1"))
                .shutdownTimeout(Duration.ofSeconds(20)).build();
        draining.registerJobHandler("report:build", Report.class, (job, ctx) -> {
            started.countDown();
            release.await();
            try {
                scheduled.complete(ctx.queue().scheduler().schedule("report:send", job.payload(), TOMORROW));
            } catch (RuntimeException e) {
                scheduled.completeExceptionally(e);
            }
        });
        draining.start();
        draining.enqueue("report:build", new Report("q3"));
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        Thread closing = Thread.ofPlatform().start(draining::close);
        release.countDown();
        assertThat(scheduled).succeedsWithin(Duration.ofSeconds(20));
        closing.join(Duration.ofSeconds(30));
        assertThat(closing.isAlive()).isFalse();
    }

    // cancel, status, listScheduled

    @Test
    void scheduler_cancel_falseIfUnknownOrAlreadyCancelled_statusSaysCancelled() {
        String id = scheduler.schedule("report:send", new Report("q3"), TOMORROW);
        assertThat(scheduler.cancel(id)).isTrue();
        assertThat(scheduler.cancel(id)).isFalse();
        assertThat(scheduler.cancel("no-such-job")).isFalse();
        assertThat(scheduler.status(id)).contains(ScheduledJobInfo.Status.CANCELLED);
        assertThat(scheduler.status("no-such-job")).isEmpty();
    }

    @Test
    void scheduler_listScheduled_earliestFirst_atMostLimit_aLimitBelowOneIsRefused() {
        String later = scheduler.schedule("report:send", null, TOMORROW.plusSeconds(60));
        String earlier = scheduler.schedule("report:send", null, TOMORROW);
        assertThat(scheduler.listScheduled(Integer.MAX_VALUE)).extracting(ScheduledJobInfo::id)
                .containsExactly(earlier, later);
        assertThat(scheduler.listScheduled(1)).extracting(ScheduledJobInfo::id).containsExactly(earlier);
        // The message names the call and its argument: "limit must be ≥ 1" alone named neither.
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.listScheduled(0))
                .withMessage(LIMIT_REFUSED);
    }

    static final String LIMIT_REFUSED = "listScheduled(limit): limit must be ≥ 1, got 0; pass how many of the "
            + "earliest waiting jobs to list";

    @Test
    void jobScheduler_listScheduled_aLimitBelowOneIsRefusedAsTheCoreRefusesIt() {
        var context = new dev.jobq.spi.SchedulerContext(dev.jobq.spi.Settings.empty("scheduler"),
                java.time.Clock.systemUTC(), envelope -> { throw new AssertionError("nothing is handed on"); });
        try (JdbcJobScheduler direct = JdbcSchedulerFactory.builder()
                .jdbcUrl("jdbc:h2:mem:javadoc-claims-direct-" + DATABASES.incrementAndGet()).buildJdbc(context)) {
            assertThatIllegalArgumentException().isThrownBy(() -> direct.listScheduled(0)).withMessage(LIMIT_REFUSED);
        }
    }

    // recurring

    @Test
    void scheduler_registerRecurring_upsertsByName_anUnchangedScheduleKeepsItsNextRunTime() {
        RecurringJob digest = RecurringJob.builder("digest", "email:digest").schedule("every 1 hour").build();
        RecurringJobInfo first = scheduler.registerRecurring(digest);
        RecurringJobInfo again = scheduler.registerRecurring(digest.toBuilder().payload(new Report("new")).build());
        assertThat(again.nextRunAt()).isEqualTo(first.nextRunAt());
        assertThat(scheduler.listRecurring()).hasSize(1);
    }

    @Test
    void scheduler_registerRecurring_aTypeTheTablesCannotHoldIsRefusedRepeatingItEscaped() {
        // both refusals repeated the type raw but for its NULs: a newline in it started a line of its own in the
        // message and the log, and the cut of a long one could split an emoji
        // A JobQueue refuses a type with a control character before the scheduler's own check, escaped too
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.registerRecurring(RecurringJob
                        .builder("digest", "report\n\u0000send").schedule("@daily").build()))
                .withMessageStartingWith("job type \"report\\n\\u0000send\" has a control character");
        // the scheduler's own check, given the job as a JobScheduler used without a JobQueue is
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcJobScheduler.check(RecurringJob
                        .builder("digest", "report\n\u0000send").schedule("@daily").build(), new ScheduleParser()))
                .withMessageStartingWith("recurring job 'digest': type 'report\\n\\u0000send' holds a NUL character");
        // the scheduler's own check, which a JobQueue's refusal of a long type comes before
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcJobScheduler.check(RecurringJob
                        .builder("digest", "t".repeat(59) + "\uD83D\uDE00" + "t".repeat(200)).schedule("@daily").build(),
                        new ScheduleParser()))
                .withMessageStartingWith("recurring job 'digest': type '" + "t".repeat(59) + "…' is 261 characters long");
        assertThat(scheduler.listRecurring()).isEmpty();
    }

    @Test
    void scheduler_registerRecurring_aNameWithControlCharactersIsRepeatedEscapedInItsRefusals() {
        // the name was repeated raw where the refusal names the job: a newline in it started a line of its own
        String name = "digest\nforged";
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.registerRecurring(RecurringJob
                        .builder(name, "report:send").schedule("every 0 minutes").build()))
                .withMessageStartingWith("recurring job 'digest\\nforged': interval 'every 0 minutes'");
        // the scheduler's own check: a JobQueue refuses a type with a control character before it, naming no job
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcJobScheduler.check(RecurringJob
                        .builder(name, "report\u0000send").schedule("@daily").build(), new ScheduleParser()))
                .withMessageStartingWith("recurring job 'digest\\nforged': type 'report\\u0000send' holds a NUL");
        assertThat(scheduler.listRecurring()).isEmpty();
    }

    @Test
    void scheduler_registerRecurring_aNameTheTablesCannotHoldIsNamedByItsStartEscaped() {
        // the name was repeated whole and raw: 10,000 characters in the message, a newline starting a line of its own
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.registerRecurring(RecurringJob
                        .builder("a\nb" + "x".repeat(10_000), "report:send").schedule("@daily").build()))
                .withMessage("recurring job 'a\\nb" + "x".repeat(57) + "…': the name is 10003 characters long, longer "
                        + "than the 255 the scheduler holds; choose a shorter name");
    }

    @Test
    void scheduler_registerRecurring_aBadCronIsRejectedAtRegistration_aNullJobAtTheCall() {
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.registerRecurring(RecurringJob
                        .builder("digest", "email:digest").schedule("61 * * * *").build()))
                .withMessageStartingWith("recurring job 'digest': schedule '61 * * * *'");
        assertThatNullPointerException().isThrownBy(() -> scheduler.registerRecurring(null))
                .withMessage("job must not be null; build one with RecurringJob.builder(name, type)");
        assertThat(scheduler.listRecurring()).isEmpty();
    }

    @Test
    void scheduler_registerRecurring_aTraceIdOrANameLongerThan255_isRefusedBeforeAnythingIsStored() {
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.registerRecurring(RecurringJob
                        .builder("digest", "email:digest").schedule("@daily")
                        .options(EnqueueOptions.builder().traceId("t-1").build()).build()))
                .withMessageStartingWith("recurring job 'digest': a traceId is not kept for recurring jobs");
        assertThatIllegalArgumentException().isThrownBy(() -> scheduler.registerRecurring(RecurringJob
                        .builder("n".repeat(256), "email:digest").schedule("@daily").build()))
                .withMessageEndingWith("the name is 256 characters long, longer than the 255 the scheduler holds; "
                        + "choose a shorter name");
        assertThat(scheduler.listRecurring()).isEmpty();
    }

    @Test
    void scheduler_enableRecurring_trueWhetherOrNotItWasEnabled_disableStopsIt() {
        scheduler.registerRecurring(RecurringJob.builder("digest", "email:digest").schedule("@daily").build());
        assertThat(scheduler.enableRecurring("digest")).isTrue();
        assertThat(scheduler.disableRecurring("digest")).isTrue();
        assertThat(scheduler.getRecurring("digest")).get().extracting(RecurringJobInfo::enabled).isEqualTo(false);
        assertThat(scheduler.enableRecurring("digest")).isTrue();
        assertThat(scheduler.getRecurring("digest")).get().extracting(RecurringJobInfo::enabled).isEqualTo(true);
        assertThat(scheduler.deleteRecurring("digest")).isTrue();
        assertThat(scheduler.getRecurring("digest")).isEmpty();
    }

    @Test
    void scheduler_registerRecurring_setsTheDefinitionsEnabledState_soRegisteringAgainEnablesAJobDisabledSince() {
        RecurringJob digest = RecurringJob.builder("digest", "email:digest").schedule("@daily").build();
        scheduler.registerRecurring(digest);
        assertThat(scheduler.disableRecurring("digest")).isTrue();

        RecurringJobInfo again = scheduler.registerRecurring(digest);
        assertThat(again.enabled()).as("enabled(true), the builder's default, turns it on").isTrue();
        assertThat(again.nextRunAt()).isNotNull();

        RecurringJobInfo off = scheduler.registerRecurring(digest.toBuilder().enabled(false).build());
        assertThat(off.enabled()).isFalse();
        assertThat(off.nextRunAt()).as("null while disabled").isNull();
        assertThat(scheduler.getRecurring("digest")).contains(off);
    }

    @Test
    void scheduler_enableDisableDeleteGet_answerFalseOrEmptyForAnUnknownName() {
        assertThat(scheduler.enableRecurring("nope")).isFalse();
        assertThat(scheduler.disableRecurring("nope")).isFalse();
        assertThat(scheduler.deleteRecurring("nope")).isFalse();
        assertThat(scheduler.getRecurring("nope")).isEmpty();
    }

    @Test
    void scheduler_listRecurring_byNameAsStringCompareToOrdersThem() {
        for (String name : new String[] {"b", "B", "a", "_"}) {
            scheduler.registerRecurring(RecurringJob.builder(name, "work:do").schedule("@daily").build());
        }
        assertThat(scheduler.listRecurring()).extracting(RecurringJobInfo::name).containsExactly("B", "_", "a", "b");
    }

    @Test
    void scheduler_firingProblem_emptyWhenThisProcessDoesNotFire() {
        assertThat(scheduler.firingProblem()).isEmpty();
    }

    // after close()

    @Test
    void scheduler_afterTheQueueIsClosed_everyCallThrowsJobQueueException_asEnqueueDoes() {
        String id = scheduler.schedule("report:send", null, TOMORROW);
        jobs.close();
        String closed = "this JobQueue is closed; build a new one";
        assertThatThrownBy(() -> scheduler.schedule("report:send", null, TOMORROW))
                .isInstanceOf(JobQueueException.class).hasMessage(closed);
        assertThatThrownBy(() -> scheduler.cancel(id)).isInstanceOf(JobQueueException.class).hasMessage(closed);
        assertThatThrownBy(() -> scheduler.listScheduled(10)).isInstanceOf(JobQueueException.class).hasMessage(closed);
        assertThatThrownBy(() -> scheduler.registerRecurring(RecurringJob.builder("digest", "email:digest")
                .schedule("@daily").build())).isInstanceOf(JobQueueException.class).hasMessage(closed);
        assertThatThrownBy(scheduler::listRecurring).isInstanceOf(JobQueueException.class).hasMessage(closed);
    }

    @Test
    void jobQueue_getJob_afterTheQueueIsClosed_aLookUpInTheSchedulerThrowsJobQueueExceptionSayingSo() {
        String id = scheduler.schedule("report:send", null, TOMORROW);
        assertThat(jobs.getJob(id)).get().extracting(JobInfo::state).isEqualTo(JobState.DELAYED);
        jobs.close();
        assertThatThrownBy(() -> jobs.getJob(id)).isInstanceOf(JobQueueException.class)
                .hasMessage("this JobQueue is closed; build a new one");
    }

    // JobQueueBuilder.build with a scheduler

    @Test
    void jobQueueBuilder_build_throwsJobQueueExceptionWhenTheSchedulerCannotBeCreated_namingTheDatabase() {
        assertThatThrownBy(() -> JobQueue.builder().scheduler("jdbc", Map.of(
                        "jdbcUrl", "jdbc:postgresql://127.0.0.1:19871/jobq", "connectionTimeout", "250ms")).build())
                .isInstanceOf(JobQueueException.class)
                .hasMessageContaining("127.0.0.1:19871");
    }

    // JdbcSchedulerFactory

    @Test
    void jdbcSchedulerFactory_creatingConnectsAndMigrates_closeNeverClosesADataSourceGivenInCode() throws Exception {
        var pool = new com.zaxxer.hikari.HikariConfig();
        pool.setJdbcUrl("jdbc:h2:mem:javadoc-claims-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        try (var dataSource = new com.zaxxer.hikari.HikariDataSource(pool)) {
            JobQueue withDataSource = JobQueue.builder()
                    .scheduler(ctx -> JdbcSchedulerFactory.builder().dataSource(dataSource).build(ctx)).build();
            withDataSource.scheduler().schedule("report:send", null, TOMORROW);
            withDataSource.close();
            assertThat(dataSource.isClosed()).isFalse();
            try (var connection = dataSource.getConnection();
                 var tables = connection.createStatement().executeQuery("SELECT LOWER(TABLE_NAME) FROM "
                    + "INFORMATION_SCHEMA.TABLES WHERE LOWER(TABLE_NAME) LIKE 'jobq_%' ORDER BY 1")) {
                var names = new java.util.ArrayList<String>();
                while (tables.next()) {
                    names.add(tables.getString(1));
                }
                assertThat(names).contains("jobq_schema_history", "jobq_scheduled_job", "jobq_recurring_job");
            }
        }
    }

    // JdbcSchedulerFactory.Builder

    @Test
    void jdbcSchedulerFactoryBuilder_eachSetterChecksItsValueAtOnce_namingTheSettingAndTheBadValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcSchedulerFactory.builder().poolSize(0))
                .withMessage("poolSize must be between 1 and 100, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcSchedulerFactory.builder().batchSize(Integer.MAX_VALUE))
                .withMessage("batchSize must be between 1 and 10000, got 2147483647");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JdbcSchedulerFactory.builder().pollInterval(Duration.ofDays(1_000_000)))
                .withMessage("pollInterval must be between 1ms and 1h, got 1000000d");
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcSchedulerFactory.builder().jdbcUrl("jdbc:mysql://db"))
                .withMessageStartingWith("jdbcUrl must be an H2 URL");
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcSchedulerFactory.builder().credentials(" ", "secret"))
                .withMessage("username must not be blank; give the database user, or leave credentials unset");
        assertThatNullPointerException().isThrownBy(() -> JdbcSchedulerFactory.builder().retention(null))
                .withMessage("retention");
    }

    @Test
    void jdbcSchedulerFactoryBuilder_aDurationPastItsMaximumByLessThanAMillisecond_isShownAsGiven_notAsTheMaximum() {
        // PT1H0.0005S was refused as "must be between 1ms and 1h, got 1h", which is within it
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JdbcSchedulerFactory.builder().pollInterval(Duration.ofHours(1).plusNanos(500_000)))
                .withMessage("pollInterval must be between 1ms and 1h, got PT1H0.0005S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JdbcSchedulerFactory.builder().misfireThreshold(Duration.ofDays(1).plusNanos(1)))
                .withMessage("misfireThreshold must be between 1s and 1d, got PT24H0.000000001S");
    }

    @Test
    void jdbcSchedulerFactoryBuilder_retentionMisfireThresholdAndFireAllLimit_takeTheRangesTheirJavadocGives() {
        var builder = JdbcSchedulerFactory.builder();
        builder.retention(Duration.ofSeconds(1)).retention(Duration.ofDays(3650));
        builder.misfireThreshold(Duration.ofSeconds(1)).misfireThreshold(Duration.ofDays(1));
        builder.fireAllLimit(1).fireAllLimit(100_000);
        assertThatIllegalArgumentException().isThrownBy(() -> builder.retention(Duration.ofMillis(999)))
                .withMessageStartingWith("retention must be between 1s and ");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.retention(Duration.ofDays(3651)))
                .withMessageStartingWith("retention must be between 1s and ");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JdbcSchedulerFactory.builder().misfireThreshold(Duration.ofDays(1).plusMillis(1)))
                .withMessageStartingWith("misfireThreshold must be between 1s and 1d");
        assertThatIllegalArgumentException().isThrownBy(() -> JdbcSchedulerFactory.builder().fireAllLimit(100_001))
                .withMessage("fireAllLimit must be between 1 and 100000, got 100001");
    }

    @Test
    void jdbcSchedulerFactoryBuilder_aSetterThatThrowsLeavesTheBuilderAsItWas() {
        var builder = JdbcSchedulerFactory.builder().poolSize(2);
        assertThatIllegalArgumentException().isThrownBy(() -> builder.retention(Duration.ofDays(3651)));
        assertThatIllegalArgumentException().isThrownBy(() -> builder.poolSize(0));
        assertThatIllegalArgumentException().isThrownBy(() -> builder.jdbcUrl("jdbc:mysql://db"));
        // Each refused value is gone: the next setters and build() see the builder as before the calls.
        builder.misfireThreshold(Duration.ofSeconds(30)).fireThreads(2);
        String url = "jdbc:h2:mem:javadoc-claims-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        try (JobQueue built = JobQueue.builder().scheduler(ctx -> builder.jdbcUrl(url).build(ctx)).build()) {
            assertThat(built.scheduler().listScheduled(1)).isEmpty();
        }
    }
}
