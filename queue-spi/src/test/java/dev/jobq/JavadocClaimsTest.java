package dev.jobq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.SchedulerContext;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The javadoc of the API's value types and of {@link JobQueueBuilder}, read as a contract: each test names
 * the type, the method and the sentence it checks. A queue that runs is checked in provider-memory's
 * {@code JobQueueJavadocClaimsTest}; the scheduler in scheduler-jdbc's {@code SchedulerJavadocClaimsTest}.
 */
class JavadocClaimsTest {

    // Backoff

    @Test
    void backoff_exponential_baseTimesTwoToTheAttemptMinusOne_neverMoreThanCap() {
        Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void backoff_list_pastTheEndOfTheListTheLastDelayRepeats() {
        Backoff backoff = Backoff.list(Duration.ofSeconds(5), Duration.ofMinutes(1));
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMinutes(1));
        assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void backoff_withJitter_jitterOnlyAdds_upToTheFraction() {
        Backoff jittered = Backoff.fixed(Duration.ofSeconds(10)).withJitter(0.2);
        for (int i = 0; i < 200; i++) {
            assertThat(jittered.delay(1)).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(12));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> Backoff.none().withJitter(Double.NaN))
                .withMessage("jitter fraction must be between 0 and 1, got NaN");
    }

    @Test
    void backoff_defaultBackoff_oneSecondTimesTwoToTheAttemptMinusOne_cappedAtOneHour_plusUpTo20Percent() {
        assertThat(Backoff.defaultBackoff().delay(1)).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        assertThat(Backoff.defaultBackoff().delay(30)).isBetween(Duration.ofHours(1), Duration.ofMinutes(72));
    }

    @Test
    void backoff_factories_refuseADelayLongerThanMaxDelayAtTheCall_asTheConfigFileDoes() {
        assertThatIllegalArgumentException().isThrownBy(() -> Backoff.fixed(Duration.ofDays(1_000_000)))
                .withMessage("delay must be ≤ 365d (Backoff.MAX_DELAY), got 1000000d; a retry that far off is a job "
                        + "for the scheduler, or for a dead letter and a redrive");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(Long.MAX_VALUE)))
                .withMessageStartingWith("cap must be ≤ 365d (Backoff.MAX_DELAY), got ");
        assertThatIllegalArgumentException().isThrownBy(() -> Backoff.list(Duration.ZERO, Duration.ofDays(366)))
                .withMessageStartingWith("delay at index 1 must be ≤ 365d (Backoff.MAX_DELAY), got 366d");
        assertThat(Backoff.fixed(Backoff.MAX_DELAY).delay(1)).isEqualTo(Duration.ofDays(365));
    }

    @Test
    void backoff_withJitter_ofACustomPolicyWithAHugeDelay_answersTheDelayRatherThanThrowingInTheWorker() {
        Backoff huge = failedAttempt -> Duration.ofSeconds(Long.MAX_VALUE);
        assertThat(huge.withJitter(0.5).delay(1)).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
    }

    /**
     * A custom policy's delay too far below zero to count in milliseconds: answered as it is (the worker retries it at
     * once, with a WARN naming it), not thrown from the jitter (the worker took that for a backoff that threw).
     */
    @Test
    void backoff_withJitter_ofACustomPolicyWithAHugeNegativeDelay_answersTheDelayRatherThanThrowingInTheWorker() {
        Backoff hugeNegative = failedAttempt -> Duration.ofSeconds(Long.MIN_VALUE);
        assertThat(hugeNegative.withJitter(0.5).delay(1)).isEqualTo(Duration.ofSeconds(Long.MIN_VALUE));
    }

    @Test
    void backoff_list_aNullArrayOrDelayIsRefusedNamingIt() {
        assertThatNullPointerException().isThrownBy(() -> Backoff.list((Duration[]) null))
                .withMessage("delays must not be null; give at least one delay");
        assertThatNullPointerException().isThrownBy(() -> Backoff.list(Duration.ZERO, null))
                .withMessage("delay at index 1 must not be null");
        assertThatIllegalArgumentException().isThrownBy(Backoff::list)
                .withMessage("Backoff.list needs at least one delay");
    }

    // EnqueueOptions

    @Test
    void enqueueOptions_delayAndScheduledForAreExclusive() {
        assertThatIllegalArgumentException().isThrownBy(() -> EnqueueOptions.builder().delay(Duration.ofSeconds(1))
                .scheduledFor(Instant.parse("2030-01-01T00:00:00Z")).build())
                .withMessageStartingWith("set either delay or scheduledFor, not both");
    }

    @Test
    void enqueueOptions_everyOptionIsOptional_whatIsNotSetComesFromJobOptionsDefaults() {
        assertThat(EnqueueOptions.none().resolve(JobOptions.defaults())).isSameAs(JobOptions.defaults());
        JobOptions resolved = EnqueueOptions.builder().maxAttempts(5).build().resolve(JobOptions.defaults());
        assertThat(resolved).isEqualTo(new JobOptions(5, JobOptions.DEFAULT_TIMEOUT, 0, null, "default"));
    }

    @Test
    void enqueueOptions_resolve_aNullDefaultsIsRefusedAtTheCall() {
        assertThatNullPointerException().isThrownBy(() -> EnqueueOptions.none().resolve(null))
                .withMessage("defaults must not be null; pass JobOptions.defaults()");
    }

    @Test
    void enqueueOptions_builder_checksRunInBuild_namingTheFieldAndTheValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> EnqueueOptions.builder().maxAttempts(0).build())
                .withMessage("maxAttempts must be ≥ 1, got 0");
        assertThatIllegalArgumentException().isThrownBy(() -> EnqueueOptions.delay(Duration.ofSeconds(-1)))
                .withMessage("delay must be ≥ 0, got PT-1S");
        assertThatIllegalArgumentException().isThrownBy(() -> EnqueueOptions.builder().timeout(Duration.ZERO).build())
                .withMessage("timeout must be positive, got PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> EnqueueOptions.at(Instant.MAX))
                .withMessageStartingWith("scheduledFor must be in the years 1 to 9999, got +1000000000-12-31");
        assertThatIllegalArgumentException().isThrownBy(() -> EnqueueOptions.builder().deduplicationKey(" ").build())
                .withMessage("deduplicationKey must not be blank; leave it unset instead");
        assertThatIllegalArgumentException().isThrownBy(() -> EnqueueOptions.queue(" "))
                .withMessage("queue must not be blank; leave it unset for the default queue");
        assertThatNullPointerException().isThrownBy(() -> EnqueueOptions.delay(null)).withMessage("delay");
    }

    @Test
    void enqueueOptions_isTraceId_oneTo255CharactersNotBlankWithoutControlCharacters() {
        assertThat(EnqueueOptions.isTraceId("a".repeat(EnqueueOptions.MAX_TRACE_ID))).isTrue();
        assertThat(EnqueueOptions.isTraceId("a".repeat(EnqueueOptions.MAX_TRACE_ID + 1))).isFalse();
        assertThat(EnqueueOptions.isTraceId(" ")).isFalse();
        assertThat(EnqueueOptions.isTraceId("a\nb")).isFalse();
    }

    // HandlerOptions, JobOptions

    @Test
    void handlerOptions_isImmutable_eachSetterReturnsANewInstance() {
        HandlerOptions five = HandlerOptions.defaults().maxAttempts(5);
        assertThat(HandlerOptions.defaults().maxAttempts()).isNull();
        assertThat(five.maxAttempts()).isEqualTo(5);
        assertThat(five.timeout(Duration.ofMinutes(1)).maxAttempts()).isEqualTo(5);
        assertThatIllegalArgumentException().isThrownBy(() -> HandlerOptions.defaults().queue(" "))
                .withMessageStartingWith("queue must not be blank; leave it unset");
    }

    @Test
    void jobOptions_defaults_threeAttempts30sTimeoutPriority0QueueDefault() {
        assertThat(JobOptions.defaults()).isEqualTo(new JobOptions(3, Duration.ofSeconds(30), 0, null, "default"));
        assertThat(JobOptions.defaults().isDefault()).isTrue();
    }

    // RecurringJob

    @Test
    void recurringJob_builder_scheduleIsRequired_theRestHaveDefaults_utcFireOnceEnabled() {
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "email:digest").build())
                .withMessageStartingWith("recurring job 'digest' has no schedule");
        RecurringJob job = RecurringJob.builder("digest", "email:digest").schedule("@daily").build();
        assertThat(job.timezone().getId()).isEqualTo("Z");
        assertThat(job.misfirePolicy()).isEqualTo(MisfirePolicy.FIRE_ONCE);
        assertThat(job.enabled()).isTrue();
    }

    @Test
    void recurringJob_builder_timezone_throwsIllegalArgumentExceptionNamingTheJobAndTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RecurringJob.builder("digest", "email:digest").timezone("Mars/Olympus"))
                .withMessageStartingWith("recurring job 'digest': unknown timezone 'Mars/Olympus'");
    }

    @Test
    void recurringJob_builder_aSetterGivenNullThrowsNullPointerExceptionNamingIt_atTheCall() {
        RecurringJob.Builder builder = RecurringJob.builder("digest", "email:digest");
        assertThatNullPointerException().isThrownBy(() -> builder.schedule(null)).withMessage("schedule");
        assertThatNullPointerException().isThrownBy(() -> builder.timezone((java.time.ZoneId) null))
                .withMessage("timezone");
        assertThatNullPointerException().isThrownBy(() -> builder.options(null)).withMessage("options");
        assertThatNullPointerException().isThrownBy(() -> builder.misfirePolicy(null)).withMessage("misfirePolicy");
        assertThat(builder.payload(null).schedule("@daily").build().payload()).isNull();
    }

    @Test
    void enqueueOptions_builder_aSetterGivenNullThrowsNullPointerExceptionNamingTheOption() {
        assertThatNullPointerException().isThrownBy(() -> EnqueueOptions.builder().timeout(null)).withMessage("timeout");
        assertThatNullPointerException().isThrownBy(() -> EnqueueOptions.builder().traceId(null)).withMessage("traceId");
        assertThatNullPointerException().isThrownBy(() -> EnqueueOptions.builder().scheduledFor(null))
                .withMessage("scheduledFor");
    }

    @Test
    void enqueueOptions_toBuilder_aBuilderWithTheseOptionsSet() {
        EnqueueOptions options = EnqueueOptions.builder().maxAttempts(5).queue("reports").traceId("t-1").build();
        EnqueueOptions changed = options.toBuilder().priority(-1).build();
        assertThat(changed.toString()).isEqualTo("EnqueueOptions[delay=null, scheduledFor=null, maxAttempts=5, "
                + "timeout=null, priority=-1, deduplicationKey=null, queue=reports, traceId=t-1]");
    }

    // testing.SettableClock

    @Test
    void settableClock_advance_movesOnByTheDuration_runsTheListeners_andRefusesToPassInstantMax() {
        var clock = new dev.jobq.testing.SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
        var changes = new java.util.concurrent.atomic.AtomicInteger();
        clock.onChange(changes::incrementAndGet);
        clock.advance(Duration.ofHours(1));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
        assertThat(changes).hasValue(1);
        assertThatIllegalArgumentException().isThrownBy(() -> clock.advance(Duration.ofSeconds(Long.MAX_VALUE)))
                .withMessageStartingWith("advancing the clock at 2026-01-01T01:00:00Z by PT2562047788015215H30M7S "
                        + "passes the last (or first) instant Java can represent");
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T01:00:00Z"));
        assertThatNullPointerException().isThrownBy(() -> clock.advance(null)).withMessage("duration");
    }

    // JobQueueBuilder

    @Test
    void jobQueueBuilder_concurrency_pollInterval_shutdownTimeout_areCheckedAtTheCall() {
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().concurrency(0))
                .withMessage("concurrency must be ≥ 1, got 0");
        // Before, accepted: 2^30 overflowed the worker's count of settling threads (2 × concurrency) to a negative
        // number, and on SQS asked for a poll loop per ten permits, a hundred million threads at start().
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().concurrency(1 << 30))
                .withMessage("concurrency must be ≤ 100000, got 1073741824; for more handlers at once, run more "
                        + "worker processes");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().shutdownTimeout(Duration.ofDays(1_000_000)))
                .withMessage("shutdownTimeout must be ≤ 1d, got 1000000d");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().pollInterval(Duration.ofDays(1_000_000)))
                .withMessage("pollInterval must be ≤ 1h, got 1000000d");
    }

    @Test
    void jobQueueBuilder_provider_andQueue_refuseANullOrBlankTypeAtTheCall_notAtBuild() {
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().provider((String) null))
                .withMessage("provider type must not be null; name one such as \"memory\" or \"sqs\"");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().queue("reports", " ", Map.of()))
                .withMessage("provider type of queue 'reports' must not be blank; name one such as \"memory\" or "
                        + "\"sqs\"");
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().queue("reports", "memory", null))
                .withMessage("settings of queue 'reports' must not be null; pass Map.of() for the provider's defaults");
        assertThatNullPointerException()
                .isThrownBy(() -> JobQueue.builder().queue("reports", (dev.jobq.spi.QueueProvider) null))
                .withMessage("provider of queue 'reports' must not be null");
    }

    @Test
    void jobQueueBuilder_settingsWithANullValue_areRefusedNamingTheKey() {
        var settings = new HashMap<String, Object>();
        settings.put("maxHistorySize", null);
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().provider("memory", settings))
                .withMessage("settings of queue 'default': 'maxHistorySize' is null; leave the key out for its default");
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().scheduler("jdbc", settings))
                .withMessage("settings of scheduler 'jdbc': 'maxHistorySize' is null; leave the key out for its default");
    }

    @Test
    void jobQueueBuilder_scheduler_refusesANullOrBlankTypeOrNullSettingsAtTheCall() {
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().scheduler((String) null, Map.of()))
                .withMessage("scheduler type must not be null; name one such as \"jdbc\"");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().scheduler(" ", Map.of()))
                .withMessage("scheduler type must not be blank; name one such as \"jdbc\"");
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().scheduler("jdbc", null))
                .withMessage("settings of scheduler 'jdbc' must not be null; pass Map.of() for its defaults");
        // Its other overload: an NPE without a message, where every other setter names what was null.
        assertThatNullPointerException()
                .isThrownBy(() -> JobQueue.builder()
                        .scheduler((Function<SchedulerContext, JobScheduler>) null))
                .withMessage("scheduler factory must not be null; leave scheduler(...) out for a queue without a "
                        + "scheduler");
    }

    @Test
    void jobQueueBuilder_environment_refusesNullAndNullValuesNamingTheVariable() {
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().environment(null))
                .withMessage("environment must not be null; pass Map.of() for none, or leave it unset for System.getenv()");
        var env = new HashMap<String, String>();
        env.put("SQS_QUEUE_URL", null);
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().environment(env))
                .withMessage("environment variable 'SQS_QUEUE_URL' is null; leave it out of the map when it is unset");
    }

    @Test
    void jobQueueBuilder_workerQueues_refusesNullAndBlankNamesAtTheCall() {
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().workerQueues((String[]) null))
                .withMessage("workerQueues must not be null; list the queues this worker consumes");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().workerQueues("default", null))
                .withMessage("workerQueues: the name at index 1 is null; list configured queue names");
        assertThatIllegalArgumentException().isThrownBy(() -> JobQueue.builder().workerQueues("default", " "))
                .withMessage("workerQueues: the name at index 1 is blank; list configured queue names");
    }

    @Test
    void jobQueueBuilder_handlerModules_refusesANullArrayOrModuleNamingIt() {
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().handlerModules((JobHandlerModule[]) null))
                .withMessage("modules must not be null");
        assertThatNullPointerException().isThrownBy(() -> JobQueue.builder().handlerModules(registry -> { }, null))
                .withMessage("module at index 1 must not be null");
    }
}
