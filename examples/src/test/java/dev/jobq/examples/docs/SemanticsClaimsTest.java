package dev.jobq.examples.docs;

import static dev.jobq.examples.docs.SemanticsSnippetsTest.awaitEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.Backoff;
import dev.jobq.DeadLetter;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.JobState;
import dev.jobq.NonRetryableJobException;
import dev.jobq.internal.config.WorkerSettings;
import dev.jobq.internal.worker.Worker;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.scheduler.jdbc.JdbcSchedulerFactory;
import dev.jobq.sqs.SqsProviderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What docs/semantics.md says of every provider, checked against the code on the memory provider (the
 * SQS side is {@code SqsSemanticsClaimsTest} in provider-sqs): each test reads the sentence, row or
 * number it checks from the page, so that the page cannot drift from the product unnoticed.
 */
class SemanticsClaimsTest {

    static final String PAGE = DocPage.of("docs/semantics.md").text();

    record Work(String what) {}

    record Line(int quantity) {}

    record Order(String id, List<Line> lines) {}

    /** The text of the section under {@code heading} (a "## " heading), up to the next one. */
    static String section(String heading) {
        int at = PAGE.indexOf("\n## " + heading + "\n");
        assertThat(at).as("docs/semantics.md has a section '%s'", heading).isNotNegative();
        int end = PAGE.indexOf("\n## ", at + 1);
        return PAGE.substring(at + 1, end < 0 ? PAGE.length() : end);
    }

    /** The page's text with its lines joined by spaces, as a reader reads a paragraph. */
    static String flat(String text) {
        return text.replaceAll("\\s*\n\\s*", " ");
    }

    @Test
    void everyDefaultAndBoundThePageNamesIsTheCodes() {
        String page = flat(PAGE);
        Map<String, List<Object>> numbers = new LinkedHashMap<>();
        numbers.put("the total number of runs including the first (default 3)",
                List.of(JobOptions.DEFAULT_MAX_ATTEMPTS, 3));
        numbers.put("Every attempt has a timeout (`EnqueueOptions.timeout`, default 30 s;",
                List.of(JobOptions.DEFAULT_TIMEOUT, Duration.ofSeconds(30)));
        numbers.put("Lower numbers run first (default 0)", List.of(JobOptions.DEFAULT_PRIORITY, 0));
        numbers.put("`1 s · 2^(n−1)`, capped at 1 hour, plus up to 20 % random jitter",
                List.of(List.of(Backoff.DEFAULT_BASE, Backoff.DEFAULT_CAP, Backoff.DEFAULT_JITTER),
                        List.of(Duration.ofSeconds(1), Duration.ofHours(1), 0.2)));
        numbers.put("The factories refuse a delay over 365 days (`Backoff.MAX_DELAY`",
                List.of(Backoff.MAX_DELAY, Duration.ofDays(365)));
        numbers.put("for up to `shutdownTimeout` (default 30 s)",
                List.of(WorkerSettings.DEFAULT_SHUTDOWN_TIMEOUT, Duration.ofSeconds(30)));
        numbers.put("waits up to 5 ms for that next job", List.of(Worker.NEXT_JOB_WAIT, Duration.ofMillis(5)));
        numbers.put("| payload limit | `maxPayloadBytes` (1 MiB) | `maxPayloadBytes` (1 MiB, down to 256 KiB)",
                List.of(List.of(MemoryProviderFactory.DEFAULT_MAX_PAYLOAD_BYTES, SqsProviderFactory.DEFAULT_MAX_PAYLOAD_BYTES),
                        List.of(1 << 20, 1 << 20)));
        numbers.put("(`Capabilities.maxDelay`: memory any, SQS standard 15 minutes, SQS FIFO none)",
                List.of(SqsProviderFactory.MAX_DELAY, Duration.ofMinutes(15)));
        numbers.put("bounded by the scheduler's `lockTimeout` (10 s)",
                List.of(JdbcSchedulerFactory.DEFAULT_LOCK_TIMEOUT, Duration.ofSeconds(10)));
        numbers.put("| trace id | call, scheduler, message | 1 to 255 characters",
                List.of(EnqueueOptions.MAX_TRACE_ID, 255));
        numbers.put("| queue name | configuration (file, builder) | not blank, at most 255 characters",
                List.of(JobOptions.MAX_QUEUE_NAME, 255));
        numbers.forEach((phrase, codeAndPage) -> {
            assertThat(page.contains(phrase)).as("docs/semantics.md says: %s", phrase).isTrue();
            assertThat(codeAndPage.get(0)).as("the code's value behind '%s'", phrase).isEqualTo(codeAndPage.get(1));
        });
    }

    @Test
    void theEventsThePageListsAreJobEventsKinds() {
        Matcher listed = Pattern.compile("receives a `JobEvent` for each step — (.*?) — in the process")
                .matcher(flat(PAGE));
        assertThat(listed.find()).as("the page's list of events").isTrue();
        List<String> names = new ArrayList<>();
        Matcher name = Pattern.compile("`([A-Z][A-Za-z]+)`").matcher(listed.group(1));
        while (name.find()) {
            names.add(name.group(1));
        }
        List<String> kinds = Arrays.stream(JobEvent.class.getPermittedSubclasses()).map(Class::getSimpleName).toList();
        assertThat(names).containsExactlyInAnyOrderElementsOf(kinds);
    }

    @Test
    void theStatesThePageListsAreJobStates() {
        Matcher listed = Pattern.compile("`state\\(\\)` \\((.*?)\\)").matcher(flat(PAGE));
        assertThat(listed.find()).as("the page's list of states").isTrue();
        List<String> names = Arrays.stream(listed.group(1).split(",\\s*")).map(s -> s.replace("`", "").strip()).toList();
        assertThat(names).containsExactlyElementsOf(Arrays.stream(JobState.values()).map(Enum::name).toList());
    }

    /** "Whatever a handler throws … `IllegalStateException: no rows (caused by SQLException: timeout)`." */
    @Test
    void theErrorsTextIsItsSimpleClassNameAndMessageWithItsRootCauses() throws Exception {
        Matcher example = Pattern.compile("with its root cause's: `([^`]+)`").matcher(flat(PAGE));
        assertThat(example.find()).as("the page's example of an error's text").isTrue();
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                throw new IllegalStateException("no rows", new RuntimeException("query failed", new SQLException("timeout")));
            });
            jobs.start();
            String id = jobs.enqueue("work:do", new Work("x"), EnqueueOptions.builder().maxAttempts(2).build());
            JobEvent.Failed failed = awaitEvent(events, JobEvent.Failed.class);
            assertThat(failed.error()).isEqualTo(example.group(1));
            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            DeadLetter letter = jobs.deadLetters("default").orElseThrow().list(10).get(0);
            assertThat(letter.job().id()).isEqualTo(id);
            assertThat(dead.error()).as("the Dead event's error").isEqualTo(letter.error());
            assertThat(dead.error()).as("the Dead event's error").isEqualTo(example.group(1) + " (attempt 2 of 2)");
        }
    }

    /** "A dead job's error adds the attempt it died on …, a `NonRetryableJobException`'s starts with …, and …". */
    @Test
    void aDeadJobsErrorNamesItsLastAttempt_aNonRetryableOnesSaysSo_andATimeoutsSaysHowLong() throws Exception {
        Matcher forms = Pattern.compile("A dead job's error adds the attempt it died on \\(`… \\(attempt 3 of 3\\)`\\), a "
                + "`NonRetryableJobException`'s starts with `([^`]+)`, and an attempt that ran past its timeout says "
                + "`(timed out after )30s`").matcher(flat(PAGE));
        assertThat(forms.find()).as("the page says what a dead job's error adds").isTrue();
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:never", Work.class, (job, ctx) -> {
                throw new NonRetryableJobException("card declined");
            });
            jobs.registerJobHandler("work:slow", Work.class, (job, ctx) -> new java.util.concurrent.CountDownLatch(1).await());
            jobs.start();
            jobs.enqueue("work:never", new Work("x"));
            assertThat(awaitEvent(events, JobEvent.Dead.class).error())
                    .isEqualTo(forms.group(1) + "NonRetryableJobException: card declined");
            jobs.enqueue("work:slow", new Work("x"), EnqueueOptions.builder().timeout(Duration.ofMillis(250)).build());
            assertThat(awaitEvent(events, JobEvent.Failed.class).error()).isEqualTo(forms.group(2) + "250ms");
            assertThat(awaitEvent(events, JobEvent.Dead.class).error()).isEqualTo(forms.group(2) + "250ms (attempt 3 of 3)");
        }
    }

    @Test
    void theRowsOfTheOutcomesTableEndWithTheEventTheyName() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.fixed(Duration.ofMillis(10))).listener(events::add)
                .build()) {
            jobs.registerJobHandler("work:return", Work.class, (job, ctx) -> { });
            jobs.registerJobHandler("work:throw", Work.class, (job, ctx) -> {
                throw new IllegalStateException("down");
            });
            jobs.registerJobHandler("work:never", Work.class, (job, ctx) -> {
                throw new NonRetryableJobException("never");
            });
            jobs.start();
            String returns = jobs.enqueue("work:return", new Work("x"));
            assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(returns);
            assertThat(jobs.getJob(returns).orElseThrow().state()).isEqualTo(JobState.COMPLETED);

            String throwsAgain = jobs.enqueue("work:throw", new Work("x"), EnqueueOptions.builder().maxAttempts(2).build());
            JobEvent.Failed failed = awaitEvent(events, JobEvent.Failed.class);
            assertThat(failed.jobId()).isEqualTo(throwsAgain);
            assertThat(failed.retryIn()).isEqualTo(Duration.ofMillis(10));
            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            assertThat(dead.jobId()).isEqualTo(throwsAgain);
            assertThat(dead.attempt()).isEqualTo(2);

            String nonRetryable = jobs.enqueue("work:never", new Work("x"));
            JobEvent.Dead atOnce = awaitEvent(events, JobEvent.Dead.class, e -> {
                if (!(e instanceof JobEvent.Enqueued || e instanceof JobEvent.Started)) {
                    throw new AssertionError("no retry before a NonRetryableJobException's Dead: " + e);
                }
            });
            assertThat(atOnce.jobId()).isEqualTo(nonRetryable);
            assertThat(atOnce.attempt()).isEqualTo(1);
        }
    }

    /**
     * "Only the exception the handler throws is looked at: a `NonRetryableJobException` (or a subclass) thrown as it is
     * dead-letters the job at once, but one wrapped as the cause of another … fails the attempt as any exception does".
     */
    @Test
    void onlyTheThrownExceptionIsReadForNonRetryable_aSubclassCounts_aWrappedOneIsRetried() throws Exception {
        assertThat(flat(PAGE)).contains("Only the exception the handler throws is looked at: a "
                + "`NonRetryableJobException` (or a subclass) thrown as it is dead-letters the job at once, but one "
                + "wrapped as the cause of another (a `CompletionException` from a future's `join()`");
        class CardDeclined extends NonRetryableJobException {
            CardDeclined() {
                super("card declined");
            }
        }
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:subclass", Work.class, (job, ctx) -> {
                throw new CardDeclined();
            });
            jobs.registerJobHandler("work:wrapped", Work.class, (job, ctx) -> {
                throw new java.util.concurrent.CompletionException(new NonRetryableJobException("card declined"));
            });
            jobs.start();
            jobs.enqueue("work:subclass", new Work("x"), EnqueueOptions.builder().maxAttempts(2).build());
            JobEvent.Dead subclass = awaitEvent(events, JobEvent.Dead.class, e -> {
                assertThat(e).as("no retry before a subclass's Dead").isNotInstanceOf(JobEvent.Failed.class);
            });
            assertThat(subclass.attempt()).isEqualTo(1);
            assertThat(subclass.error()).isEqualTo("not retryable: CardDeclined: card declined");

            jobs.enqueue("work:wrapped", new Work("x"), EnqueueOptions.builder().maxAttempts(2).build());
            JobEvent.Failed retried = awaitEvent(events, JobEvent.Failed.class);
            assertThat(retried.error()).as("a wrapped one fails the attempt as any exception does")
                    .startsWith("CompletionException: ").endsWith("(caused by NonRetryableJobException: card declined)");
            JobEvent.Dead wrapped = awaitEvent(events, JobEvent.Dead.class);
            assertThat(wrapped.attempt()).as("retried while attempts remain").isEqualTo(2);
        }
    }

    /** "`maxAttempts: 1` means no retry"; the default runs a failing job 3 times. */
    @Test
    void aJobFailingEveryTimeRunsMaxAttemptsTimes() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var runs = new AtomicInteger();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                runs.incrementAndGet();
                throw new IllegalStateException("down");
            });
            jobs.start();
            jobs.enqueue("work:do", new Work("default"));
            assertThat(awaitEvent(events, JobEvent.Dead.class).attempt()).isEqualTo(JobOptions.DEFAULT_MAX_ATTEMPTS);
            assertThat(runs).hasValue(3);
            jobs.enqueue("work:do", new Work("once"), EnqueueOptions.builder().maxAttempts(1).build());
            assertThat(awaitEvent(events, JobEvent.Dead.class).attempt()).isEqualTo(1);
            assertThat(runs).hasValue(4);
        }
    }

    /** The Backoff section's default: 1 s · 2^(n−1), capped at 1 hour, plus up to 20 % that only adds. */
    @Test
    void theDefaultBackoffIsExponentialCappedWithJitterThatOnlyAdds() {
        Backoff backoff = Backoff.defaultBackoff();
        for (int n = 1; n <= 40; n++) {
            Duration base = Duration.ofSeconds(Math.min(1L << Math.min(n - 1, 30), 3600));
            for (int i = 0; i < 50; i++) {
                Duration delay = backoff.delay(n);
                assertThat(delay).as("after attempt %d", n).isBetween(base, base.plusMillis(base.toMillis() / 5));
            }
        }
    }

    @Test
    void aBackoffThatMisbehavesIsReplacedOrClampedForThatRetry() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            jobs.registerJobHandler("work:negative", Work.class, (job, ctx) -> {
                throw new IllegalStateException("down");
            }, failedAttempt -> Duration.ofSeconds(-5));
            jobs.registerJobHandler("work:throwing", Work.class, (job, ctx) -> {
                throw new IllegalStateException("down");
            }, failedAttempt -> {
                throw new ArithmeticException("bad backoff");
            });
            jobs.start();
            jobs.enqueue("work:negative", new Work("x"), EnqueueOptions.builder().maxAttempts(2).build());
            assertThat(awaitEvent(events, JobEvent.Failed.class).retryIn()).as("a negative delay: at once")
                    .isEqualTo(Duration.ZERO);
            String throwing = jobs.enqueue("work:throwing", new Work("x"), EnqueueOptions.builder().maxAttempts(2).build());
            JobEvent.Failed failed = awaitEvent(events, JobEvent.Failed.class, e -> { });
            while (!failed.jobId().equals(throwing)) {
                failed = awaitEvent(events, JobEvent.Failed.class, e -> { });
            }
            assertThat(failed.retryIn()).as("the default backoff after attempt 1")
                    .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1200));
        }
    }

    @Test
    void theBackoffFactoriesRefuseADelayOverMaxDelayNamingIt() {
        Duration tooLong = Backoff.MAX_DELAY.plusDays(1);
        for (Runnable factory : List.<Runnable>of(() -> Backoff.fixed(tooLong),
                () -> Backoff.exponential(Duration.ofSeconds(1), tooLong), () -> Backoff.list(Duration.ZERO, tooLong))) {
            assertThatThrownBy(factory::run).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Backoff.MAX_DELAY");
        }
    }

    /** The unknown type's reason, as the page quotes it with its "…" for the registered types. */
    @Test
    void anUnknownTypeIsDeadAtOnceWithTheReasonThePageQuotes() throws Exception {
        Matcher quoted = Pattern.compile("\\*\\*Unknown job type\\*\\* \\(no handler registered in this worker\\): `([^`]+)`")
                .matcher(flat(section("Jobs that cannot run")));
        assertThat(quoted.find()).as("the page quotes the reason").isTrue();
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start();
            String id = jobs.enqueue("x", new Work("x"));
            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            assertThat(dead.jobId()).isEqualTo(id);
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.error()).matches(asPattern(quoted.group(1)));
            assertThat(dead.error()).contains("(registered: work:do)");
        }
    }

    /** The unreadable payload's reason, with the page's example of a field. */
    @Test
    void anUnreadablePayloadIsDeadAtOnceWithTheReasonThePageQuotes() throws Exception {
        String text = flat(section("Jobs that cannot run"));
        Matcher example = Pattern.compile("``… as (com\\.example\\.Order): (field 'lines\\[1\\]\\.quantity': .*?) …``")
                .matcher(text);
        assertThat(example.find()).as("the page's example").isTrue();
        Matcher hint = Pattern.compile("then `(; if a newer producer wrote it, [^`]+)`").matcher(text);
        assertThat(hint.find()).as("the page's advice").isTrue();
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            jobs.registerJobHandler("order:place", Order.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("order:place", Map.of("id", "o-1", "lines", List.of(Map.of("quantity", 1), Map.of("quantity", "many"))));
            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            assertThat(dead.attempt()).isEqualTo(1);
            assertThat(dead.error()).startsWith("payload cannot be read as " + Order.class.getName() + ": "
                    + example.group(2));
            assertThat(dead.error()).endsWith(hint.group(1));
        }
    }

    @Test
    void aPayloadEncodedTwiceGetsAReasonThatSaysSo() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            jobs.registerJobHandler("order:place", Order.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("order:place", "{\"id\":\"o-1\",\"lines\":[]}");
            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            assertThat(dead.error()).contains("encoded").doesNotContain("redrive this dead letter");
        }
    }

    /** "After the worker has stopped, `enqueue` throws `JobQueueException` (`this JobQueue is closed`)". */
    @Test
    void anEnqueueAfterCloseThrowsWithTheMessageThePageQuotes() {
        Matcher quoted = Pattern.compile("`enqueue` throws `JobQueueException` \\(`([^`]+)`\\)").matcher(flat(PAGE));
        assertThat(quoted.find()).isTrue();
        JobQueue jobs = JobQueue.builder().build();
        jobs.close();
        assertThatThrownBy(() -> jobs.enqueue("work:do", new Work("x"))).isInstanceOf(JobQueueException.class)
                .hasMessageStartingWith(quoted.group(1));
    }

    /** Every test the Limits table names in its "checked by" column exists, with the method it names. */
    @Test
    void everyTestTheLimitsTableNamesExists() throws IOException {
        List<String> rows = section("Limits").lines().filter(l -> l.startsWith("| ") && !l.startsWith("| field") && !l.startsWith("| ---")).toList();
        assertThat(rows).hasSizeGreaterThan(20);
        Map<String, List<Path>> sources = new LinkedHashMap<>();
        DocPage.javaSources().stream().filter(p -> p.toString().contains("/src/test/java/"))
                .forEach(p -> sources.computeIfAbsent(p.getFileName().toString().replace(".java", ""),
                        k -> new ArrayList<>()).add(p));
        int checked = 0;
        for (String row : rows) {
            String[] cells = row.split(" \\| ");
            String checkedBy = cells[cells.length - 1];
            assertThat(checkedBy).as("the row %s names a test", row).contains("`");
            String current = null;
            Matcher name = Pattern.compile("`([A-Z][A-Za-z0-9]*)?\\.([a-z][A-Za-z0-9_]*)`").matcher(checkedBy);
            while (name.find()) {
                current = name.group(1) != null ? name.group(1) : current;
                assertThat(current).as("a class before %s", name.group()).isNotNull();
                assertThat(sources).as("a test class %s", current).containsKey(current);
                String method = name.group(2);
                boolean found = false;
                for (Path p : sources.get(current)) {
                    found |= Pattern.compile("void " + method + "\\(").matcher(Files.readString(p)).find();
                }
                assertThat(found).as("%s.%s exists", current, method).isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(50);
    }

    private static JobQueue withScheduler(String name, LinkedBlockingQueue<JobEvent> events) {
        return JobQueue.builder().listener(events::add)
                .scheduler("jdbc", Map.of("enabled", "true", "jdbcUrl", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1"))
                .build();
    }

    /** "the error of the latest failed attempt (kept after a later success)". */
    @Test
    void getJobKeepsTheLatestFailedAttemptsErrorAfterALaterSuccess() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var runs = new AtomicInteger();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                if (runs.incrementAndGet() == 1) {
                    throw new IllegalStateException("first try");
                }
            });
            jobs.start();
            String id = jobs.enqueue("work:do", new Work("x"));
            awaitEvent(events, JobEvent.Completed.class);
            var info = jobs.getJob(id).orElseThrow();
            assertThat(info.state()).isEqualTo(JobState.COMPLETED);
            assertThat(info.attempts()).isEqualTo(2);
            assertThat(info.lastError()).isEqualTo("IllegalStateException: first try");
        }
    }

    /** "`at(...)` takes instants in the years 1 to 9999 … and refuses others when the options are built". */
    @Test
    void atTakesTheYears1To9999AndRefusesOthersWhenBuilt() {
        assertThat(flat(PAGE).contains("`at(...)` takes instants in the years 1 to 9999")).as("the page says so").isTrue();
        EnqueueOptions.at(Instant.parse("9999-12-31T23:59:59.999Z"));
        EnqueueOptions.at(Instant.parse("0001-01-01T00:00:00Z"));
        assertThatThrownBy(() -> EnqueueOptions.at(Instant.parse("+10000-01-01T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EnqueueOptions.at(Instant.parse("0000-12-31T23:59:59Z")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** "An instant that has passed runs the job at once", with a scheduler and without. */
    @Test
    void anInstantThatHasPassedRunsTheJobAtOnce() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue plain = JobQueue.builder().listener(events::add).build();
             JobQueue scheduled = withScheduler("semantics-passed", events)) {
            for (JobQueue jobs : List.of(plain, scheduled)) {
                jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
                jobs.start();
                String id = jobs.enqueue("work:do", new Work("x"), EnqueueOptions.at(Instant.now().minusSeconds(3600)));
                JobEvent.Completed done = awaitEvent(events, JobEvent.Completed.class);
                assertThat(done.jobId()).isEqualTo(id);
            }
        }
    }

    /** "A job for an instant … goes to the scheduler whenever one is configured, whatever the provider could hold". */
    @Test
    void aJobForAnInstantGoesToTheSchedulerWhenThereIsOne() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = withScheduler("semantics-instant", events)) {
            String id = jobs.enqueue("work:do", new Work("x"), EnqueueOptions.at(Instant.now().plusSeconds(120)));
            JobEvent.Enqueued enqueued = awaitEvent(events, JobEvent.Enqueued.class);
            assertThat(enqueued.jobId()).isEqualTo(id);
            assertThat(enqueued.viaScheduler()).isTrue();
            assertThat(jobs.getJob(id).orElseThrow().state()).isEqualTo(JobState.DELAYED);
            String delayed = jobs.enqueue("work:do", new Work("y"), EnqueueOptions.delay(Duration.ofSeconds(120)));
            JobEvent.Enqueued byDelay = awaitEvent(events, JobEvent.Enqueued.class);
            assertThat(byDelay.jobId()).isEqualTo(delayed);
            assertThat(byDelay.viaScheduler()).as("a delay the memory provider holds").isFalse();
        }
    }

    /** "The memory provider holds delays of any length (a job 40 days out is not delivered early)." */
    @Test
    void theMemoryProviderHoldsADelayOf40DaysWithoutDeliveringItEarly() throws Exception {
        var clock = dev.jobq.testing.SettableClock.atEpochOf2026();
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().clock(clock).listener(events::add).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start();
            String id = jobs.enqueue("work:do", new Work("x"), EnqueueOptions.delay(Duration.ofDays(40)));
            clock.advance(Duration.ofDays(40).minusSeconds(1));
            assertThat(jobs.getJob(id).orElseThrow().state()).isEqualTo(JobState.DELAYED);
            clock.advance(Duration.ofSeconds(1));
            assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(id);
        }
    }

    /** "Once it has completed or died, the key is free again". */
    @Test
    void aDeduplicationKeyIsFreeAgainOnceItsJobCompletedOrDied() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("work:ok", Work.class, (job, ctx) -> { });
            jobs.registerJobHandler("work:fail", Work.class, (job, ctx) -> {
                throw new IllegalStateException("down");
            });
            EnqueueOptions keyed = EnqueueOptions.builder().deduplicationKey("k").maxAttempts(1).build();
            String first = jobs.enqueue("work:ok", new Work("1"), keyed);
            assertThat(jobs.enqueue("work:ok", new Work("2"), keyed)).isEqualTo(first);
            jobs.start();
            awaitEvent(events, JobEvent.Completed.class);
            String second = jobs.enqueue("work:fail", new Work("3"), keyed);
            assertThat(second).isNotEqualTo(first);
            awaitEvent(events, JobEvent.Dead.class);
            assertThat(jobs.enqueue("work:ok", new Work("4"), keyed)).isNotEqualTo(second);
        }
    }

    /** Deduplication across the two stores, each way. */
    @Test
    void aKeyHeldByTheSchedulerOrTheProviderReturnsThatJobsIdFromTheOther() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = withScheduler("semantics-dedup", events)) {
            EnqueueOptions later = EnqueueOptions.builder().deduplicationKey("held").scheduledFor(Instant.now().plusSeconds(600))
                    .build();
            String held = jobs.enqueue("work:do", new Work("later"), later);
            assertThat(jobs.enqueue("work:do", new Work("now"), EnqueueOptions.builder().deduplicationKey("held").build()))
                    .isEqualTo(held);
            String waiting = jobs.enqueue("work:do", new Work("now"), EnqueueOptions.builder().deduplicationKey("waiting")
                    .build());
            assertThat(jobs.enqueue("work:do", new Work("later"), EnqueueOptions.builder().deduplicationKey("waiting")
                    .scheduledFor(Instant.now().plusSeconds(600)).build())).isEqualTo(waiting);
            assertThat(jobs.scheduler().listScheduled(10)).hasSize(1);
        }
    }

    /** "A default queue that is not configured is refused at registration, naming the configured ones." */
    @Test
    void aTypesDefaultQueueThatIsNotConfiguredIsRefusedAtRegistration() {
        try (JobQueue jobs = JobQueue.builder().queue("reports", "memory", Map.of()).build()) {
            assertThatThrownBy(() -> jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { },
                    dev.jobq.HandlerOptions.defaults().queue("nope")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope")
                    .hasMessageContaining("default").hasMessageContaining("reports");
        }
    }

    static <T> com.fasterxml.jackson.core.type.TypeReference<List<T>> listOf() {
        return new com.fasterxml.jackson.core.type.TypeReference<List<T>>() { };
    }

    /** "one made inside a generic method … is refused when registered". */
    @Test
    void aTypeReferenceMadeInsideAGenericMethodIsRefusedWhenRegistered() {
        try (JobQueue jobs = JobQueue.builder().build()) {
            assertThatThrownBy(() -> jobs.<List<Work>>registerJobHandler("work:do", SemanticsClaimsTest.<Work>listOf(),
                    (job, ctx) -> { })).isInstanceOf(IllegalArgumentException.class);
            jobs.registerJobHandler("work:list", new com.fasterxml.jackson.core.type.TypeReference<List<Work>>() { },
                    (job, ctx) -> { });
        }
    }

    /** "Called from a handler …, `close()` begins the shutdown and returns at once". */
    @Test
    void closeCalledFromAHandlerReturnsAtOnceAndTheDrainWaitsForIt() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var returned = new java.util.concurrent.CountDownLatch(1);
        JobQueue jobs = JobQueue.builder().listener(events::add).build();
        jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
            jobs.close();
            returned.countDown();
        });
        jobs.start();
        String id = jobs.enqueue("work:do", new Work("x"));
        assertThat(returned.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(id);
        awaitEvent(events, JobEvent.WorkerStopped.class);
        jobs.close();
    }

    /** "`Progress` … no `Progress` event follows an attempt's `Failed`, `Dead` or `Released`." */
    @Test
    void noProgressFollowsATimedOutAttemptsFailed() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var timedOut = new java.util.concurrent.CountDownLatch(1);
        var reported = new java.util.concurrent.CountDownLatch(1);
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.fixed(Duration.ofMinutes(5))).listener(events::add)
                .listener(e -> {
                    if (e instanceof JobEvent.Failed) {
                        timedOut.countDown();
                    }
                }).build()) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                ctx.progress(10);
                while (timedOut.getCount() > 0) {
                    try {
                        timedOut.await();
                    } catch (InterruptedException ignored) {
                        // keeps going, as a handler that ignores the interrupt does
                    }
                }
                ctx.progress(90);
                reported.countDown();
            });
            jobs.start();
            jobs.enqueue("work:do", new Work("x"), EnqueueOptions.builder().timeout(Duration.ofMillis(200)).build());
            assertThat(awaitEvent(events, JobEvent.Progress.class).percent()).isEqualTo(10);
            awaitEvent(events, JobEvent.Failed.class);
            assertThat(reported.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            jobs.close();
            assertThat(events).noneMatch(e -> e instanceof JobEvent.Progress || e instanceof JobEvent.Completed);
        }
    }

    /** "its handler has it as `ctx.traceId()` and in the MDC (`traceId`), also after retries and when the scheduler held the job". */
    @Test
    void theTraceIdFollowsTheJobThroughRetriesAndTheScheduler() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (JobQueue jobs = withScheduler("semantics-trace", events)) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
                seen.add(job.payload().what() + "@" + ctx.attempt() + "=" + ctx.traceId().orElse("none") + "/"
                        + org.slf4j.MDC.get("traceId"));
                if (ctx.attempt() == 1 && job.payload().what().equals("retried")) {
                    throw new IllegalStateException("once");
                }
            }, Backoff.none());
            jobs.start();
            jobs.enqueue("work:do", new Work("retried"), EnqueueOptions.builder().traceId("t-1").build());
            jobs.enqueue("work:do", new Work("held"), EnqueueOptions.builder().traceId("t-2")
                    .scheduledFor(Instant.now().plusMillis(300)).build());
            awaitEvent(events, JobEvent.Completed.class);
            awaitEvent(events, JobEvent.Completed.class);
            assertThat(seen).containsExactlyInAnyOrder("retried@1=t-1/t-1", "retried@2=t-1/t-1", "held@1=t-2/t-2");
        }
    }

    /** "When `cancel` returns false, `jobs.scheduler().status(id)` says why: `ENQUEUED`…, `CANCELLED`…, or empty". */
    @Test
    void whenCancelReturnsFalseStatusSaysWhy() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = withScheduler("semantics-cancel", events)) {
            jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> { });
            jobs.start(); // the scheduler fires in a started JobQueue
            String held = jobs.scheduler().schedule("work:do", new Work("x"), Instant.now().plusSeconds(600));
            assertThat(jobs.scheduler().cancel(held)).isTrue();
            assertThat(jobs.scheduler().cancel(held)).isFalse();
            assertThat(jobs.scheduler().status(held)).contains(dev.jobq.ScheduledJobInfo.Status.CANCELLED);
            String due = jobs.scheduler().schedule("work:do", new Work("y"), Instant.now().minusSeconds(1));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> jobs.scheduler().status(due).orElseThrow() == dev.jobq.ScheduledJobInfo.Status.ENQUEUED);
            assertThat(jobs.scheduler().cancel(due)).isFalse();
            assertThat(jobs.scheduler().status("no-such-id")).isEmpty();
        }
    }

    /** "Enqueueing stays open until then, so a handler that finishes during the drain can enqueue its follow-up jobs". */
    @Test
    void aHandlerFinishingDuringTheDrainCanEnqueueItsFollowUp() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var running = new java.util.concurrent.CountDownLatch(1);
        var closing = new java.util.concurrent.CountDownLatch(1);
        var followUp = new java.util.concurrent.atomic.AtomicReference<Object>();
        JobQueue jobs = JobQueue.builder().shutdownTimeout(Duration.ofSeconds(10)).listener(events::add).build();
        jobs.registerJobHandler("work:do", Work.class, (job, ctx) -> {
            running.countDown();
            closing.await();
            try {
                followUp.set(ctx.queue().enqueue("work:next", new Work("next")));
            } catch (RuntimeException e) {
                followUp.set(e);
            }
        });
        jobs.start();
        jobs.enqueue("work:do", new Work("x"));
        assertThat(running.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofVirtual().start(jobs::close);
        awaitStopping(closer);
        closing.countDown();
        closer.join(Duration.ofSeconds(15));
        assertThat(closer.isAlive()).isFalse();
        assertThat(followUp.get()).as("the follow-up's id").isInstanceOf(String.class);
        assertThatThrownBy(() -> jobs.enqueue("work:next", new Work("late"))).isInstanceOf(JobQueueException.class);
    }

    /** Waits until {@code closer} is inside close(), waiting for the drain. */
    private static void awaitStopping(Thread closer) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> closer.getState() == Thread.State.WAITING
                || closer.getState() == Thread.State.TIMED_WAITING);
    }

    /** "A handler that ignores the interrupt keeps its virtual thread and its concurrency permit until it returns". */
    @Test
    void aHandlerIgnoringItsTimeoutsInterruptKeepsItsPermitUntilItReturns() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var letGo = new java.util.concurrent.CountDownLatch(1);
        try (JobQueue jobs = JobQueue.builder().concurrency(1).backoff(Backoff.fixed(Duration.ofMinutes(5)))
                .listener(events::add).build()) {
            jobs.registerJobHandler("work:deaf", Work.class, (job, ctx) -> {
                while (letGo.getCount() > 0) {
                    try {
                        letGo.await();
                    } catch (InterruptedException ignored) {
                        // deaf to the timeout's interrupt
                    }
                }
            });
            jobs.registerJobHandler("work:next", Work.class, (job, ctx) -> { });
            jobs.start();
            jobs.enqueue("work:deaf", new Work("x"), EnqueueOptions.builder().timeout(Duration.ofMillis(100)).build());
            awaitEvent(events, JobEvent.Failed.class);
            String next = jobs.enqueue("work:next", new Work("y"));
            assertThat(events.poll(1, java.util.concurrent.TimeUnit.SECONDS)).as("nothing starts while the permit is held")
                    .matches(e -> e == null || e instanceof JobEvent.Enqueued);
            assertThat(jobs.getJob(next).orElseThrow().state()).isEqualTo(JobState.WAITING);
            letGo.countDown();
            assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(next);
        }
    }

    /** "It counts from the attempt's start (its `Started`), not from the receive: binding the payload … is not taken". */
    @Test
    void theTimeoutCountsFromTheStartNotFromBindingThePayload() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            // Binding and handler take 600 ms each, the two together more than the 1 s timeout; the binding has a
            // timeout of its own ("Binding the payload is part of the attempt all the same"), which it stays within.
            jobs.registerJobHandler("work:slowbind", SlowToBind.class, (job, ctx) -> SlowToBind.work());
            jobs.start();
            String id = jobs.enqueue("work:slowbind", Map.of("what", "x"),
                    EnqueueOptions.builder().maxAttempts(1).timeout(Duration.ofSeconds(1)).build());
            JobEvent.Completed done = awaitEvent(events, JobEvent.Completed.class, e -> {
                if (e instanceof JobEvent.Dead || e instanceof JobEvent.Failed) {
                    throw new AssertionError("the binding's time was taken from the handler: " + e);
                }
            });
            assertThat(done.jobId()).isEqualTo(id);
        }
    }

    /** A payload whose binding takes 600 ms, more than half the job's timeout. */
    record SlowToBind(String what) {
        SlowToBind {
            work();
        }

        static void work() {
            long until = System.nanoTime() + Duration.ofMillis(600).toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait(); // work that takes time, not a wait for something
            }
        }
    }

    /**
     * "The outcome is with the provider before `Completed` and `Dead` are announced; `Failed` is announced before the
     * retry is handed to the provider", and the Concurrency section, which said `Failed` too came after, agrees.
     */
    @Test
    void completedAndDeadComeAfterTheProviderHasTheOutcome_failedBeforeTheRetryIsHandedOn() throws Exception {
        String page = flat(PAGE);
        String listenerRow = "The outcome is with the provider before `Completed` and `Dead` are announced; `Failed` is "
                + "announced before the retry is handed to the provider";
        assertThat(page.contains(listenerRow)).as("the page says: %s", listenerRow).isTrue();
        String concurrency = flat(section("Concurrency"));
        String settled = "`Completed` and `Dead` still come after the provider has the outcome (`Failed` before it, as";
        assertThat(concurrency.contains(settled)).as("the Concurrency section says: %s", settled).isTrue();

        var events = new LinkedBlockingQueue<JobEvent>();
        Map<String, JobState> seen = new java.util.concurrent.ConcurrentHashMap<>();
        var queue = new java.util.concurrent.atomic.AtomicReference<JobQueue>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.fixed(Duration.ofMinutes(5))).listener(e -> {
            switch (e) {
                case JobEvent.Completed c -> seen.put("Completed", queue.get().getJob(c.jobId()).orElseThrow().state());
                case JobEvent.Failed f -> seen.put("Failed", queue.get().getJob(f.jobId()).orElseThrow().state());
                case JobEvent.Dead d -> seen.put("Dead", queue.get().getJob(d.jobId()).orElseThrow().state());
                default -> { }
            }
            events.add(e);
        }).build()) {
            queue.set(jobs);
            jobs.registerJobHandler("work:ok", Work.class, (job, ctx) -> { });
            jobs.registerJobHandler("work:fail", Work.class, (job, ctx) -> {
                throw new IllegalStateException("down");
            });
            jobs.start();
            jobs.enqueue("work:ok", new Work("x"));
            awaitEvent(events, JobEvent.Completed.class);
            jobs.enqueue("work:fail", new Work("y"), EnqueueOptions.builder().maxAttempts(2).build());
            awaitEvent(events, JobEvent.Failed.class);
            jobs.enqueue("work:fail", new Work("z"), EnqueueOptions.builder().maxAttempts(1).build());
            awaitEvent(events, JobEvent.Dead.class);
        }
        assertThat(seen).containsEntry("Completed", JobState.COMPLETED).containsEntry("Dead", JobState.DEAD)
                .as("the retry is not yet with the provider when Failed is heard").containsEntry("Failed", JobState.ACTIVE);
    }

    /** A page quote with "…" where anything may stand, as a regex. */
    static String asPattern(String quote) {
        return Arrays.stream(quote.split("…", -1)).map(Pattern::quote).reduce((a, b) -> a + ".*" + b).orElseThrow();
    }
}
