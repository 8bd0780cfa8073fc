package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.DeadLetters;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobContext;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.JobRejectedException;
import dev.jobq.NonRetryableJobException;
import dev.jobq.QueueStats;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Settings;
import dev.jobq.testing.ForwardingQueueProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The javadoc of {@link JobQueue}, {@link dev.jobq.JobHandlerRegistry}, {@link JobContext}, {@link DeadLetters}
 * and {@link dev.jobq.JobListener}, read as a contract and run on the memory provider: each test names the
 * type, the method and the sentence it checks.
 */
class JobQueueJavadocClaimsTest {

    /** The message names the queue, the call and its argument: "limit must be ≥ 0" alone named none of them. */
    private static final String NEGATIVE_LIMIT_REFUSED = "dead letters of queue 'default': list(limit): limit must be "
            + "≥ 0, got -1; pass how many of the newest to list (0 gives none)";

    record Work(String what) {
    }

    private static final String CLOSED = "this JobQueue is closed; build a new one";
    /** What a null or blank job type's refusal says to do. */
    private static final String TYPE_FIX = "give the type its handler registers, such as \"email:send\"";

    // JobQueue.builder

    @Test
    void jobQueue_builder_builtAsItIs_oneQueueDefaultOnTheMemoryProvider_noScheduler() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThat(jobs.queueNames()).containsExactly("default");
            assertThat(jobs.hasScheduler()).isFalse();
            assertThat(jobs.stats("default").queue()).isEqualTo("default");
        }
    }

    // JobQueue.enqueue / enqueueAll: arguments

    @Test
    void jobQueue_enqueue_theJobTypeNeedsNoHandlerInThisProcess() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            String id = jobs.enqueue("handled:elsewhere", new Work("a"));
            assertThat(jobs.getJob(id)).isPresent();
        }
    }

    /**
     * A job type is refused by the same rule whenever the job runs: the scheduler's table holds 255
     * characters, so a longer type was accepted for a job to run now and refused for the same job
     * delayed or scheduled.
     */
    @Test
    void jobQueue_enqueue_aTypeLongerThan255Characters_isRefusedNowAsLaterWithNothingEnqueued() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            String longType = "t".repeat(256);
            String refusal = "job type '" + "t".repeat(60) + "…' is 256 characters long, longer than the 255 a job "
                    + "type may have (what the scheduler holds, so that any job can also be delayed or scheduled); "
                    + "use a shorter job type";
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueue(longType, new Work("a")))
                    .withMessage(refusal);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.enqueueAll(longType, List.of(new Work("a"), new Work("b"))))
                    .withMessage(refusal);
            assertThat(jobs.stats("default").waiting()).isZero();
            String id = jobs.enqueue("t".repeat(255), new Work("a"));
            assertThat(jobs.getJob(id)).isPresent();
        }
    }

    /**
     * A type with a control character (a trailing newline from a shell, a tab) was taken, run now or later, and each of
     * its jobs dead-lettered as of an unknown type: no handler could register under what was meant. Refused at the
     * call as a blank or over-long type is, and at registration alike.
     */
    @Test
    void jobQueue_enqueue_aTypeWithAControlCharacter_isRefusedAtTheCallAsAtRegistration() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            String refusal = "job type \"email:send\\n\" has a control character (shown escaped); give the type "
                    + "its handler registers, such as \"email:send\", without line breaks, tabs or other control "
                    + "characters";
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueue("email:send\n", new Work("a")))
                    .withMessage(refusal);
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueue("email:send\n", new Work("a"),
                    EnqueueOptions.delay(Duration.ofMinutes(5)))).withMessage(refusal);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.enqueueAll("email\tsend", List.of(new Work("a"), new Work("b"))))
                    .withMessageStartingWith("job type \"email\\tsend\" has a control character");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler("email:send\u0085", Work.class, (job, ctx) -> { }))
                    .withMessageStartingWith("job type \"email:send\\u0085\" has a control character");
            assertThat(jobs.stats("default").waiting() + jobs.stats("default").delayed()).isZero();
            assertThat(jobs.registeredTypes()).isEmpty();
        }
    }

    /**
     * A type longer than the refusal shows, with its control character past the cut (a trailing newline): the refusal
     * said "has a control character (shown escaped)" and showed none, so nothing told which one or where.
     */
    @Test
    void jobQueue_enqueue_aLongTypeWithAControlCharacterPastWhatIsShown_namesTheCharacterAndWhereItIs() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            String type = "report:" + "x".repeat(63) + "\n";
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueue(type, new Work("a")))
                    .withMessage("job type \"report:" + "x".repeat(53) + "…\" (71 characters) has a control "
                            + "character, \\n at character 71, past what is shown; give the type its handler "
                            + "registers, such as \"email:send\", without line breaks, tabs or other control "
                            + "characters");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler(type, Work.class, (job, ctx) -> { }))
                    .withMessageContaining("\\n at character 71, past what is shown");
        }
    }

    @Test
    void jobQueue_enqueue_aBlankOrNullTypeOrNullOptions_failAtTheCallNamingTheArgument() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            // It said "job type must not be blank" for both, null too: no value, no fix.
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueue(" ", new Work("a")))
                    .withMessage("job type must not be blank, got \" \"; " + TYPE_FIX);
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueue(null, new Work("a")))
                    .withMessage("job type must not be null; " + TYPE_FIX);
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueueAll("\t\n", List.of(new Work("a"))))
                    .withMessage("job type must not be blank, got \"\\t\\n\"; " + TYPE_FIX);
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.enqueueAll(" ".repeat(10_000), List.of()))
                    .withMessage("job type must not be blank, got \"" + " ".repeat(60) + "…\" (10000 characters); "
                            + TYPE_FIX);
            assertThatNullPointerException().isThrownBy(() -> jobs.enqueue("work:do", new Work("a"), null))
                    .withMessage("options must not be null; pass EnqueueOptions.none() for the defaults");
            assertThatNullPointerException().isThrownBy(() -> jobs.enqueueAll("work:do", null))
                    .withMessage("payloads must not be null; pass List.of() for none");
            assertThatNullPointerException().isThrownBy(() -> jobs.enqueueAll("work:do", List.of(), null))
                    .withMessage("options must not be null; pass EnqueueOptions.none() for the defaults");
        }
    }

    @Test
    void jobQueue_enqueue_throwsJobRejectedException_forAPayloadTooLarge_namingItsSizeAndTheLimit() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatThrownBy(() -> jobs.enqueue("work:do", "x".repeat(10_000_000)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("payload of job type 'work:do' is 10000002 bytes, over the 1048576-byte "
                            + "limit of provider 'memory' of queue 'default'");
            assertThat(jobs.stats("default").waiting()).isZero();
        }
    }

    /** An order whose secret Jackson cannot write: the getter it calls throws. */
    record Order(Secret secret) {
    }

    /** A value whose only property throws as it is read, as a lazy entity's whose session has closed does. */
    static final class Secret {
        private final RuntimeException failure;

        Secret(RuntimeException failure) {
            this.failure = failure;
        }

        public String getValue() {
            throw failure;
        }
    }

    /**
     * A payload Jackson cannot write: the refusal named only the innermost message ("vault is locked"), neither the
     * property Jackson was writing nor the exception with its stack trace, which were dropped.
     */
    @Test
    void jobQueue_enqueue_throwsJobRejectedException_forAPayloadNotWritableAsJson_keepingJacksonsErrorAndItsPath() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            var locked = new IllegalStateException("vault is locked");
            assertThatThrownBy(() -> jobs.enqueue("work:do", new Order(new Secret(locked))))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("payload of job type 'work:do' (" + Order.class.getName() + ") cannot be "
                            + "written as JSON: vault is locked (through reference chain: " + Order.class.getName()
                            + "[\"secret\"]->" + Secret.class.getName() + "[\"value\"])")
                    .hasRootCause(locked);
            assertThatThrownBy(() -> jobs.enqueueAll("work:do", List.of(new Work("a"), new Order(new Secret(locked)))))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("payload at index 1 (of 2): payload of job type 'work:do' (")
                    .hasRootCause(locked);
            assertThat(jobs.stats("default").waiting()).isZero();
        }
    }

    /** Secrets by the address of their owner: a map whose keys are data, as a payload's maps often are. */
    record Vault(Map<String, Secret> byOwner) {
    }

    /**
     * Jackson names a map's entry in its reference chain by its key: the refusal put the key, data of the payload
     * (here an e-mail address), into a message that goes to logs and stderr. It names the map's class; the key stays
     * in Jackson's exception, the cause.
     */
    @Test
    void jobQueue_enqueue_aPayloadNotWritableAsJson_doesNotEchoAMapsKeys() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            var locked = new IllegalStateException("vault is locked");
            var byOwner = new java.util.LinkedHashMap<String, Secret>();
            byOwner.put("alice@example.com", new Secret(locked));
            assertThatThrownBy(() -> jobs.enqueue("work:do", new Vault(byOwner)))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessage("payload of job type 'work:do' (" + Vault.class.getName() + ") cannot be written as "
                            + "JSON: vault is locked (through reference chain: " + Vault.class.getName()
                            + "[\"byOwner\"]->java.util.LinkedHashMap[…]->" + Secret.class.getName() + "[\"value\"]); "
                            + "payloads must be plain data Jackson can serialize")
                    .cause().hasMessageContaining("alice@example.com");
        }
    }

    /** Owners and their secrets as pairs, and maps in an array: two more shapes whose references Jackson names. */
    record Pairs(List<Map.Entry<String, Secret>> owners, Map<?, ?>[] vaults) {
    }

    /**
     * Jackson names a Map.Entry by its key too, and an array's element by its index, whatever the element: the refusal
     * masked a map's key only, so a pair's key (an e-mail address) was in the message, and it masked the index of an
     * array's element that is a map, so the message no longer said which element failed. Keys are masked wherever
     * Jackson names something other than a bean's property; indexes are not data, and stay.
     */
    @Test
    void jobQueue_enqueue_aPayloadNotWritableAsJson_doesNotEchoAnEntrysKey_andKeepsAnArraysIndex() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            var locked = new IllegalStateException("vault is locked");
            Map.Entry<String, Secret> pair = new java.util.AbstractMap.SimpleEntry<>("bob@example.com",
                    new Secret(locked));
            assertThatThrownBy(() -> jobs.enqueue("work:do", new Pairs(List.of(pair), new Map<?, ?>[0])))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("(through reference chain: " + Pairs.class.getName() + "[\"owners\"]->"
                            + List.of(pair).getClass().getName() + "[0]->java.util.AbstractMap$SimpleEntry[…]->"
                            + Secret.class.getName() + "[\"value\"])")
                    .hasMessageNotContaining("bob@example.com")
                    .cause().hasMessageContaining("bob@example.com");
            var vault = new java.util.LinkedHashMap<String, Secret>();
            vault.put("carol@example.com", new Secret(locked));
            assertThatThrownBy(() -> jobs.enqueue("work:do", new Pairs(List.of(), new Map<?, ?>[] {Map.of(), vault})))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageContaining("(through reference chain: " + Pairs.class.getName() + "[\"vaults\"]->"
                            + "java.util.LinkedHashMap[1]->java.util.LinkedHashMap[…]->" + Secret.class.getName()
                            + "[\"value\"])")
                    .hasMessageNotContaining("carol@example.com");
        }
    }

    /** A customer and its orders, each order naming its customer: an entity graph with a cycle, as JPA maps one. */
    public static final class Customer {
        public final List<Placed> orders = new java.util.ArrayList<>();
    }

    /** An order of {@link Customer}. */
    public static final class Placed {
        public Customer customer;
    }

    /**
     * A payload with a cycle, the commonest one Jackson cannot write: the refusal spelled out Jackson's whole reference
     * chain, a thousand references round the cycle, 43 KB on one line of the log; the chain is shortened in the
     * message, and kept whole in Jackson's exception, its cause.
     */
    @Test
    void jobQueue_enqueue_aPayloadWithACycle_isRefusedWithAShortMessage_theWholeChainInItsCause() {
        var customer = new Customer();
        var order = new Placed();
        order.customer = customer;
        customer.orders.add(order);
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatThrownBy(() -> jobs.enqueue("work:do", order))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("payload of job type 'work:do' (" + Placed.class.getName() + ") cannot be "
                            + "written as JSON: Document nesting depth (")
                    .hasMessageContaining(" (through reference chain: ")
                    .hasMessageContaining(" more)->")
                    .hasMessageEndingWith("; payloads must be plain data Jackson can serialize")
                    .satisfies(e -> assertThat(e.getMessage()).as("the message's length").hasSizeLessThan(2_000))
                    .satisfies(e -> assertThat(e.getMessage().split("->", -1)).as("semantics.md: 4 references at each "
                            + "end, and how many between").hasSize(2 * 4 + 1))
                    .cause().isInstanceOf(com.fasterxml.jackson.databind.JsonMappingException.class)
                    .satisfies(cause -> assertThat(((com.fasterxml.jackson.databind.JsonMappingException) cause)
                            .getPath()).as("the chain in the cause").hasSizeGreaterThan(100));
        }
    }

    @Test
    void jobQueue_enqueue_throwsJobRejectedException_forAnUnknownQueue_namingTheConfiguredOnes() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatThrownBy(() -> jobs.enqueue("work:do", null, EnqueueOptions.queue("reports")))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("unknown queue 'reports' (configured: default)");
        }
    }

    @Test
    void jobQueue_enqueue_anyDelayInMemory_andAnyNumberOfAttempts_areTaken() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            jobs.enqueue("work:do", null, EnqueueOptions.delay(Duration.ofDays(1_000_000)));
            jobs.enqueue("work:do", null, EnqueueOptions.builder().maxAttempts(Integer.MAX_VALUE).build());
            assertThat(jobs.stats("default").delayed()).isEqualTo(1);
            assertThat(jobs.stats("default").waiting()).isEqualTo(1);
        }
    }

    @Test
    void jobQueue_enqueueAll_ifOneIsRejectedNoneIsEnqueued_namingThePayloadsPosition() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatThrownBy(() -> jobs.enqueueAll("work:do", List.of("a", "x".repeat(2_000_000), "c")))
                    .isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("payload at index 1 (of 3): ");
            assertThat(jobs.stats("default").waiting()).isZero();
        }
    }

    @Test
    void bulkEnqueueException_theFirstFailureIsTheCause_theNextNineSuppressed_everyFailedIndexKept() {
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), java.time.Clock.systemUTC()));
        QueueProvider refusing = new ForwardingQueueProvider(memory) {
            @Override
            public dev.jobq.spi.EnqueueResult enqueue(dev.jobq.spi.JobEnvelope envelope, Duration delay) {
                throw new JobQueueException("refused " + envelope.payloadJson());
            }
        };
        try (JobQueue jobs = JobQueue.builder().provider(refusing).build()) {
            List<Integer> payloads = java.util.stream.IntStream.range(0, 15).boxed().toList();
            assertThatThrownBy(() -> jobs.enqueueAll("work:do", payloads))
                    .isInstanceOfSatisfying(dev.jobq.BulkEnqueueException.class, e -> {
                        assertThat(e.getCause()).hasMessage("refused 0");
                        assertThat(e.getSuppressed()).hasSize(9);
                        assertThat(e.failedIndexes()).isEqualTo(payloads);
                        assertThat(e.jobIds()).hasSize(15).containsOnlyNulls();
                        assertThat(e.getMessage()).contains("(payloads at indexes 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …)");
                    });
        }
    }

    @Test
    void enqueueOptions_aDelayBeyondTheProviderWithNoScheduler_isRejectedNamingTheLimitAndHowToEnableTheScheduler_aNearerScheduledForGoesToTheProvider() {
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), java.time.Clock.systemUTC()));
        QueueProvider fifteenMinutes = new ForwardingQueueProvider(memory) {
            @Override
            public dev.jobq.spi.Capabilities capabilities() {
                var real = delegate().capabilities();
                return new dev.jobq.spi.Capabilities(Duration.ofMinutes(15), real.maxPayloadBytes(), real.features(),
                        real.receiveBatch());
            }
        };
        try (JobQueue jobs = JobQueue.builder().provider(fifteenMinutes).build()) {
            assertThatThrownBy(() -> jobs.enqueue("work:do", null, EnqueueOptions.delay(Duration.ofHours(3))))
                    .isInstanceOf(JobRejectedException.class)
                    // A provider built in code is named by its class; an anonymous one by its binary name, not ''.
                    .hasMessageContaining("a delay of 3h is beyond what provider 'JobQueueJavadocClaimsTest$")
                    .hasMessageContaining("(at most 15m); enable the scheduler");
            assertThatThrownBy(() -> jobs.enqueue("work:do", null,
                    EnqueueOptions.at(java.time.Instant.now().plus(Duration.ofHours(3)))))
                    .isInstanceOf(JobRejectedException.class).hasMessageContaining("enable the scheduler");
            jobs.enqueue("work:do", null, EnqueueOptions.at(java.time.Instant.now().plus(Duration.ofMinutes(10))));
            assertThat(jobs.stats("default").delayed()).isEqualTo(1);
        }
    }

    @Test
    void enqueueOptions_at_anInstantThatHasPassedRunsTheJobAtOnce() {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("work:do", new Work("a"), EnqueueOptions.at(java.time.Instant.EPOCH));
            assertThat(events.awaitCount(JobEvent.Completed.class, 1)).hasSize(1);
        }
    }

    // JobQueue: after close()

    @Test
    void jobQueue_close_callsMadeAfterTheWorkerStoppedThrowJobQueueException_enqueueingNothing() {
        JobQueue jobs = JobQueue.builder().build();
        jobs.start();
        jobs.close();
        assertThatThrownBy(() -> jobs.enqueue("work:do", null)).isInstanceOf(JobQueueException.class).hasMessage(CLOSED);
        assertThatThrownBy(() -> jobs.enqueueAll("work:do", List.of("a"))).isInstanceOf(JobQueueException.class)
                .hasMessage(CLOSED);
        assertThatThrownBy(jobs::start).isInstanceOf(JobQueueException.class).hasMessage(CLOSED);
        assertThatThrownBy(() -> jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { }))
                .isInstanceOf(JobQueueException.class).hasMessage(CLOSED);
    }

    @Test
    void jobQueue_close_isIdempotent_andStartIsToo() throws Exception {
        JobQueue jobs = JobQueue.builder().build();
        var ran = new ArrayBlockingQueue<String>(10);
        jobs.registerJobHandler("work:do", String.class, (job, ctx) -> ran.add(job.payload()));
        jobs.start();
        jobs.start(); // a second start returns quietly and the worker works on
        jobs.enqueue("work:do", "once");
        assertThat(ran.poll(30, TimeUnit.SECONDS)).isEqualTo("once");
        jobs.close();
        jobs.close(); // returns quietly; the queue stays closed
        assertThat(ran).isEmpty();
        assertThatThrownBy(() -> jobs.enqueue("work:do", "after")).isInstanceOf(JobQueueException.class)
                .hasMessage(CLOSED);
    }

    // JobQueue: lookups

    @Test
    void jobQueue_statsAndDeadLetters_ofAnUnknownQueue_throwJobRejectedExceptionNamingTheConfiguredOnes() {
        try (JobQueue jobs = JobQueue.builder().queue("reports", "memory", Map.of()).build()) {
            assertThatThrownBy(() -> jobs.stats("nope")).isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("unknown queue 'nope' (configured: default, reports)");
            assertThatThrownBy(() -> jobs.deadLetters("nope")).isInstanceOf(JobRejectedException.class)
                    .hasMessageStartingWith("unknown queue 'nope' (configured: default, reports)");
        }
    }

    @Test
    void jobQueue_queueNames_defaultFirst_andStats_inConfigurationOrder() {
        try (JobQueue jobs = JobQueue.builder().queue("reports", "memory", Map.of()).queue("audit", "memory", Map.of())
                .build()) {
            assertThat(jobs.queueNames()).containsExactly("default", "reports", "audit");
            assertThatThrownBy(() -> jobs.queueNames().add("more")).isInstanceOf(UnsupportedOperationException.class);
            assertThat(jobs.stats()).extracting(QueueStats::queue).containsExactly("default", "reports", "audit");
        }
    }

    @Test
    void jobQueue_getJob_anUnknownIdIsEmpty_aNullIdIsRefusedNamingIt() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThat(jobs.getJob("no-such-job")).isEmpty();
            assertThatNullPointerException().isThrownBy(() -> jobs.getJob(null)).withMessage("jobId");
        }
    }

    @Test
    void jobQueue_getJob_aNullIdIsRefusedNamingIt_alsoWhereNoQueueLooksJobsUp() {
        // As on SQS, which never finds its jobs: the loop asked no provider, and null was answered "not found".
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), java.time.Clock.systemUTC()));
        QueueProvider withoutLookups = new ForwardingQueueProvider(memory) {
            @Override
            public dev.jobq.spi.Capabilities capabilities() {
                var real = delegate().capabilities();
                var features = java.util.EnumSet.copyOf(real.features());
                features.remove(dev.jobq.spi.Feature.JOB_LOOKUP);
                return new dev.jobq.spi.Capabilities(real.maxDelay(), real.maxPayloadBytes(), features,
                        real.receiveBatch());
            }
        };
        try (JobQueue jobs = JobQueue.builder().provider(withoutLookups).build()) {
            assertThat(jobs.getJob("no-such-job")).isEmpty();
            assertThatNullPointerException().isThrownBy(() -> jobs.getJob(null)).withMessage("jobId");
        }
    }

    @Test
    void jobQueue_scheduler_throwsJobQueueExceptionWhenNoSchedulerIsConfigured_namingHowToEnableOne() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThat(jobs.hasScheduler()).isFalse();
            assertThatThrownBy(jobs::scheduler).isInstanceOf(JobQueueException.class)
                    .hasMessageStartingWith("no scheduler is configured; add a 'scheduler:' section to jobq.yaml");
        }
    }

    /**
     * A scheduler factory that returns null (a lookup in the application's container that found nothing) built a
     * queue without a scheduler, silently: its first job for an instant then went to the provider, and a long delay
     * was refused with advice to add a 'scheduler:' section, to a caller who had given one in code.
     */
    @Test
    void jobQueueBuilder_build_aSchedulerFactoryReturningNull_failsNamingIt() {
        assertThatThrownBy(() -> JobQueue.builder().scheduler(ctx -> null).build().close())
                .isInstanceOf(JobQueueException.class)
                .hasMessage("the scheduler factory given to JobQueueBuilder.scheduler(...) returned null; return the "
                        + "JobScheduler it builds from the SchedulerContext, or leave scheduler(...) out for a queue "
                        + "without a scheduler");
    }

    /** A scheduler factory of a jar, found by ServiceLoader, whose create() returns null. */
    public static final class NullSchedulerFactory implements JobSchedulerFactory {
        @Override
        public String type() {
            return "nulls";
        }

        @Override
        public void validate(Settings settings) {
            settings.checkNoUnknownKeys();
        }

        @Override
        public JobScheduler create(SchedulerContext context) {
            return null;
        }
    }

    /**
     * The same for a JobSchedulerFactory of a jar whose create() returns null (the file's or the builder's
     * 'scheduler:' type), and either way the providers build() was given are closed, as for a factory that throws.
     */
    @Test
    void jobQueueBuilder_build_aSchedulerFactoryOfAJarReturningNull_failsNamingIt_closingTheProviders(@TempDir Path dir)
            throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(JobSchedulerFactory.class.getName()), NullSchedulerFactory.class.getName());
        var closed = new AtomicInteger();
        try (var loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            assertThatThrownBy(() -> JobQueue.builder().classLoader(loader).provider(closeCounting(closed))
                    .scheduler("nulls", Map.of()).build().close())
                    .isInstanceOf(JobQueueException.class)
                    .hasMessage("scheduler 'nulls' (" + NullSchedulerFactory.class.getName() + ") returned null from "
                            + "create(); a defect of its jar: use a release of it that returns its JobScheduler");
        }
        assertThat(closed).as("the provider given to the build that failed").hasValue(1);

        assertThatThrownBy(() -> JobQueue.builder().provider(closeCounting(closed)).scheduler(ctx -> null).build())
                .isInstanceOf(JobQueueException.class);
        assertThat(closed).as("the provider given to the build that failed").hasValue(2);
    }

    private static QueueProvider closeCounting(AtomicInteger closed) {
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), java.time.Clock.systemUTC()));
        return new ForwardingQueueProvider(memory) {
            @Override
            public void close() {
                closed.incrementAndGet();
                super.close();
            }
        };
    }

    @Test
    void jobQueue_aJobWhoseTypeHasNoHandlerInARunningWorkerIsDeadLetteredAtOnceWithThatReason() {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start();
            String id = jobs.enqueue("work:undone", new Work("a"));
            JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
            assertThat(dead.jobId()).isEqualTo(id);
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.error()).contains("work:undone");
            assertThat(events.all(JobEvent.Failed.class)).isEmpty();
        }
    }

    // JobHandler

    @Test
    void jobHandler_throwingFailsTheAttemptRetriedWhileAttemptsRemain_nonRetryableDeadLettersAtOnce() {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).backoff(dev.jobq.Backoff.none()).build()) {
            jobs.registerJobHandler("work:flaky", Work.class, (job, ctx) -> {
                if (job.attempt() < 2) {
                    throw new IllegalStateException("not yet");
                }
            });
            jobs.registerJobHandler("work:never", Work.class, (job, ctx) -> {
                throw new NonRetryableJobException("never");
            });
            jobs.start();
            jobs.enqueue("work:flaky", new Work("a"));
            jobs.enqueue("work:never", new Work("b"), EnqueueOptions.builder().maxAttempts(5).build());
            assertThat(events.awaitCount(JobEvent.Completed.class, 1).get(0).attempt()).isEqualTo(2);
            assertThat(events.awaitCount(JobEvent.Dead.class, 1).get(0).attempt()).isEqualTo(1);
            assertThat(events.all(JobEvent.Failed.class)).extracting(JobEvent.Failed::type).containsExactly("work:flaky");
        }
    }

    @Test
    void jobHandler_onTimeoutTheHandlersThreadIsInterruptedAndIsCancelledTurnsTrue() throws Exception {
        var seen = new CompletableFuture<Boolean>();
        try (JobQueue jobs = JobQueue.builder().build()) {
            jobs.registerJobHandler("work:slow", Work.class, (job, ctx) -> {
                try {
                    new java.util.concurrent.CountDownLatch(1).await(30, TimeUnit.SECONDS); // only the interrupt ends it
                    seen.complete(false);
                } catch (InterruptedException e) {
                    seen.complete(ctx.isCancelled());
                }
            });
            jobs.start();
            jobs.enqueue("work:slow", new Work("a"), EnqueueOptions.builder().timeout(Duration.ofMillis(100))
                    .maxAttempts(1).build());
            assertThat(seen.get(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    // QueueStats

    @Test
    void queueStats_successRateIsCompletedOverCompletedPlusFailedAttempts_1WhenNothingRan() {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).backoff(dev.jobq.Backoff.none()).build()) {
            assertThat(jobs.stats("default").successRate()).isEqualTo(1.0);
            jobs.registerJobHandler("work:flaky", Work.class, (job, ctx) -> {
                if (job.attempt() == 1) {
                    throw new IllegalStateException("first try fails");
                }
            });
            jobs.start();
            jobs.enqueue("work:flaky", new Work("a"));
            events.awaitCount(JobEvent.Completed.class, 1);
            QueueStats stats = jobs.stats("default");
            assertThat(stats.completed()).isEqualTo(1);
            assertThat(stats.failed()).isEqualTo(1);
            assertThat(stats.successRate()).isEqualTo(0.5);
            assertThat(stats.peakActive()).isEqualTo(1);
        }
    }

    @Test
    void queueStats_averageDurationIsTheMeanHandlerTime_andThroughputCountsTheCompletionsOfTheLastMinute() {
        var events = new EventRecorder();
        Duration work = Duration.ofMillis(200);
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            assertThat(jobs.stats("default").throughputPerSecond()).isZero();
            assertThat(jobs.stats("default").averageDuration()).isEqualTo(Duration.ZERO);
            jobs.registerJobHandler("work:timed", Work.class, (job, ctx) ->
                    // the job's work: 200 ms; nothing counts the latch down
                    assertThat(new CountDownLatch(1).await(work.toMillis(), TimeUnit.MILLISECONDS)).isFalse());
            jobs.start();
            long before = System.nanoTime();
            jobs.enqueue("work:timed", new Work("a"));
            jobs.enqueue("work:timed", new Work("b"));
            events.awaitCount(JobEvent.Completed.class, 2);
            QueueStats stats = jobs.stats("default");
            long tookAtMost = System.nanoTime() - before;

            assertThat(stats.averageDuration()).isGreaterThanOrEqualTo(work)
                    .isLessThanOrEqualTo(Duration.ofNanos(tookAtMost));
            // two completions over at least a second and at most the seconds since the queue was built
            assertThat(stats.throughputPerSecond()).isGreaterThan(0.0).isLessThanOrEqualTo(2.0);
        }
    }

    // JobHandlerRegistry

    @Test
    void jobHandlerRegistry_registeringATypeTwiceThrowsIllegalStateExceptionNamingTheTypeAndTheHandlerThere() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            assertThatIllegalStateException()
                    .isThrownBy(() -> jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { }))
                    .withMessageStartingWith("a handler for job type 'work:do' is already registered (");
            assertThat(jobs.registeredTypes()).containsExactly("work:do");
        }
    }

    @Test
    void jobHandlerRegistry_nullArgumentsAreRefusedAtTheCallNamingThem() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatNullPointerException()
                    .isThrownBy(() -> jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { },
                            (HandlerOptions) null))
                    .withMessage("options must not be null; pass HandlerOptions.defaults() for none");
            assertThatNullPointerException().isThrownBy(() -> jobs.registerJobHandler("work:do", Work.class, null))
                    .withMessage("handler");
            assertThatNullPointerException()
                    .isThrownBy(() -> jobs.registerJobHandler("work:do", (Class<Work>) null, (job, ctx) -> { }))
                    .withMessage("payloadType");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler(" ", Work.class, (job, ctx) -> { }))
                    .withMessage("job type must not be blank, got \" \"; " + TYPE_FIX);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler(null, Work.class, (job, ctx) -> { }))
                    .withMessage("job type must not be null; " + TYPE_FIX);
            // The type is checked first: a blank one was refused for its options' queue, as "job type ' '".
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler(" ", Work.class, (job, ctx) -> { },
                            HandlerOptions.defaults().queue("reports")))
                    .withMessage("job type must not be blank, got \" \"; " + TYPE_FIX);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { },
                            HandlerOptions.defaults().queue("reports")))
                    .withMessageStartingWith("job type 'work:do': its default queue 'reports' is not configured "
                            + "(configured: default)");
            assertThat(jobs.registeredTypes()).isEmpty();
        }
    }

    /**
     * A type no enqueue takes is refused where it is registered, with enqueue's words: a handler registered for a
     * type of 256 characters was taken, and every enqueue of its type was refused after the application had started.
     */
    @Test
    void jobHandlerRegistry_aTypeLongerThan255Characters_isRefusedAsEnqueueRefusesIt() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            String longType = "t".repeat(256);
            String refusal = "job type '" + "t".repeat(60) + "…' is 256 characters long, longer than the 255 a job "
                    + "type may have (what the scheduler holds, so that any job can also be delayed or scheduled); "
                    + "use a shorter job type";
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler(longType, Work.class, (job, ctx) -> { }))
                    .withMessage(refusal);
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.registerJobHandler(longType, Work.class, (job, ctx) -> { },
                            HandlerOptions.defaults().maxAttempts(5)))
                    .withMessage(refusal);
            assertThat(jobs.registeredTypes()).isEmpty();
            jobs.registerJobHandler("t".repeat(255), Work.class, (job, ctx) -> { });
            assertThat(jobs.registeredTypes()).containsExactly("t".repeat(255));
        }
    }

    // JobContext

    @Test
    void jobContext_queue_aHandlerMayEnqueueFollowUpJobsOnTheQueueItRunsIn() throws Exception {
        var followUps = new ArrayBlockingQueue<String>(1);
        try (JobQueue jobs = JobQueue.builder().build()) {
            jobs.registerJobHandler("order:place", Work.class, (job, ctx) ->
                    ctx.queue().enqueue("invoice:email", new Work("for " + job.payload().what())));
            jobs.registerJobHandler("invoice:email", Work.class, (job, ctx) -> followUps.add(job.payload().what()));
            jobs.start();
            jobs.enqueue("order:place", new Work("42"));
            assertThat(followUps.poll(20, TimeUnit.SECONDS)).isEqualTo("for 42");
        }
    }

    @Test
    void jobContext_progress_from0To100_outsideThrowsIllegalArgumentException() throws Exception {
        var thrown = new CompletableFuture<Throwable>();
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                ctx.progress(100);
                try {
                    ctx.progress(101);
                    thrown.complete(null);
                } catch (IllegalArgumentException e) {
                    thrown.complete(e);
                }
            });
            jobs.start();
            jobs.enqueue("work:do", new Work("a"));
            assertThat(thrown.get(20, TimeUnit.SECONDS)).hasMessage("progress must be between 0 and 100, got 101");
            assertThat(events.awaitCount(JobEvent.Progress.class, 1)).extracting(JobEvent.Progress::percent)
                    .containsExactly(100);
        }
    }

    @Test
    void jobContext_onceTheHandlerHasReturned_progressIsDiscarded_logStillLogs_queueIsStillTheQueue()
            throws Exception {
        var kept = new CompletableFuture<JobContext>();
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> kept.complete(ctx));
            jobs.start();
            String id = jobs.enqueue("work:do", new Work("a"));
            events.awaitCount(JobEvent.Completed.class, 1);
            JobContext ctx = kept.get(20, TimeUnit.SECONDS);

            ctx.progress(50);
            ctx.log("after the handler returned, for job {}", id);
            assertThat(ctx.jobId()).isEqualTo(id);
            assertThat(ctx.queue()).isSameAs(jobs);
            assertThat(events.all(JobEvent.Progress.class)).isEmpty();
        }
    }

    @Test
    void jobContext_isCancelled_falseWhileClose_waitsForTheHandler_trueOnceShutdownTimeoutPassedAndItIsInterrupted()
            throws Exception {
        var started = new CountDownLatch(1);
        var look = new CountDownLatch(1);
        var whileDraining = new CompletableFuture<Boolean>();
        var atInterrupt = new CompletableFuture<Boolean>();
        var events = new EventRecorder();
        // long enough that the handler, on a busy machine, looks before it passes
        JobQueue jobs = JobQueue.builder().listener(events).shutdownTimeout(Duration.ofSeconds(3)).build();
        Thread closer = null;
        try {
            jobs.registerJobHandler("work:long", Work.class, (job, ctx) -> {
                started.countDown();
                try {
                    look.await(20, TimeUnit.SECONDS);
                    whileDraining.complete(ctx.isCancelled());
                    new CountDownLatch(1).await(20, TimeUnit.SECONDS); // only the shutdown's interrupt ends it
                    atInterrupt.complete(false);
                } catch (InterruptedException e) {
                    atInterrupt.complete(ctx.isCancelled());
                }
            });
            jobs.start();
            jobs.enqueue("work:long", new Work("a"), EnqueueOptions.builder().timeout(Duration.ofMinutes(1)).build());
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            Thread closing = Thread.ofPlatform().start(jobs::close);
            closer = closing;
            // close() began, its poll loop has ended, and it now waits up to shutdownTimeout for the handler. Seen in
            // the closing thread's stack: the poll loop's thread is virtual, and Thread.getAllStackTraces() lists no
            // virtual thread, so waiting for it to be gone from there returned before close() had even begun.
            org.awaitility.Awaitility.await("close() waiting for the running handler").atMost(Duration.ofSeconds(20))
                    .until(() -> java.util.Arrays.stream(closing.getStackTrace())
                            .anyMatch(frame -> frame.getMethodName().equals("awaitRunsSettled")));
            look.countDown();

            // the worker is shutting down, but the handler may still finish: not cancelled yet
            assertThat(whileDraining.get(20, TimeUnit.SECONDS)).isFalse();
            // shutdownTimeout passed: cancelled, interrupted, and its job released
            assertThat(atInterrupt.get(20, TimeUnit.SECONDS)).isTrue();
            assertThat(events.awaitCount(JobEvent.Released.class, 1)).hasSize(1);
        } finally {
            look.countDown();
            if (closer != null) {
                closer.join(Duration.ofSeconds(20));
            }
            jobs.close();
        }
    }

    // JobListener

    @Test
    void jobListener_calledOnTheThreadWhereTheEventHappened_enqueuedOnTheCallers_startedAndCompletedOnTheHandlers()
            throws Exception {
        var threads = new ConcurrentHashMap<Class<?>, Thread>();
        var handlerThread = new CompletableFuture<Thread>();
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(event -> threads.putIfAbsent(event.getClass(),
                Thread.currentThread())).listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> handlerThread.complete(Thread.currentThread()));
            jobs.start();
            jobs.enqueue("work:do", new Work("a"));
            events.awaitCount(JobEvent.Completed.class, 1);
            assertThat(threads.get(JobEvent.Enqueued.class)).isSameAs(Thread.currentThread());
            Thread handler = handlerThread.get(20, TimeUnit.SECONDS);
            assertThat(threads.get(JobEvent.Started.class)).isSameAs(handler);
            assertThat(threads.get(JobEvent.Completed.class)).isSameAs(handler);
        }
    }

    @Test
    void jobListener_aListenerOfStartedWaitingForItsJobsOutcomeWaitsUntilTheTimeout_whichFailsTheAttemptUnrun()
            throws Exception {
        var events = new EventRecorder();
        var outcome = new CountDownLatch(1);
        var waitEnded = new CompletableFuture<String>();
        var handled = new java.util.concurrent.atomic.AtomicBoolean();
        try (JobQueue jobs = JobQueue.builder().listener(event -> {
            if (event instanceof JobEvent.Completed || event instanceof JobEvent.Failed
                    || event instanceof JobEvent.Dead) {
                outcome.countDown();
            } else if (event instanceof JobEvent.Started) {
                try {
                    waitEnded.complete(outcome.await(20, TimeUnit.SECONDS) ? "outcome" : "20 s passed");
                } catch (InterruptedException e) {
                    waitEnded.complete("interrupted");
                }
            }
        }).listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> handled.set(true));
            jobs.start();
            jobs.enqueue("work:do", new Work("a"), EnqueueOptions.builder().timeout(Duration.ofMillis(200))
                    .maxAttempts(1).build());

            assertThat(waitEnded.get(20, TimeUnit.SECONDS)).as("how the listener's wait ended").isEqualTo("interrupted");
            assertThat(events.awaitCount(JobEvent.Dead.class, 1)).extracting(JobEvent.Dead::error)
                    .containsExactly("timed out after 200ms (attempt 1 of 1)");
            assertThat(handled).as("the handler was called").isFalse();
        }
    }

    @Test
    void jobListener_whateverAListenerThrowsIsLoggedAndIgnored_theJobGoesOn() {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(event -> {
            throw new AssertionError("a listener's failed assertion");
        }).listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("work:do", new Work("a"));
            events.awaitCount(JobEvent.Completed.class, 1);
        }
    }

    @Test
    void jobQueue_removeListener_stopsItsEvents_andAnUnknownListenerIsIgnored() {
        var removed = new EventRecorder();
        var kept = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(kept).build()) {
            jobs.addListener(removed);
            jobs.removeListener(removed);
            jobs.removeListener(event -> { });
            jobs.enqueue("work:do", null);
            kept.awaitCount(JobEvent.Enqueued.class, 1);
            assertThat(removed.all(JobEvent.class)).isEmpty();
            assertThatNullPointerException().isThrownBy(() -> jobs.addListener(null)).withMessage("listener");
        }
    }

    @Test
    void jobQueue_aListenerAddedTwiceHearsEachEventTwice_andEachRemoveListenerUndoesOneAdd() {
        var twice = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().build()) {
            jobs.addListener(twice);
            jobs.addListener(twice);
            jobs.enqueue("work:do", null); // Enqueued is delivered on the enqueuing thread, before enqueue returns

            assertThat(twice.all(JobEvent.Enqueued.class)).hasSize(2);

            jobs.removeListener(twice);
            jobs.enqueue("work:do", null);

            assertThat(twice.all(JobEvent.Enqueued.class)).hasSize(3);

            jobs.removeListener(twice);
            jobs.enqueue("work:do", null);

            assertThat(twice.all(JobEvent.Enqueued.class)).hasSize(3);
        }
    }

    // DeadLetters

    @Test
    void deadLetters_list_newestFirstAtMostLimit_redriveAndDeleteAnswerFalseForAnUnknownId() throws Exception {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                throw new NonRetryableJobException("no " + job.payload().what());
            });
            jobs.start();
            jobs.enqueue("work:do", new Work("first"));
            events.awaitCount(JobEvent.Dead.class, 1);
            String second = jobs.enqueue("work:do", new Work("second"));
            events.awaitCount(JobEvent.Dead.class, 2);
            DeadLetters letters = jobs.deadLetters("default").orElseThrow();

            assertThat(letters.list(1)).extracting(letter -> letter.job().id()).containsExactly(second);
            assertThat(letters.list(Integer.MAX_VALUE)).hasSize(2);
            assertThat(letters.list(0)).isEmpty();
            assertThatIllegalArgumentException().isThrownBy(() -> letters.list(-1))
                    .withMessage(NEGATIVE_LIMIT_REFUSED);
            assertThat(letters.redrive("no-such-job")).isFalse();
            assertThat(letters.delete("no-such-job")).isFalse();
        }
    }

    @Test
    void queueProvider_deadLetters_throughJobQueueANegativeLimitIsRefusedBeforeItReachesTheProvidersStore() {
        var asked = new java.util.concurrent.atomic.AtomicInteger();
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), java.time.Clock.systemUTC()));
        QueueProvider lenient = new ForwardingQueueProvider(memory) {
            @Override
            public java.util.Optional<DeadLetters> deadLetters() {
                DeadLetters real = delegate().deadLetters().orElseThrow();
                return java.util.Optional.of(new ForwardingDeadLetters(real) {
                    @Override
                    public List<dev.jobq.DeadLetter> list(int limit) {
                        asked.incrementAndGet();
                        return List.of();
                    }
                });
            }
        };
        try (JobQueue jobs = JobQueue.builder().provider(lenient).build()) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.deadLetters("default").orElseThrow().list(-1))
                    .withMessage(NEGATIVE_LIMIT_REFUSED);
            assertThat(asked).hasValue(0);
        }
    }

    /** A negative limit's refusal names a queue with a U+202E escaped: raw, it reversed the rest of the message. */
    @Test
    void queueProvider_deadLetters_aNegativeLimitsRefusalNamesItsQueueEscaped() {
        String name = "bills\u202Efdp.exe";
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext(name,
                Settings.of("test", "provider", Map.of()), java.time.Clock.systemUTC()));
        try (JobQueue jobs = JobQueue.builder().queue(name, memory).build()) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> jobs.deadLetters(name).orElseThrow().list(-1))
                    .withMessage("dead letters of queue 'bills\\u202efdp.exe': list(limit): limit must be ≥ 0, got -1; "
                            + "pass how many of the newest to list (0 gives none)");
        }
    }

    @Test
    void jobScheduler_listScheduled_theCoreCallsItWithALimitOfAtLeastOneOnly() {
        var limits = new java.util.concurrent.CopyOnWriteArrayList<Integer>();
        try (JobQueue jobs = JobQueue.builder().scheduler(ctx -> new ListingOnlyScheduler(limits)).build()) {
            assertThatIllegalArgumentException().isThrownBy(() -> jobs.scheduler().listScheduled(0))
                    .withMessage("listScheduled(limit): limit must be ≥ 1, got 0; pass how many of the earliest "
                            + "waiting jobs to list");
            jobs.scheduler().listScheduled(1);
            assertThat(limits).containsExactly(1);
        }
    }

    /** A scheduler that only records the limits it is listed with. */
    private record ListingOnlyScheduler(List<Integer> limits) implements StubScheduler {
        @Override
        public List<dev.jobq.ScheduledJobInfo> listScheduled(int limit) {
            limits.add(limit);
            return List.of();
        }
    }

    @Test
    void deadLetters_redrive_isAnnouncedToListenersAsEnqueued() {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().listener(events).build()) {
            String id = oneDeadJob(jobs, events);
            assertThat(jobs.deadLetters("default").orElseThrow().redrive(id)).isTrue();
            assertThat(events.awaitCount(JobEvent.Enqueued.class, 2)).extracting(JobEvent.Enqueued::jobId)
                    .containsExactly(id, id);
        }
    }

    @Test
    void deadLetters_redrive_afterTheQueueIsClosed_throwsJobQueueExceptionAsEnqueueDoes_theDeadLetterStays() {
        var events = new EventRecorder();
        JobQueue jobs = JobQueue.builder().listener(events).build();
        String id = oneDeadJob(jobs, events);
        DeadLetters letters = jobs.deadLetters("default").orElseThrow();
        jobs.close();

        assertThatThrownBy(() -> letters.redrive(id)).isInstanceOf(JobQueueException.class).hasMessage(CLOSED);
        assertThat(letters.list(10)).extracting(letter -> letter.job().id()).containsExactly(id);
        assertThat(events.all(JobEvent.Enqueued.class)).as("no redrive announced").hasSize(1);
    }

    /**
     * As above, on a provider whose look-ups fail once it is closed (one reading a closed pool): the redrive looked
     * the dead job's type up for its Enqueued before it was refused, and failed in the provider's words instead.
     */
    @Test
    void deadLetters_redrive_afterTheQueueIsClosed_throwsJobQueueException_whereTheProvidersLookUpsFailOnceClosed() {
        QueueProvider memory = new MemoryProviderFactory().create(new ProviderContext("default",
                Settings.of("test", "provider", Map.of()), java.time.Clock.systemUTC()));
        var closed = new java.util.concurrent.atomic.AtomicBoolean();
        QueueProvider poolClosedOnClose = new ForwardingQueueProvider(memory) {
            @Override
            public java.util.Optional<dev.jobq.JobInfo> getJob(String jobId) {
                if (closed.get()) {
                    throw new IllegalStateException("pool has been closed");
                }
                return super.getJob(jobId);
            }

            @Override
            public void close() {
                closed.set(true);
                super.close();
            }
        };
        var events = new EventRecorder();
        JobQueue jobs = JobQueue.builder().provider(poolClosedOnClose).listener(events).build();
        String id = oneDeadJob(jobs, events);
        DeadLetters letters = jobs.deadLetters("default").orElseThrow();
        jobs.close();

        assertThatThrownBy(() -> letters.redrive(id)).isInstanceOf(JobQueueException.class).hasMessage(CLOSED);
        assertThat(events.all(JobEvent.Enqueued.class)).as("no redrive announced").hasSize(1);
    }

    /** Starts {@code jobs} with a handler that refuses every job and returns the id of one job, once it is dead. */
    private static String oneDeadJob(JobQueue jobs, EventRecorder events) {
        jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
            throw new NonRetryableJobException("no");
        });
        jobs.start();
        String id = jobs.enqueue("work:do", new Work("a"));
        events.awaitCount(JobEvent.Dead.class, 1);
        return id;
    }
}
