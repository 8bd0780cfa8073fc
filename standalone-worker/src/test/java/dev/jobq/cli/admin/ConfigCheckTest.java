package dev.jobq.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobHandlerModule;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.context.QueueOpener;
import dev.jobq.cli.process.JarBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobq config check}: what a good file configures, every problem of a bad one, exit 2. */
class ConfigCheckTest {

    @TempDir
    Path dir;

    private CommandRun check(Map<String, String> env, String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), yaml);
        return CommandRun.in(CommandRun.context(env, QueueOpener.building()), "config", "check", "--config",
                file.toString());
    }

    @Test
    void goodFileIsSummarisedWithExitZero() throws Exception {
        var run = check(Map.of(), """
                provider: { type: memory }
                queues:
                  reports: { type: memory, maxHistorySize: 10 }
                worker:
                  mode: standalone
                  queues: [reports, default]
                  concurrency: 8
                  shutdownTimeout: 45s
                """);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("jobq.yaml: OK")
                .contains("  queue default: memory", "  queue reports: memory")
                .contains("  worker: standalone, queues [reports, default], concurrency 8, pollInterval 1s, "
                        + "shutdownTimeout 45s")
                .contains("  scheduler: none")
                .contains("  available: providers [memory, sqs]");
    }

    @Test
    void aQueueNameWithABidiOverrideIsShownEscaped() throws Exception {
        // taken, as in a job type (a control character is refused); shown raw, U+202E reversed the rest of the line
        var run = check(Map.of(), """
                queues:
                  "rep\\u202eorts": { type: memory }
                worker:
                  queues: ["rep\\u202eorts"]
                """);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("  queue rep\\u202eorts: memory\n")
                .contains("  worker: in-process, queues [rep\\u202eorts], ").doesNotContain("\u202e");

        var enqueue = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "enqueue", "t", "--payload",
                "{}", "--queue", "nope", "--config", dir.resolve("jobq.yaml").toString());

        assertThat(enqueue.exitCode()).isEqualTo(2);
        assertThat(enqueue.err()).contains("jobq enqueue: unknown queue 'nope' (configured: default, rep\\u202eorts)")
                .doesNotContain("\u202e");
    }

    @Test
    void badFileListsEveryProblemWithItsKeyPathAndExitsTwo() throws Exception {
        var run = check(Map.of(), """
                worker:
                  concurency: 10
                  concurrency: 0
                """);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq.yaml has 2 problems:")
                .contains("  worker.concurrency: must be ≥ 1, got 0")
                .contains("  worker.concurency: unknown key; did you mean concurrency? (known keys here: ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aFileNotInUtf8NamesTheLineAndHowToSaveIt() throws Exception {
        Path file = dir.resolve("jobq.yaml");
        // "# Zürich office" saved as ISO-8859-1, as editors on older Windows setups do: ü is the byte 0xFC
        Files.write(file, "provider: { type: memory }\n# Z\u00fcrich office\n".getBytes(StandardCharsets.ISO_8859_1));

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(file.toAbsolutePath() + ": is not UTF-8 text (line 2 holds a byte that is "
                + "not UTF-8); save it as UTF-8, e.g. iconv -f ISO-8859-1 -t UTF-8");
    }

    @Test
    void environmentOverridesApply() throws Exception {
        var run = check(Map.of("QUEUE_CONCURRENCY", "7", "QUEUE_SHUTDOWN_TIMEOUT", "1500"), "worker: { concurrency: 3 }\n");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("concurrency 7,").contains("shutdownTimeout 1s500ms");
    }

    @Test
    void badEnvironmentOverrideIsNamedLikeAKey() throws Exception {
        var run = check(Map.of("QUEUE_CONCURRENCY", "0"), "");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("QUEUE_CONCURRENCY: must be ≥ 1, got 0");
    }

    @Test
    void variablesInTheFileComeFromTheGivenEnvironment() throws Exception {
        var run = check(Map.of("WORKERS", "12"), "worker:\n  concurrency: ${WORKERS}\n");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("concurrency 12,");
    }

    @Test
    void unknownProviderIsNamedWithTheAvailableOnes() throws Exception {
        var run = check(Map.of(), "provider: { type: sqss, region: us-east-1 }\n");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("provider.type: unknown provider type 'sqss' (available: memory, sqs); check "
                + "the spelling, or add the jar that provides it");
    }

    @Test
    void unknownSchedulerTypeIsNamedEvenWhenDisabled() throws Exception {
        var run = check(Map.of(), "scheduler: { enabled: false, type: jdbcc, jdbcUrl: 'jdbc:h2:mem:x', bogusKey: 1 }\n");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("scheduler.type: unknown scheduler type 'jdbcc' (available: jdbc); check "
                + "the spelling, or add the jar that provides it");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void sqsSectionIsCheckedByTheSqsProviderWithoutConnecting() throws Exception {
        var run = check(Map.of(), "provider: { type: sqs, region: us-east-1, deadLetter: bury }\n");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("jobq.yaml has 2 problems:")
                .contains("  provider.queueUrl: is required; set queueUrl to the queue's URL")
                .contains("  provider.deadLetter: must be one of move, discard, got 'bury'");
    }

    @Test
    void handlersThatIsNoDirectoryIsAUsageError() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "");

        var run = CommandRun.of("config", "check", "--config", file.toString(), "--handlers",
                dir.resolve("nowhere").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--handlers " + dir.resolve("nowhere") + ": no such directory");
    }

    @Test
    void handlersWithoutJarsIsAUsageError() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "");
        Path empty = Files.createDirectory(dir.resolve("empty"));

        var run = CommandRun.of("config", "check", "--config", file.toString(), "--handlers", empty.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--handlers " + empty + ": holds no .jar file");
    }

    @Test
    void anEmptyConfigOrHandlersIsAUsageErrorNotTheWorkingDirectory() throws Exception {
        // --config "$CONF" with CONF unset: Path.of("") is the working directory, read as the config file ("is a
        // directory, not a file") or, for --handlers, as the directory of handler jars, whose jars were then loaded
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "");

        var config = CommandRun.of("config", "check", "--config", "");
        var handlers = CommandRun.of("config", "check", "--config", file.toString(), "--handlers", " ");

        assertThat(config.exitCode()).isEqualTo(2);
        assertThat(config.err()).isEqualTo("jobq config check: --config is empty; give the config file's path, or "
                + "leave --config out to read $JOBQ_CONFIG, else ./jobq.yaml" + System.lineSeparator());
        assertThat(handlers.exitCode()).isEqualTo(2);
        assertThat(handlers.err()).isEqualTo("jobq config check: --handlers is empty; give the directory that holds "
                + "your handler jars, or leave --handlers out to use the class path alone" + System.lineSeparator());
    }

    @Test
    void handlerModulesAreCheckedAsJobqRunRegistersThem() throws Exception {
        Path handlers = dir.resolve("handlers");
        for (String module : new String[] {"first.Billing", "second.Invoices"}) {
            String pkg = module.substring(0, module.indexOf('.'));
            String name = module.substring(module.indexOf('.') + 1);
            new JarBuilder().compile(dir.resolve("build-" + pkg), Map.of(module, """
                            package %s;

                            public final class %s implements dev.jobq.JobHandlerModule {
                                @Override
                                public void register(dev.jobq.JobHandlerRegistry registry) {
                                    registry.registerJobHandler("invoice:send", String.class, (job, ctx) -> { });
                                }
                            }
                            """.formatted(pkg, name)))
                    .service(JobHandlerModule.class, module)
                    .writeTo(handlers.resolve(pkg + ".jar"));
        }
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.out()).isEqualTo(2);
        assertThat(run.err()).contains("handler module second.Invoices: a handler for job type 'invoice:send' is "
                + "already registered, by handler module first.Billing");
        assertThat(run.out()).doesNotContain("OK");

        Files.delete(handlers.resolve("second.jar"));
        var alone = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check",
                "--config", file.toString(), "--handlers", handlers.toString());

        assertThat(alone.exitCode()).as(alone.err()).isZero();
        assertThat(alone.out()).containsPattern("  handlers: .*invoice:send");
    }

    @Test
    void aJobTypeWithABidiOverrideIsShownEscapedInTheHandlersLine() throws Exception {
        // a job type may hold one (a control character is refused); raw, U+202E reversed the rest of the line
        Path handlers = reportsModule("""
                    registry.registerJobHandler("report:\\u202ebuild", String.class, (job, ctx) -> { });
                """);
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("  handlers: .*report:\\\\u202ebuild").doesNotContain("\u202e");
    }

    /**
     * A handler whose HandlerOptions name a queue the file does not configure fails {@code jobq run} (every enqueue of
     * its type would be refused): the check said OK, and the deploy it was run before failed to start.
     */
    @Test
    void aHandlerOnAQueueTheFileDoesNotConfigureFailsTheCheckAsItFailsRun() throws Exception {
        Path handlers = reportsModule("""
                    registry.registerJobHandler("report:build", String.class, (job, ctx) -> { },
                            dev.jobq.HandlerOptions.defaults().queue("reports"));
                """);
        // the file to add it to is the one read: it said jobq.yaml whatever --config said
        Path file = Files.writeString(dir.resolve("prod.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.out()).isEqualTo(2);
        assertThat(run.err()).contains("handler module shop.Reports: job type 'report:build': its default queue "
                + "'reports' is not configured (configured: default); add it under 'queues:' in " + file + " or with "
                + "JobQueue.builder().queue(...), or name a configured one");
        assertThat(run.out()).doesNotContain("OK");

        Files.writeString(file, "provider: { type: memory }\nqueues:\n  reports: { type: memory }\n");
        var configured = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check",
                "--config", file.toString(), "--handlers", handlers.toString());

        assertThat(configured.exitCode()).as(configured.err()).isZero();
        assertThat(configured.out()).containsPattern("  handlers: .*report:build");
    }

    /**
     * A module passing null HandlerOptions fails jobq run with "options must not be null; pass
     * HandlerOptions.defaults() for none"; the check failed it with "options", which names no fix.
     */
    @Test
    void nullHandlerOptionsFailTheCheckWithTheWordsTheyFailRunWith() throws Exception {
        Path handlers = reportsModule("""
                    dev.jobq.HandlerOptions options = null; // set later in a module being written
                    registry.registerJobHandler("report:build", String.class, (job, ctx) -> { }, options);
                """);
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.out()).isEqualTo(2);
        assertThat(run.err()).contains("handler module shop.Reports: options must not be null; pass "
                + "HandlerOptions.defaults() for none");
    }

    /**
     * A payload type jobq run's mapper reads (java.time, through the JavaTimeModule every queue's default mapper has)
     * was refused by the check, which read it with a bare mapper: "cannot be read … without a Jackson module".
     */
    @Test
    void aPayloadTypeJobqRunReadsPassesTheCheck() throws Exception {
        Path handlers = dir.resolve("handlers");
        new JarBuilder().compile(dir.resolve("build"), Map.of("shop.Cleanup", """
                        package shop;

                        public final class Cleanup implements dev.jobq.JobHandlerModule {
                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                                registry.registerJobHandler("cleanup:before", java.time.LocalDate.class,
                                        (job, ctx) -> { });
                            }
                        }
                        """))
                .service(JobHandlerModule.class, "shop.Cleanup")
                .writeTo(handlers.resolve("shop.jar"));
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("  handlers: .*cleanup:before");
    }

    @Test
    void runsEachModulesRegisterAsJobqRunDoesAndItsHelpSaysSo() throws Exception {
        // What a module does in register() (here: write a file; elsewhere: open its own pool or client)
        // the check does too: it connects to no queue and no scheduler database, but it runs the modules.
        Path touched = dir.resolve("registered");
        Path handlers = dir.resolve("handlers");
        new JarBuilder().compile(dir.resolve("build"), Map.of("side.Effects", """
                        package side;

                        public final class Effects implements dev.jobq.JobHandlerModule {
                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                                try {
                                    java.nio.file.Files.writeString(java.nio.file.Path.of(%s), "register() ran");
                                } catch (java.io.IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                                registry.registerJobHandler("mail:send", String.class, (job, ctx) -> { });
                            }
                        }
                        """.formatted("\"" + touched.toString().replace("\\", "\\\\") + "\"")))
                .service(JobHandlerModule.class, "side.Effects")
                .writeTo(handlers.resolve("side.jar"));
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(touched).hasContent("register() ran");
        var help = CommandRun.of("config", "check", "--help");
        // Before, it said "without connecting anywhere", which a module's register() may well do.
        assertThat(help.out()).doesNotContain("anywhere")
                .contains("runs each handler module's register() as jobq run does")
                .contains("connects to no queue and no scheduler database");
    }

    @Test
    void handlerTypesAreListedInNameOrderAsJobqRunListsThem() throws Exception {
        Path handlers = dir.resolve("handlers");
        new JarBuilder().compile(dir.resolve("build"), Map.of("shop.ShopHandlers", """
                        package shop;

                        public final class ShopHandlers implements dev.jobq.JobHandlerModule {
                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                                for (String type : new String[] {"report:build", "mail:send", "retry:call",
                                        "beta:check", "invoice:void", "zz:last", "aa:first", "order:ship"}) {
                                    registry.registerJobHandler(type, String.class, (job, ctx) -> { });
                                }
                            }
                        }
                        """))
                .service(JobHandlerModule.class, "shop.ShopHandlers")
                .writeTo(handlers.resolve("shop.jar"));
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building()), "config", "check", "--config",
                file.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        String line = run.out().lines().filter(l -> l.startsWith("  handlers: ")).findFirst().orElseThrow();
        assertThat(List.of(line.substring("  handlers: ".length()).split(", "))).as(line)
                .contains("aa:first", "zz:last", "order:ship").isSorted();
    }

    /**
     * A handlers directory holding one jar whose module {@code shop.Reports} registers its handlers with
     * {@code registerBody}, the body of its {@code register(JobHandlerRegistry registry)}.
     */
    private Path reportsModule(String registerBody) throws Exception {
        Path handlers = dir.resolve("handlers");
        new JarBuilder().compile(dir.resolve("build"), Map.of("shop.Reports", """
                        package shop;

                        public final class Reports implements dev.jobq.JobHandlerModule {
                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                        %s    }
                        }
                        """.formatted(registerBody.indent(8))))
                .service(JobHandlerModule.class, "shop.Reports")
                .writeTo(handlers.resolve("shop.jar"));
        return handlers;
    }
}
