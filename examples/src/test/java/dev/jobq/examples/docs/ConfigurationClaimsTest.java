package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.jobq.ConfigException;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.WorkerMode;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What docs/configuration.md says about values, references and overrides, each test a sentence of the page, run through the loader. */
class ConfigurationClaimsTest {

    static final String PAGE = DocPage.of("docs/configuration.md").text();

    @TempDir Path dir;

    static JobQueueConfig load(String yaml) {
        return DocYamlBlocksTest.load(yaml, Map.of());
    }

    static JobQueueConfig load(String yaml, Map<String, String> env) {
        return DocYamlBlocksTest.load(yaml, env);
    }

    static List<String> problems(String yaml, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yaml, env));
        assertThat(e).as("the loader refuses:\n" + yaml).isNotNull();
        return e.problems();
    }

    static Settings scheduler(String keys) {
        return load("scheduler:\n" + keys).scheduler().settings();
    }

    @Test
    void anEmptyFileGivesOneMemoryQueueNamedDefault_anInProcessWorkerOf5_andNoScheduler() {
        assertThat(PAGE).contains("an empty file gives one queue\nnamed `default` in memory, an in-process worker with 5 handlers at once, and no scheduler");
        JobQueueConfig empty = load("");
        assertThat(empty.providers()).containsOnlyKeys("default");
        assertThat(empty.providers().get("default").type()).isEqualTo("memory");
        assertThat(empty.worker().mode()).isEqualTo(WorkerMode.IN_PROCESS);
        assertThat(empty.worker().concurrency()).isEqualTo(5);
        assertThat(empty.scheduler()).isNull();
    }

    @Test
    void anyOtherTopLevelKeyIsAnError() {
        assertThat(PAGE).contains("The file has four sections. Any other top-level key is an error.");
        assertThat(problems("workers:\n  concurrency: 3\n", Map.of()))
                .singleElement().asString().startsWith("workers: unknown key; did you mean worker?");
    }

    @Test
    void durationsCarryAUnit_severalTogether_orIso8601() {
        assertThat(PAGE).contains("`500ms`, `30s`, `5m`, `1h`, `2d`, several together (`1h30m`, `1s500ms`");
        assertThat(load("worker:\n  shutdownTimeout: 1h30m\n").worker().shutdownTimeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(load("worker:\n  shutdownTimeout: 1s500ms\n").worker().shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(load("worker:\n  shutdownTimeout: PT1H30M\n").worker().shutdownTimeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(load("worker:\n  shutdownTimeout: 500ms\n").worker().shutdownTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(scheduler("  retention: 2d\n").duration("retention")).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void sizesAreBytesOrCarryABinaryUnit_KbMbGbMeaningTheSame() {
        assertThat(PAGE).contains("`262144`, `256KiB`, `1MiB`, `1GiB` (`KB`, `MB` and `GB` mean\nthe same binary units)");
        for (var size : Map.of("262144", 262144L, "256KiB", 262144L, "256KB", 262144L, "1MiB", 1048576L, "1MB", 1048576L,
                "1GiB", 1L << 30, "1GB", 1L << 30).entrySet()) {
            Settings provider = load("provider:\n  type: memory\n  maxPayloadBytes: " + size.getKey() + "\n")
                    .providers().get("default").settings();
            assertThat(provider.bytes("maxPayloadBytes", 0, 0, Long.MAX_VALUE)).as(size.getKey()).isEqualTo(size.getValue());
        }
    }

    @Test
    void booleansAreTrueFalse_yesNo_onOff_10() {
        assertThat(PAGE).contains("`true`/`false` (also `yes`/`no`, `on`/`off`, `1`/`0`)");
        for (String yes : List.of("true", "yes", "on", "1")) {
            assertThat(load("scheduler:\n  enabled: " + yes + "\n").scheduler().enabled()).as(yes).isTrue();
        }
        for (String no : List.of("false", "no", "off", "0")) {
            assertThat(load("scheduler:\n  enabled: " + no + "\n").scheduler().enabled()).as(no).isFalse();
        }
    }

    @Test
    void listsAreFlowBlockOrOneCommaSeparatedString() {
        assertThat(PAGE).contains("`[critical, default]`, a YAML block list, or one comma-separated string");
        String queues = "queues:\n  critical: { type: memory }\n";
        for (String written : List.of("[critical, default]", "\n    - critical\n    - default", "critical, default")) {
            assertThat(load(queues + "worker:\n  queues: " + written + "\n").worker().queues()).as(written)
                    .containsExactly("critical", "default");
        }
    }

    @Test
    void aValueIsReadAsWritten_0123AndNoStayText_andNumbersArePlainDecimal() {
        assertThat(PAGE).contains("`password: 0123` is the text `0123` and `username: no` the text `no`");
        Settings settings = scheduler("  username: no\n  password: 0123\n");
        assertThat(settings.string("password")).isEqualTo("0123");
        assertThat(settings.string("username")).isEqualTo("no");
        assertThat(PAGE).contains("Numbers are plain decimal (`1000`, not `1_000` or `0x3E8`)");
        assertThat(problems("worker:\n  concurrency: 1_000\n", Map.of())).singleElement().asString().startsWith("worker.concurrency: ");
        assertThat(problems("worker:\n  concurrency: 0x3E8\n", Map.of())).singleElement().asString().startsWith("worker.concurrency: ");
    }

    @Test
    void referencesTakeADefault_severalMayShareAValue_andDoubleDollarIsALiteral() {
        assertThat(PAGE).contains("(`jdbc:postgresql://${DB_HOST}:${DB_PORT:-5432}/jobs`); `$${` writes a literal `${`");
        assertThat(scheduler("  username: jobq\n  password: a$${b}\n").string("password")).isEqualTo("a${b}");
        Settings settings = load("scheduler:\n  jdbcUrl: jdbc:postgresql://${DB_HOST}:${DB_PORT:-5432}/jobs\n",
                Map.of("DB_HOST", "db")).scheduler().settings();
        assertThat(settings.string("jdbcUrl")).isEqualTo("jdbc:postgresql://db:5432/jobs");
    }

    @Test
    void aVariablesValueIsNeverReadAsYaml() {
        String password = "p#w: {x} \"q\" 'r'";
        Settings settings = load("scheduler:\n  password: ${DB_PASSWORD}\n", Map.of("DB_PASSWORD", password)).scheduler().settings();
        assertThat(settings.string("password")).isEqualTo(password);
    }

    @Test
    void aVariableSetToTheEmptyStringIsAnErrorAsAnUnsetOneIs_unlessTheDefaultIsEmpty() {
        String yaml = "provider:\n  type: sqs\n  region: us-east-1\n  queueUrl: ${SQS_QUEUE_URL}\n";
        String shown = "provider.queueUrl: environment variable SQS_QUEUE_URL is not set; set it, or give a default with ${SQS_QUEUE_URL:-value}";
        assertThat(PAGE).contains("`" + shown + "`");
        assertThat(problems(yaml, Map.of())).contains(shown);
        assertThat(problems(yaml, Map.of("SQS_QUEUE_URL", ""))).anySatisfy(p -> assertThat(p).startsWith("provider.queueUrl: environment variable SQS_QUEUE_URL"));
        assertThat(scheduler("  username: ${DB_USER:-}\n").string("username")).isNullOrEmpty();
    }

    @Test
    void aSubstitutedValueIsReadLikeAWrittenOne() {
        assertThat(PAGE).contains("`concurrency: ${WORKERS:-8}` is a number,\n  `shutdownTimeout: ${GRACE:-45s}` a duration");
        JobQueueConfig config = load("worker:\n  concurrency: ${WORKERS:-8}\n  shutdownTimeout: ${GRACE:-45s}\n");
        assertThat(config.worker().concurrency()).isEqualTo(8);
        assertThat(config.worker().shutdownTimeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void anUnquotedReferenceInAFlowSectionIsASyntaxErrorWhoseMessageSaysToQuoteIt() {
        String unquoted = "queues:\n  reports: { type: sqs, queueUrl: ${SQS_REPORTS_URL} }\n";
        assertThat(String.join("\n", problems(unquoted, Map.of()))).containsIgnoringCase("quote");
        // the page's own example, as printed: a named SQS queue is a whole section, region included
        String example = "reports: { type: sqs, region: us-east-1, queueUrl: \"${SQS_REPORTS_URL}\" }";
        assertThat(PAGE).contains("`" + example + "`");
        String quoted = "queues:\n  " + example + "\n";
        assertThat(load(quoted, Map.of("SQS_REPORTS_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/reports"))
                .providers()).containsKey("reports");
    }

    @Test
    void overrides_unsetOrEmptyOverrideNothing_durationsInMillisOrWithAUnit_andTheSchedulerSectionRules() {
        assertThat(load("worker:\n  concurrency: 3\n", Map.of("QUEUE_CONCURRENCY", "")).worker().concurrency()).isEqualTo(3);
        assertThat(load("", Map.of("QUEUE_POLL_INTERVAL", "1000")).worker().pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(load("", Map.of("QUEUE_POLL_INTERVAL", "2s")).worker().pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(PAGE).contains("`SCHEDULER_ENABLED=true` (also creates the section when the file has none)");
        assertThat(load("", Map.of("SCHEDULER_ENABLED", "true")).scheduler().enabled()).isTrue();
        assertThat(PAGE).contains("alone it creates none");
        assertThat(load("", Map.of("SCHEDULER_POLL_INTERVAL", "60000")).scheduler()).isNull();
        // the scheduler implementation reads pollInterval from its section: the override reaches it there too
        assertThat(load("scheduler:\n  pollInterval: 5s\n", Map.of("SCHEDULER_POLL_INTERVAL", "1500")).scheduler()
                .settings().duration("pollInterval")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void onlyTheKeysOfTheChosenBackoffTypeAreAccepted_andEachDurationIsAtMost365d() {
        assertThat(problems("worker:\n  backoff: { type: exponential, delay: 5s }\n", Map.of()))
                .singleElement().asString().startsWith("worker.backoff.delay: unknown key");
        assertThat(load("worker:\n  backoff: { type: fixed, delay: 365d }\n")).isNotNull();
        assertThat(PAGE).contains("Each duration given is at most `365d`");
        assertThat(problems("worker:\n  backoff: { type: fixed, delay: 366d }\n", Map.of()))
                .containsExactly("worker.backoff.delay: must be ≤ 365d, got 366d");
        assertThat(load("worker:\n  backoff: { type: list, delays: [1s, 365d] }\n")).isNotNull();
        assertThat(problems("worker:\n  backoff: { type: list, delays: [1s, 366d] }\n", Map.of()))
                .containsExactly("worker.backoff.delays[1]: must be ≤ 365d, got 366d");
        assertThat(problems("worker:\n  backoff: { type: exponential, max: 366d }\n", Map.of()))
                .containsExactly("worker.backoff.max: must be ≤ 365d, got 366d");
    }

    @Test
    void maxHistorySizeBoundsWhatGetJobFinds_notTheCompletedCountOfTheStats() throws Exception {
        assertThat(PAGE).contains("| `maxHistorySize` | integer ≥ 0 | `1000` | completed jobs kept for `getJob`; the "
                + "oldest are forgotten first (the stats' `completed` is counted apart, whatever this is) |");
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().provider(MemoryProviderFactory.builder().maxHistorySize(1).build())
                .listener(events::add).build()) {
            jobs.registerJobHandler("work:do", String.class, (job, ctx) -> { });
            jobs.start();
            List<String> ids = List.of(jobs.enqueue("work:do", "a"), jobs.enqueue("work:do", "b"),
                    jobs.enqueue("work:do", "c"));
            for (int i = 0; i < ids.size(); i++) {
                SemanticsSnippetsTest.awaitEvent(events, JobEvent.Completed.class);
            }

            assertThat(ids.stream().filter(id -> jobs.getJob(id).isPresent())).as("kept for getJob").hasSize(1);
            assertThat(jobs.stats("default").completed()).as("counted apart").isEqualTo(3);
        }
    }

    /** The concurrency the worker of {@code builder}'s queue starts with. */
    private static int startedConcurrency(dev.jobq.JobQueueBuilder builder) throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = builder.listener(events::add).build()) {
            jobs.registerJobHandler("work:do", String.class, (job, ctx) -> { });
            jobs.start();
            return SemanticsSnippetsTest.awaitEvent(events, JobEvent.WorkerStarted.class).concurrency();
        }
    }

    @Test
    void valuesSetInCodeWinOverTheFileAndTheVariables_andAQueueBuiltWithNoFileIgnoresTheVariables() throws Exception {
        String page = PAGE.replaceAll("\\s+", " ");
        assertThat(page).contains("Values set in code with `JobQueue.builder()`, and `jobq run --concurrency N`, win "
                + "over both the file and these variables;");
        assertThat(page).contains("a queue built purely in code with no file ignores them");
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "worker:\n  concurrency: 7\n");
        Map<String, String> env = Map.of("QUEUE_CONCURRENCY", "9", "SCHEDULER_ENABLED", "true",
                "SCHEDULER_POLL_INTERVAL", "1000");

        assertThat(startedConcurrency(JobQueue.builder().config(file).environment(env)
                .scheduler("jdbc", Map.of("jdbcUrl", "jdbc:h2:mem:claims-overrides;DB_CLOSE_DELAY=-1"))))
                .as("the file and the variable").isEqualTo(9);
        assertThat(startedConcurrency(JobQueue.builder().config(file).environment(env).concurrency(3).withoutScheduler()))
                .as("the builder's concurrency(3) over the file's 7 and QUEUE_CONCURRENCY=9").isEqualTo(3);
        try (JobQueue jobs = JobQueue.builder().config(file).environment(env).withoutScheduler().build()) {
            assertThat(jobs.hasScheduler()).as("withoutScheduler() over SCHEDULER_ENABLED=true").isFalse();
        }

        assertThat(startedConcurrency(JobQueue.builder().environment(env)))
                .as("no file: QUEUE_CONCURRENCY=9 ignored").isEqualTo(5);
        try (JobQueue jobs = JobQueue.builder().environment(env).build()) {
            assertThat(jobs.hasScheduler()).as("no file: SCHEDULER_ENABLED=true makes no scheduler").isFalse();
        }
    }
}
