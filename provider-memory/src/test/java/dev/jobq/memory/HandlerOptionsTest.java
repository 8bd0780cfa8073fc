package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobInfo;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import dev.jobq.spi.Capabilities;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A job type's own defaults, given at registration (Sidekiq's sidekiq_options, Laravel's $tries and $timeout). */
class HandlerOptionsTest {

    record Report(String name) {
    }

    private final EventRecorder events = new EventRecorder();
    private final JobQueue jobs = JobQueue.builder().queue("reports", "memory", Map.of()).build();

    @AfterEach
    void close() {
        jobs.close();
    }

    private static final HandlerOptions REPORTS = HandlerOptions.defaults()
            .maxAttempts(5).timeout(Duration.ofMinutes(10)).queue("reports");

    @Test
    @DisplayName("a job enqueued without options gets its type's attempts, timeout and queue")
    void unsetOptionsComeFromTheType() {
        jobs.registerJobHandler("report:build", Report.class, (job, ctx) -> { }, REPORTS);
        jobs.registerJobHandler("email:send", Report.class, (job, ctx) -> { });

        JobInfo report = jobs.getJob(jobs.enqueue("report:build", new Report("q1"))).orElseThrow();
        JobInfo email = jobs.getJob(jobs.enqueue("email:send", new Report("hi"))).orElseThrow();

        assertThat(report.options()).isEqualTo(new JobOptions(5, Duration.ofMinutes(10), 0, null, "reports"));
        assertThat(report.queue()).isEqualTo("reports");
        assertThat(email.options()).as("a type registered without options").isEqualTo(JobOptions.defaults());
    }

    @Test
    @DisplayName("what the enqueue sets wins over the type's defaults, one option at a time")
    void enqueueOptionsWin() {
        jobs.registerJobHandler("report:build", Report.class, (job, ctx) -> { }, REPORTS);

        String id = jobs.enqueue("report:build", new Report("q1"), EnqueueOptions.builder().maxAttempts(1)
                .queue("default").priority(3).build());

        assertThat(jobs.getJob(id).orElseThrow().options())
                .isEqualTo(new JobOptions(1, Duration.ofMinutes(10), 3, null, "default"));
    }

    @Test
    @DisplayName("enqueueAll and delayed jobs get the type's defaults too")
    void enqueueAllAndDelayed() {
        jobs.registerJobHandler("report:build", Report.class, (job, ctx) -> { }, REPORTS);

        List<String> ids = jobs.enqueueAll("report:build", List.of(new Report("a"), new Report("b")));
        String delayed = jobs.enqueue("report:build", new Report("c"), EnqueueOptions.delay(Duration.ofMinutes(1)));

        assertThat(ids).hasSize(2).allSatisfy(id ->
                assertThat(jobs.getJob(id).orElseThrow().options().maxAttempts()).isEqualTo(5));
        assertThat(jobs.getJob(delayed).orElseThrow().queue()).isEqualTo("reports");
    }

    @Test
    @DisplayName("the type's attempts decide when its job is dead, and its backoff the wait between them")
    void attemptsAndBackoffTakeEffect() {
        jobs.addListener(events);
        jobs.registerJobHandler("flaky", Report.class, (job, ctx) -> {
            throw new IllegalStateException("always fails");
        }, HandlerOptions.defaults().maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(20))));
        jobs.start();

        jobs.enqueue("flaky", new Report("x"));

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).getFirst();
        assertThat(dead.attempt()).isEqualTo(2);
        assertThat(events.all(JobEvent.Failed.class)).extracting(JobEvent.Failed::retryIn)
                .containsExactly(Duration.ofMillis(20));
    }

    @Test
    @DisplayName("a type's default queue that is not configured is refused at registration, naming the fix")
    void unconfiguredQueueIsRefused() {
        assertThatThrownBy(() -> jobs.registerJobHandler("report:build", Report.class, (job, ctx) -> { },
                HandlerOptions.defaults().queue("critical")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job type 'report:build': its default queue 'critical' is not configured (configured: "
                        + "default, reports); add it under 'queues:' in jobq.yaml or with JobQueue.builder().queue(...), "
                        + "or name a configured one");
        assertThat(jobs.registeredTypes()).doesNotContain("report:build");
    }

    /** {@code memory}, letting a job have at most {@code maxAttempts} attempts of at most 1 h each. */
    private static QueueProvider limited(QueueProvider memory, int maxAttempts) {
        return new ForwardingQueueProvider(memory) {
            @Override
            public Capabilities capabilities() {
                Capabilities real = delegate().capabilities();
                return new Capabilities(real.maxDelay(), real.maxPayloadBytes(), real.features(), real.receiveBatch(),
                        maxAttempts, Duration.ofHours(1));
            }
        };
    }

    /**
     * A provider that lets a job have 5 attempts of at most 1 h each (SQS: its redrive policy's maxReceiveCount, 12 h
     * of visibility): a type whose own defaults ask for more had every enqueue refused with "lower maxAttempts to at
     * most 5", though no enqueue set maxAttempts; where the value came from, and so where to lower it, went unsaid.
     */
    @Test
    @DisplayName("an enqueue refused for attempts or a timeout its type's defaults gave says they did, and where to change them")
    void aLimitBrokenByTheTypesDefaultsIsNamedAsTheirs() {
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        QueueProvider limited = limited(memory, 5);
        try (JobQueue limitedJobs = JobQueue.builder().provider(limited).build()) {
            limitedJobs.registerJobHandler("report:build", Report.class, (job, ctx) -> { },
                    HandlerOptions.defaults().maxAttempts(10).timeout(Duration.ofHours(2)));

            assertThatThrownBy(() -> limitedJobs.enqueue("report:build", new Report("q1")))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("maxAttempts 10 is more than provider '")
                    .hasMessageEndingWith("; maxAttempts 10 is the default of job type 'report:build', from the "
                            + "HandlerOptions its handler was registered with: lower it there, or set maxAttempts "
                            + "in the EnqueueOptions");
            assertThatThrownBy(() -> limitedJobs.enqueueAll("report:build", List.of(new Report("a"), new Report("b")),
                    EnqueueOptions.builder().maxAttempts(5).build()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("timeout 2h is longer than provider '")
                    .hasMessageEndingWith("; timeout 2h is the default of job type 'report:build', from the "
                            + "HandlerOptions its handler was registered with: lower it there, or set timeout in "
                            + "the EnqueueOptions");
            assertThatThrownBy(() -> limitedJobs.enqueue("report:build", new Report("q1"),
                    EnqueueOptions.builder().maxAttempts(6).timeout(Duration.ofMinutes(1)).build()))
                    .as("a value the enqueue gave is its own: no word of the type's defaults")
                    .hasMessageEndingWith("lower maxAttempts to at most 5");
            assertThat(limitedJobs.enqueue("report:build", new Report("q1"), EnqueueOptions.builder().maxAttempts(5)
                    .timeout(Duration.ofHours(1)).build())).isNotBlank();
            assertThat(limitedJobs.stats("default").waiting()).isEqualTo(1);
        } finally {
            memory.close();
        }
    }

    @Test
    @DisplayName("a timeout past what the provider keeps a running job hidden by less than a millisecond is shown as "
            + "given, in ISO-8601, not cut to the maximum it is refused as beyond, from the enqueue or the type")
    void aTimeoutPastTheProvidersLongestByLessThanAMillisecondIsNotShownAsTheLongest() {
        // PT1H0.0005S was refused as "timeout 1h is longer than provider … (1h) …; give a timeout of at most 1h"
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), Clock.systemUTC()));
        QueueProvider limited = limited(memory, memory.capabilities().maxAttempts());
        Duration justPast = Duration.ofHours(1).plusNanos(500_000);
        try (JobQueue limitedJobs = JobQueue.builder().provider(limited).build()) {
            limitedJobs.registerJobHandler("report:build", Report.class, (job, ctx) -> { },
                    HandlerOptions.defaults().timeout(justPast));

            assertThatThrownBy(() -> limitedJobs.enqueue("report:build", new Report("q1"),
                    EnqueueOptions.builder().timeout(justPast).build()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("timeout PT1H0.0005S is longer than provider '")
                    .hasMessageEndingWith("give a timeout of at most 1h, or split the work into shorter jobs");
            assertThatThrownBy(() -> limitedJobs.enqueue("report:build", new Report("q1")))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("timeout PT1H0.0005S is longer than provider '")
                    .hasMessageEndingWith("; timeout PT1H0.0005S is the default of job type 'report:build', from the "
                            + "HandlerOptions its handler was registered with: lower it there, or set timeout in "
                            + "the EnqueueOptions");
            assertThat(limitedJobs.stats("default").waiting()).isZero();
        } finally {
            memory.close();
        }
    }

    @Test
    @DisplayName("bad values are refused when the options are made")
    void badValues() {
        assertThatThrownBy(() -> HandlerOptions.defaults().maxAttempts(0))
                .hasMessage("maxAttempts must be ≥ 1, got 0");
        assertThatThrownBy(() -> HandlerOptions.defaults().timeout(Duration.ZERO))
                .hasMessageContaining("timeout must be positive");
        // It said only "queue must not be blank", where EnqueueOptions.queue(" ") says what to do instead.
        assertThatThrownBy(() -> HandlerOptions.defaults().queue(" "))
                .hasMessage("queue must not be blank; leave it unset for the default queue");
    }
}
