package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.ConfigException;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobRejectedException;
import dev.jobq.JobState;
import dev.jobq.testing.ForwardingQueueProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queues a {@link JobQueue} built in code has, compared with the same queues written in a file. */
class BuilderQueuesTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("named queues set in code keep the default memory queue, as a file with only queues: does")
    void namedQueuesInCodeKeepTheDefaultQueue() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "queues:\n  reports: { type: memory }\n");
        try (JobQueue fromFile = JobQueue.builder().config(file).build();
             JobQueue inCode = JobQueue.builder().queue("reports", "memory", Map.of()).build()) {
            assertThat(fromFile.queueNames()).containsExactly("default", "reports");
            assertThat(inCode.queueNames()).containsExactly("default", "reports");

            String id = inCode.enqueue("report:build", "q1");
            assertThat(inCode.getJob(id)).hasValueSatisfying(job -> {
                assertThat(job.queue()).isEqualTo("default");
                assertThat(job.state()).isEqualTo(JobState.WAITING);
            });
        }
    }

    @Test
    @DisplayName("a queue set in code replaces the file's section of that name whole: none of the file's settings for it is kept")
    void aQueueSetInCodeReplacesTheFilesSectionWhole() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), """
                provider: { type: memory, maxPayloadBytes: 100 }
                queues:
                  reports: { type: memory, maxPayloadBytes: 100 }
                """);
        String big = "x".repeat(500);
        try (JobQueue fromFile = JobQueue.builder().config(file).build();
             JobQueue overridden = JobQueue.builder().config(file).provider("memory", Map.of("maxHistorySize", 5))
                     .queue("reports", "memory", Map.of("maxHistorySize", 5)).build()) {
            assertThatThrownBy(() -> fromFile.enqueue("report:build", big, EnqueueOptions.queue("reports")))
                    .isInstanceOf(JobRejectedException.class);
            assertThatThrownBy(() -> fromFile.enqueue("report:build", big)).isInstanceOf(JobRejectedException.class);

            assertThat(overridden.enqueue("report:build", big, EnqueueOptions.queue("reports"))).isNotBlank();
            assertThat(overridden.enqueue("report:build", big)).isNotBlank();
        }
    }

    @Test
    @DisplayName("a section replaced in code cannot fail the build: its unset variables and missing provider jar are "
            + "the production file's, and worker.queues may name a queue set in code only; the rest is still checked")
    void aSectionReplacedInCodeCannotFailTheBuild() throws Exception {
        // A test running the production file on memory queues: SQS_QUEUE_URL is unset and provider-sqs absent.
        Path file = Files.writeString(dir.resolve("jobq.yaml"), """
                provider:
                  type: sqs
                  region: us-east-1
                  queueUrl: ${SQS_QUEUE_URL}
                queues:
                  reports: { type: sqs, region: us-east-1, queueUrl: "${SQS_REPORTS_URL}" }
                worker:
                  queues: [default, reports, audit]
                scheduler:
                  enabled: true
                  password: ${DB_PASSWORD}
                """);
        try (JobQueue jobs = JobQueue.builder().config(file).environment(Map.of("SCHEDULER_POLL_INTERVAL", "soon"))
                .provider("memory")
                .queue("reports", "memory", Map.of()).queue("audit", "memory", Map.of()).withoutScheduler().build()) {
            assertThat(jobs.queueNames()).containsExactly("default", "reports", "audit");
        }
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "provider: { type: sqs }\nworker: { concurrency: 0 }\n");
        assertThatThrownBy(() -> JobQueue.builder().config(broken).provider("memory").build())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("worker.concurrency: must be ≥ 1, got 0"));
    }

    @Test
    @DisplayName("a provider given in code is closed when build() fails, whichever check fails, as it is when the "
            + "scheduler cannot be created")
    void aProviderGivenInCodeIsClosedWhenBuildFails() {
        var closed = new AtomicInteger();
        assertThatThrownBy(() -> JobQueue.builder().provider(new CountingCloses(closed)).workerQueues("critical")
                .build())
                .isInstanceOf(ConfigException.class);
        assertThat(closed).as("after a workerQueues problem").hasValue(1);
        assertThatThrownBy(() -> JobQueue.builder().queue("reports", new CountingCloses(closed))
                .queue("critical", "no-such-provider", Map.of()).build())
                .isInstanceOf(ConfigException.class);
        assertThat(closed).as("after an unknown provider type").hasValue(2);
        assertThatThrownBy(() -> JobQueue.builder().provider(new CountingCloses(closed))
                .scheduler("no-such-scheduler", Map.of()).build())
                .isInstanceOf(ConfigException.class);
        assertThat(closed).as("after an unknown scheduler type").hasValue(3);
    }

    @Test
    @DisplayName("a provider given in code and then replaced for its queue is closed by build(), which took it over "
            + "as it takes every provider given in code; one given again for another queue stays open in that queue")
    void aProviderGivenInCodeAndThenReplacedIsClosedByBuild() {
        var replaced = new CountingCloses();
        var replacedByType = new CountingCloses();
        var movedToReports = new CountingCloses();
        var kept = new CountingCloses();
        try (JobQueue jobs = JobQueue.builder()
                .provider(replaced).provider(movedToReports).provider(kept)
                .queue("audit", replacedByType).queue("audit", "memory", Map.of())
                .queue("reports", movedToReports)
                .build()) {
            assertThat(replaced.closed).as("replaced by another instance").hasValue(1);
            assertThat(replacedByType.closed).as("replaced by a type").hasValue(1);
            assertThat(movedToReports.closed).as("replaced for default, then given for reports").hasValue(0);
            assertThat(kept.closed).hasValue(0);
            assertThat(jobs.enqueue("report:build", "r", EnqueueOptions.queue("reports"))).isNotNull();
        }
        assertThat(movedToReports.closed).hasValue(1);
        assertThat(kept.closed).hasValue(1);

        var replacedBeforeAFailure = new CountingCloses();
        assertThatThrownBy(() -> JobQueue.builder().provider(replacedBeforeAFailure).provider(new CountingCloses())
                .workerQueues("critical").build())
                .isInstanceOf(ConfigException.class);
        assertThat(replacedBeforeAFailure.closed).as("replaced, then build() failed").hasValue(1);
    }

    @Test
    @DisplayName("a second build() of a builder holding a provider given in code is refused, naming the fix: the "
            + "provider is the first queue's, and two queues closing it would close it under each other")
    void aSecondBuildOfABuilderHoldingAProviderGivenInCodeIsRefused() {
        var closed = new AtomicInteger();
        var given = new CountingCloses(closed);
        var builder = JobQueue.builder().provider(given);
        try (JobQueue first = builder.build()) {
            assertThatThrownBy(builder::build)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("build() was called on this JobQueueBuilder already")
                    .hasMessageContaining("a JobQueueBuilder for each queue");
            assertThat(closed).as("the first queue's provider, left open").hasValue(0);
            assertThat(first.enqueue("report:build", "r")).isNotNull();
        }
        assertThat(closed).as("closed once, by the first queue").hasValue(1);

        var failed = JobQueue.builder()
                .provider(new ForwardingQueueProvider(MemoryProviderFactory.builder().build()) { })
                .workerQueues("critical");
        assertThatThrownBy(failed::build).isInstanceOf(ConfigException.class);
        assertThatThrownBy(failed.workerQueues("default")::build)
                .as("its provider closed by the failed build()")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("a worker setting set in code is not failed by its file key's or QUEUE_* variable's bad value, "
            + "as a scheduler set in code is not by scheduler: or SCHEDULER_*; the settings code leaves are checked")
    void aWorkerSettingSetInCodeIsNotFailedByItsFileKeyOrVariable() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), """
                worker:
                  concurrency: 0
                  pollInterval: soon
                """);
        var env = Map.of("QUEUE_CONCURRENCY", "0", "QUEUE_POLL_INTERVAL", "soon", "QUEUE_SHUTDOWN_TIMEOUT", "later");

        assertThatThrownBy(() -> JobQueue.builder().config(file).environment(env)
                .concurrency(4).pollInterval(java.time.Duration.ofSeconds(1)).build())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "QUEUE_SHUTDOWN_TIMEOUT: 'later' is not a duration; write whole milliseconds (1000) or a "
                                + "duration with a unit such as 500ms, 30s, 5m, 1h, 2d, or ISO-8601 like PT30S"));
        try (JobQueue jobs = JobQueue.builder().config(file).environment(Map.of("QUEUE_CONCURRENCY", "0"))
                .concurrency(4).pollInterval(java.time.Duration.ofSeconds(1)).build()) {
            assertThat(jobs.enqueue("report:build", "r")).isNotNull();
        }
    }

    @Test
    @DisplayName("what code replaces cannot fail the build later either, when a provider the file configures is "
            + "created: its section reported into the file's problem list, which still held the replaced ones")
    void aReplacedSectionsProblemsDoNotFailTheCreationOfAProviderFromTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), """
                provider: { type: memory }
                scheduler: { enabled: true, pollInterval: soon }
                """);
        try (JobQueue jobs = JobQueue.builder().config(file).withoutScheduler().build()) {
            assertThat(jobs.enqueue("report:build", "r")).isNotNull();
        }
    }

    @Test
    @DisplayName("the builder's refusals name a queue with a U+202E escaped: raw, it reversed the rest of the message")
    void theBuildersRefusalsNameAQueueEscaped() {
        String name = "bills\u202Efdp.exe";
        var shared = new CountingCloses(new AtomicInteger());
        assertThatThrownBy(() -> JobQueue.builder().provider(shared).queue(name, shared).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queue 'bills\\u202efdp.exe' was given the provider instance already given for "
                        + "queue 'default'")
                .message().doesNotContain("\u202E");
        assertThatThrownBy(() -> JobQueue.builder().queue(name, (dev.jobq.spi.QueueProvider) null))
                .hasMessage("provider of queue 'bills\\u202efdp.exe' must not be null");
        assertThatThrownBy(() -> JobQueue.builder().queue(name, " ", Map.of()))
                .hasMessageContaining("provider type of queue 'bills\\u202efdp.exe'")
                .message().doesNotContain("\u202E");
        assertThatThrownBy(() -> JobQueue.builder().queue(name, "memory", java.util.Collections.singletonMap("k", null)))
                .hasMessageContaining("settings of queue 'bills\\u202efdp.exe'")
                .message().doesNotContain("\u202E");
    }

    @Test
    @DisplayName("one provider instance given for two queues is refused by build(), naming both: each would "
            + "receive the other's jobs, as two names on one SQS queue would")
    void oneProviderInstanceGivenForTwoQueuesIsRefused() {
        var closed = new AtomicInteger();
        var shared = new CountingCloses(closed);

        assertThatThrownBy(() -> JobQueue.builder().provider(shared).queue("reports", shared).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queue 'reports' was given the provider instance already given for queue "
                        + "'default'");
        assertThat(closed).as("closed once by the failed build()").hasValue(1);
    }

    @Test
    @DisplayName("workerQueues naming a queue that is not configured fails build(), as worker.queues in the file does")
    void workerQueuesNamingAnUnconfiguredQueueFailsTheBuild() {
        assertThatThrownBy(() -> JobQueue.builder().queue("reports", "memory", Map.of())
                .workerQueues("reports", "critical").build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("workerQueues: 'critical' is not a configured queue (configured: default, reports)");
    }

    @Test
    @DisplayName("a queue read from a config file names that file as the one to add a scheduler to, as it names it for "
            + "an unknown queue, not jobq.yaml whatever file was read")
    void aMissingSchedulerNamesTheConfigFileRead() throws Exception {
        // JobQueue.fromConfig(/etc/app/prod.yaml): scheduler() and a delay beyond the provider's said "a 'scheduler:'
        // section to jobq.yaml" (and "in jobq.yaml")
        Path file = Files.writeString(dir.resolve("prod.yaml"), "provider: { type: memory }\n");
        var fifteenMinutes = new ForwardingQueueProvider(MemoryProviderFactory.builder().build()) {
            @Override
            public dev.jobq.spi.Capabilities capabilities() {
                var real = delegate().capabilities();
                return new dev.jobq.spi.Capabilities(java.time.Duration.ofMinutes(15), real.maxPayloadBytes(),
                        real.features(), real.receiveBatch());
            }
        };
        try (JobQueue jobs = JobQueue.builder().config(file).queue("reports", fifteenMinutes).build()) {
            assertThatThrownBy(jobs::scheduler).hasMessageStartingWith("no scheduler is configured; add a "
                    + "'scheduler:' section to " + file + " (scheduler: {enabled: true})");
            assertThatThrownBy(() -> jobs.enqueue("report:build", "r",
                    EnqueueOptions.builder().queue("reports").delay(java.time.Duration.ofHours(1)).build()))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("; enable the scheduler (a 'scheduler:' section in " + file + " with "
                            + "dev.jobq:scheduler-jdbc on the classpath)");
        }
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatThrownBy(jobs::scheduler).as("no file read: the default file's name")
                    .hasMessageStartingWith("no scheduler is configured; add a 'scheduler:' section to jobq.yaml ");
        }
    }

    /** A memory provider that counts its close() calls in {@code closed}. */
    private static final class CountingCloses extends ForwardingQueueProvider {

        final AtomicInteger closed;

        CountingCloses() {
            this(new AtomicInteger());
        }

        CountingCloses(AtomicInteger closed) {
            super(MemoryProviderFactory.builder().build());
            this.closed = closed;
        }

        @Override
        public void close() {
            closed.incrementAndGet();
            super.close();
        }
    }
}
