package dev.jobq.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobQueueException;
import dev.jobq.cli.AlteredProvider;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.CountingEndpoint;
import dev.jobq.cli.ReachableSqs;
import dev.jobq.cli.SharedQueue;
import dev.jobq.cli.UnreachableSqs;
import dev.jobq.cli.context.QueueOpener;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.localsqs.LocalSqs;
import dev.jobq.memory.MemoryProviderFactory;
import dev.jobq.spi.JobEnvelope;
import dev.jobq.spi.QueueProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobq dead-letters} on a running memory queue, and on a provider that keeps no dead letters. */
class DeadLettersCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    record Task(String name) {
    }

    @Test
    void listShowsAMessagesControlCharactersEscaped() {
        QueueProvider provider = MemoryProviderFactory.builder().build();
        JobQueue jobs = JobQueue.builder().provider(provider).environment(Map.of()).build();
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            throw new IllegalStateException("bad name " + job.payload().name());
        });
        jobs.start();
        try (var shared = new SharedQueue(jobs, dir)) {
            jobs.enqueue("task:run", new Task("\u001b[2J\rroot ok"), EnqueueOptions.builder().maxAttempts(1).build());
            // Another producer's message: enqueue refuses a type with a control character, the worker reads one.
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, "hostile-type", "t\u001b]0;pwned\u0007",
                    "{\"name\":\"x\"}", JobOptions.defaults(), 0, Instant.now(), null, null), Duration.ZERO);
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 2);

            var list = shared.run("dead-letters", "list");

            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).contains("bad name \\u001b[2J\\rroot ok", "t\\u001b]0;pwned\\u0007")
                    .doesNotContain("\u001b", "\r", "\u0007");
        }
    }

    @Test
    @DisplayName("list shows a dead job's error with the secrets of the URLs in it masked, also where the column cuts "
            + "the error before the URL's '@'")
    void listShowsTheSecretsOfUrlsInAnErrorMasked() {
        JobQueue jobs = JobQueue.builder().provider("memory").environment(Map.of()).build();
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            // as a driver words it: with the URL it was given; the column (120 characters) ends inside the password
            throw new IllegalStateException("a".repeat(40) + " postgresql://jobs:S3CRET" + "-x".repeat(60)
                    + "@db.internal:5432/app");
        });
        jobs.start();
        try (var shared = new SharedQueue(jobs, dir)) {
            jobs.enqueue("task:run", new Task("a"), EnqueueOptions.builder().maxAttempts(1).build());
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 1);

            var list = shared.run("dead-letters", "list");

            assertThat(list.exitCode()).as(list.err()).isZero();
            // Before, the password up to the cut: '… postgresql://jobs:S3CRET-…'
            assertThat(list.out()).contains(" postgresql://jobs:****@db.").doesNotContain("S3CRET");
        }
    }

    /** The column was cut at 119 chars of Java's, which could be half of an emoji: a terminal showed '?' for it. */
    @Test
    @DisplayName("list cuts a long error between characters, never inside an emoji")
    void listCutsALongErrorBetweenCharacters() {
        JobQueue jobs = JobQueue.builder().provider("memory").environment(Map.of()).build();
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            throw new IllegalStateException(job.payload().name() + "\uD83D\uDE00".repeat(80));
        });
        jobs.start();
        try (var shared = new SharedQueue(jobs, dir)) {
            // one of the two has the cut inside an emoji, whatever comes before the message in the error
            jobs.enqueue("task:run", new Task("x"), EnqueueOptions.builder().maxAttempts(1).build());
            jobs.enqueue("task:run", new Task("xy"), EnqueueOptions.builder().maxAttempts(1).build());
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 2);

            var list = shared.run("dead-letters", "list");

            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out().lines().skip(1)).hasSize(2).allSatisfy(row -> {
                assertThat(row).endsWith("\uD83D\uDE00…");
                assertThat(row.codePoints().filter(c -> Character.getType(c) == Character.SURROGATE)).as(row)
                        .isEmpty();
            });
        }
    }

    @Test
    void listRedriveAndDelete() {
        var failing = new AtomicBoolean(true);
        JobQueue jobs = JobQueue.builder().provider("memory").environment(Map.of()).build();
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            if (failing.get()) {
                throw new IllegalStateException("disk full");
            }
        });
        jobs.start();
        try (var shared = new SharedQueue(jobs, dir)) {
            String first = jobs.enqueue("task:run", new Task("a"), EnqueueOptions.builder().maxAttempts(1).build());
            String second = jobs.enqueue("task:run", new Task("b"), EnqueueOptions.builder().maxAttempts(1).build());
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 2);

            var list = shared.run("dead-letters", "list");
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).startsWith("ID")
                    .containsPattern(first + "\\s+task:run\\s+1\\s+\\S+Z\\s+.*disk full")
                    .containsPattern(second + "\\s+task:run\\s+1\\s");
            assertThat(shared.run("dead-letters", "list", "--limit", "1").out().lines()).hasSize(2);

            failing.set(false);
            var redriven = shared.run("dead-letters", "redrive", first);
            assertThat(redriven.exitCode()).isZero();
            assertThat(redriven.out()).startsWith("redriven " + first);
            await().atMost(WAIT).until(() -> jobs.stats("default").completed() == 1);

            assertThat(shared.run("dead-letters", "delete", second).out()).startsWith("deleted " + second);
            assertThat(jobs.stats("default").dead()).isZero();

            var unknown = shared.run("dead-letters", "delete", second);
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.err()).contains("jobq dead-letters delete: queue 'default' has no dead letter '"
                    + second + "'");
        }
    }

    /**
     * An unknown id is repeated as schedule cancel repeats one: escaped. An id read from a file ("$(cat id)") or pasted
     * with a terminal's escape sequence reached stderr raw: its newline split the line, its ESC repainted the terminal.
     */
    @Test
    void anUnknownIdIsRepeatedWithItsControlCharactersEscaped() {
        JobQueue jobs = JobQueue.builder().provider("memory").environment(Map.of()).build();
        try (var shared = new SharedQueue(jobs, dir)) {
            for (String command : List.of("redrive", "delete")) {
                var run = shared.run("dead-letters", command, "01J\u001b[31mX\n");

                assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
                assertThat(run.err()).as(command).contains("queue 'default' has no dead letter '01J\\u001b[31mX\\n'")
                        .doesNotContain("\u001b").hasLineCount(1);
            }
        }
    }

    /**
     * DeadLetters.redrive answers false for an unknown id and for a dead letter that a live job's id or deduplication
     * key stands in the way of: the command said of both that the queue has no such dead letter, while dead-letters
     * list showed it.
     */
    @Test
    @DisplayName("redrive of a dead letter whose deduplication key a live job holds says so, not that it is unknown, "
            + "and keeps it")
    void redriveRefusedForALiveJobsKeySaysWhy() {
        JobQueue jobs = JobQueue.builder().provider("memory").environment(Map.of()).build();
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            throw new IllegalStateException("disk full");
        });
        jobs.start();
        try (var shared = new SharedQueue(jobs, dir)) {
            String dead = jobs.enqueue("task:run", new Task("a"), EnqueueOptions.builder().maxAttempts(1)
                    .deduplicationKey("report:42").build());
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 1);
            jobs.enqueue("task:run", new Task("b"), EnqueueOptions.builder().deduplicationKey("report:42")
                    .delay(Duration.ofHours(1)).build());

            var run = shared.run("dead-letters", "redrive", dead);

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).startsWith("jobq dead-letters redrive: queue 'default' keeps dead letter '" + dead
                    + "' but did not redrive it: a job waiting, delayed or running on the queue has its id or its "
                    + "deduplication key").doesNotContain("has no dead letter");
            assertThat(shared.run("dead-letters", "list").out()).contains(dead);
        }
    }

    /**
     * The advice of a kept dead letter is a command to paste: without the {@code --config} the user gave, it read
     * {@code ./jobq.yaml} (or {@code $JOBQ_CONFIG}), another config, and so another queue, than the one that kept it.
     */
    @Test
    @DisplayName("the delete advice of a kept dead letter repeats the --config given, a shell word")
    void theDeleteAdviceOfAKeptDeadLetterRepeatsTheConfigGiven() throws Exception {
        JobQueue jobs = JobQueue.builder().provider("memory").environment(Map.of()).build();
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            throw new IllegalStateException("disk full");
        });
        jobs.start();
        try (jobs) {
            String dead = jobs.enqueue("task:run", new Task("a"), EnqueueOptions.builder().maxAttempts(1)
                    .deduplicationKey("report:42").build());
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 1);
            jobs.enqueue("task:run", new Task("b"), EnqueueOptions.builder().deduplicationKey("report:42")
                    .delay(Duration.ofHours(1)).build());
            Path config = Files.writeString(dir.resolve("prod jobs.yaml"), "provider:\n  type: memory\n");
            var context = CommandRun.context(Map.of(), builder -> QueueSession.borrowing(jobs));

            var run = CommandRun.in(context, "dead-letters", "redrive", dead, "--config", config.toString());
            var bare = CommandRun.in(CommandRun.context(Map.of("JOBQ_CONFIG", config.toString()),
                    builder -> QueueSession.borrowing(jobs)), "dead-letters", "redrive", dead);

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("(jobq dead-letters delete --config '" + config + "' --queue default "
                    + dead + ")");
            assertThat(bare.err()).as("$JOBQ_CONFIG, which the pasted command reads too")
                    .contains("(jobq dead-letters delete --queue default " + dead + ")");
        }
    }

    /**
     * A dead letter kept by a refused redrive is named as an unknown one is: escaped. Its id is another producer's
     * (jobq's own are UUIDs); the kept message and its advice "jobq dead-letters delete ID" repeated it raw, a newline
     * splitting the line and the advice not a command a shell would take.
     */
    @Test
    void aKeptDeadLetterWithAForeignIdIsNamedEscapedAndItsDeleteAdviceIsAShellArgument() {
        QueueProvider provider = MemoryProviderFactory.builder().build();
        JobQueue jobs = JobQueue.builder().provider(provider).environment(Map.of()).build();
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            throw new IllegalStateException("disk full");
        });
        jobs.start();
        try (var shared = new SharedQueue(jobs, dir)) {
            String foreign = "row-1\n\u001b[31mforged";
            provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, foreign, "task:run", "{\"name\":\"a\"}",
                    new JobOptions(1, JobOptions.DEFAULT_TIMEOUT, 0, "report:7", JobOptions.DEFAULT_QUEUE), 0,
                    Instant.now(), null, null), Duration.ZERO);
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 1);
            jobs.enqueue("task:run", new Task("b"), EnqueueOptions.builder().deduplicationKey("report:7")
                    .delay(Duration.ofHours(1)).build());

            var run = shared.run("dead-letters", "redrive", foreign);

            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).startsWith("jobq dead-letters redrive: queue 'default' keeps dead letter "
                    + "'row-1\\n\\u001b[31mforged' but did not redrive it")
                    .contains("(jobq dead-letters delete --config " + dir.resolve("shared.yaml")
                            + " --queue default $'row-1\\n\\u001b[31mforged')")
                    .doesNotContain("\u001b").hasLineCount(1);
        }
    }

    /**
     * The line a redrive or a delete prints when it is done repeats the id escaped, as its refusals do and as schedule
     * cancel's "cancelled ID" does: another producer's id, typed from a file ({@code "$(cat id)"}), split the line
     * with its newline and repainted the terminal with its ESC.
     */
    @Test
    void redrivenAndDeletedRepeatAForeignIdEscaped() {
        QueueProvider provider = MemoryProviderFactory.builder().build();
        JobQueue jobs = JobQueue.builder().provider(provider).environment(Map.of()).build();
        var failing = new AtomicBoolean(true);
        jobs.registerJobHandler("task:run", Task.class, (job, ctx) -> {
            if (failing.get()) {
                throw new IllegalStateException("disk full");
            }
        });
        jobs.start();
        try (var shared = new SharedQueue(jobs, dir)) {
            String redriven = "row-1\n\u001b[31mforged";
            String deleted = "row-2\r\u001b[2Jgone";
            for (String id : List.of(redriven, deleted)) {
                provider.enqueue(new JobEnvelope(JobEnvelope.CURRENT_VERSION, id, "task:run", "{\"name\":\"a\"}",
                        new JobOptions(1, JobOptions.DEFAULT_TIMEOUT, 0, null, JobOptions.DEFAULT_QUEUE), 0,
                        Instant.now(), null, null), Duration.ZERO);
            }
            await().atMost(WAIT).until(() -> jobs.stats("default").dead() == 2);
            failing.set(false);

            var redrive = shared.run("dead-letters", "redrive", redriven);
            var delete = shared.run("dead-letters", "delete", deleted);

            assertThat(redrive.exitCode()).as(redrive.err()).isZero();
            assertThat(redrive.out()).isEqualTo("redriven row-1\\n\\u001b[31mforged" + System.lineSeparator());
            assertThat(delete.exitCode()).as(delete.err()).isZero();
            assertThat(delete.out()).isEqualTo("deleted row-2\\r\\u001b[2Jgone" + System.lineSeparator());
        }
    }

    @Test
    void zeroLimitIsAUsageError() {
        try (var shared = new SharedQueue(JobQueue.builder().provider("memory").environment(Map.of()).build(), dir)) {
            var run = shared.run("dead-letters", "list", "--limit", "0");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("--limit must be ≥ 1, got 0");
        }
    }

    @Test
    void providerWithoutADeadLetterStoreSaysWhereToLook() {
        JobQueue jobs = JobQueue.builder().provider(new AlteredProvider(false)).environment(Map.of()).build();
        try (var shared = new SharedQueue(jobs, dir)) {
            var run = shared.run("dead-letters", "list");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("jobq dead-letters list: provider 'AlteredProvider' of queue 'default' does "
                    + "not keep its dead letters where jobq can list them").contains("dead-letter queue")
                    .contains("to run them again, move them back with SQS's redrive (aws sqs "
                            + "start-message-move-task, docs/sqs.md)");
        }
    }

    @Test
    void aMemoryQueueOfItsOwnSaysWhereAWorkersDeadLettersAre() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider:\n  type: memory\n");

        for (String[] command : List.of(new String[] {"list"}, new String[] {"redrive", "some-id"},
                new String[] {"delete", "some-id"})) {
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    Stream.of(Stream.of("dead-letters"), Stream.of(command), Stream.of("--config", file.toString()))
                            .flatMap(part -> part).toArray(String[]::new));

            assertThat(run.err()).as(String.join(" ", command)).contains("jobq dead-letters: note: queue 'default' is "
                    + "a memory queue (type: memory): it lives only in this command's process and ends with it; a "
                    + "worker's memory queue keeps its dead letters in the worker's process, where "
                    + "JobQueue.deadLetters lists, redrives and deletes them (docs/semantics.md)")
                    .doesNotContain("type: sqs");
        }
    }

    @Test
    @DisplayName("dead-letters does not open the scheduler's store, which it never reads: it works while that store "
            + "is out of reach (a database that is down, an H2 file a running worker holds), as stats does")
    void deadLettersWithoutTheSchedulersStore() throws Exception {
        Path file = Files.writeString(dir.resolve("scheduler-down.yaml"), """
                provider:
                  type: memory
                scheduler:
                  enabled: true
                  jdbcUrl: jdbc:postgresql://127.0.0.1:1/jobq
                  connectionTimeout: 1s
                """);

        for (String[] args : new String[][] {{"dead-letters", "list"}, {"dead-letters", "delete", "no-such-id"}}) {
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    Stream.concat(Stream.of(args), Stream.of("--config", file.toString())).toArray(String[]::new));

            assertThat(run.err()).as(String.join(" ", args)).doesNotContain("PostgreSQL");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(args[1].equals("list") ? 0 : 1);
        }
    }

    /**
     * An SQS queue with {@code deadLetter: discard} keeps no dead letters anywhere: the command sent its user to the
     * queue's dead-letter queue, which it does not have.
     */
    @Test
    void anSqsQueueThatDiscardsItsDeadJobsSaysSoRatherThanPointToADeadLetterQueue() throws Exception {
        try (LocalSqs sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0)) {
            String url = sqs.createQueue("discarding", Map.of());
            Path file = Files.writeString(dir.resolve("discard.yaml"), """
                    provider:
                      type: sqs
                      region: us-east-1
                      endpoint: %s
                      accessKeyId: test
                      secretAccessKey: test
                      queueUrl: %s
                      deadLetter: discard
                    """.formatted(sqs.endpoint(), url));

            var list = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "dead-letters", "list", "--config", file.toString());

            assertThat(list.exitCode()).as(list.err()).isEqualTo(2);
            assertThat(list.err()).contains("queue 'default' has deadLetter: discard: SQS deletes its dead jobs "
                    + "(each logged at WARN with a Dead event) and keeps none").doesNotContain("the queue's dead-letter queue");
        }
    }

    /**
     * A queue whose section says deadLetter: discard keeps no dead letters, which the file alone tells: with its SQS
     * out of reach the command waited out the SDK's retries and failed as SQS's failure (exit 1), and only once SQS
     * answered again said what was to fix, that there are none to list (exit 2).
     */
    @Test
    @DisplayName("dead-letters on a queue with deadLetter: discard says it keeps none (exit 2) also while its SQS is "
            + "out of reach")
    void aQueueThatDiscardsItsDeadJobsSaysSoWhileItsProviderIsOutOfReach() throws Exception {
        Path file = Files.writeString(dir.resolve("sqs-down.yaml"), """
                provider:
                %s
                """.formatted(UnreachableSqs.keys(2)));

        for (String[] args : new String[][] {{"list"}, {"redrive", "01a24358-6808-7909-a68a-18dff8e45dbd"},
                {"delete", "01a24358-6808-7909-a68a-18dff8e45dbd"}}) {
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), Stream.concat(
                    Stream.of("dead-letters"), Stream.concat(Stream.of(args), Stream.of("--config", file.toString())))
                    .toArray(String[]::new));

            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).as(args[0]).contains("queue 'default' has deadLetter: discard: SQS deletes its dead "
                    + "jobs (each logged at WARN with a Dead event) and keeps none").doesNotContain("127.0.0.1");
        }
    }

    /**
     * Dead letters are one queue's: the command opened every configured queue's provider, so another queue's SQS
     * out of reach failed it (exit 1) though the queue asked about was readable, as stats --queue did before.
     */
    @Test
    @DisplayName("dead-letters --queue Q works while another queue's provider is out of reach (SQS down)")
    void anotherQueuesProviderOutOfReachDoesNotFailTheCommand() throws Exception {
        Path file = Files.writeString(dir.resolve("one-down.yaml"), UnreachableSqs.remoteBesideMemory());
        var building = CommandRun.context(Map.of(), QueueOpener.building());

        var list = CommandRun.in(building, "dead-letters", "list", "--queue", "default", "--config", file.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("ID");
        assertThat(list.err()).contains("jobq dead-letters: note: queue 'default' is a memory queue")
                .doesNotContain("127.0.0.1");

        var delete = CommandRun.in(building, "dead-letters", "delete", "--queue", "default",
                "01a24358-6808-7909-a68a-18dff8e45dbd", "--config", file.toString());
        assertThat(delete.exitCode()).as(delete.err()).isEqualTo(1);
        assertThat(delete.err()).contains("queue 'default' has no dead letter '01a24358-6808-7909-a68a-18dff8e45dbd'");

        var unknown = CommandRun.in(building, "dead-letters", "list", "--queue", "nope", "--config", file.toString());
        assertThat(unknown.exitCode()).as(unknown.err()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown queue 'nope' (configured: default, remote)");
    }
    /**
     * jobq's SQS provider keeps no dead letters it can list (they are in the queue's dead-letter queue), which the
     * file's type tells: with the endpoint down the command connected, waited out the SDK's retries and failed as SQS's
     * failure (exit 1), while with SQS up it said where the dead letters are (exit 2), the doc's "a command the provider
     * cannot do". Before that, it had opened the queue twice (the whole file, then the queue alone).
     */
    @Test
    @DisplayName("dead-letters on an SQS queue says where its dead letters are (exit 2) without connecting, also while "
            + "its endpoint does not answer")
    void anSqsQueueSaysWhereItsDeadLettersAreWithoutConnecting() throws Exception {
        try (var endpoint = new CountingEndpoint()) {
            // without deadLetter: discard, which answers from the file before anything connects
            Path file = endpoint.remoteQueueFile(dir);
            Files.writeString(file, Files.readString(file).replace("    deadLetter: discard\n", ""));

            for (String[] args : new String[][] {{"list"}, {"redrive", "01a24358-6808-7909-a68a-18dff8e45dbd"},
                    {"delete", "01a24358-6808-7909-a68a-18dff8e45dbd"}}) {
                var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), Stream.of(
                        Stream.of("dead-letters"), Stream.of(args), Stream.of("--queue", "remote", "--config",
                                file.toString())).flatMap(part -> part).toArray(String[]::new));

                assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
                assertThat(run.err()).as(args[0]).contains("jobq dead-letters " + args[0] + ": provider 'sqs' of "
                        + "queue 'remote' does not keep its dead letters where jobq can list them; look in the "
                        + "provider's own dead-letter store (for SQS: the queue's dead-letter queue");
            }
            assertThat(endpoint.connections()).as("connections to the SQS endpoint").isZero();
        }
    }
    /**
     * Opened alone first so that an out-of-reach queue is waited for once, the queue must not then be opened a second
     * time in the whole file's queue: its start-up requests and lines (here deadLetter: discard's WARN) twice.
     */
    @Test
    @DisplayName("dead-letters --queue Q on a reachable SQS queue opens it once, and says its provider type")
    void aReachableQueueIsOpenedOnce() throws Exception {
        try (var sqs = ReachableSqs.start(dir)) {
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()),
                    "dead-letters", "list", "--queue", "remote", "--config", sqs.file().toString());

            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).contains("queue 'remote' has deadLetter: discard: SQS deletes its dead jobs");
            // deadLetter: discard in the file answers before the queue is opened at all
            assertThat(sqs.discardLines()).as("start-up lines of the queue").isEmpty();
        }
    }
}
