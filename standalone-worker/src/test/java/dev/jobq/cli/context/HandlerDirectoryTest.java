package dev.jobq.cli.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jobq.JobEvent;
import dev.jobq.JobHandlerModule;
import dev.jobq.JobQueue;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.ManualStop;
import dev.jobq.cli.process.JarBuilder;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.QueueProviderFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code --handlers DIR}: a jar compiled in this test (its classes exist nowhere else) brings a
 * handler module and a provider, both found with ServiceLoader through the directory's class loader.
 */
class HandlerDirectoryTest {

    private static final String MODULE = "plugin.greeting.GreetingModule";
    private static final String FACTORY = "plugin.greeting.PluginQueueFactory";

    @TempDir
    Path dir;

    private Path handlers;

    @BeforeEach
    void compilePlugin() {
        handlers = dir.resolve("handlers");
        new JarBuilder().compile(dir.resolve("build"), Map.of(MODULE, """
                        package plugin.greeting;

                        public final class GreetingModule implements dev.jobq.JobHandlerModule {
                            public record Greeting(String name) {
                            }

                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                                registry.registerJobHandler("greeting:say", Greeting.class,
                                        (job, ctx) -> ctx.log("hello {}", job.payload().name()));
                            }
                        }
                        """, FACTORY, """
                        package plugin.greeting;

                        import dev.jobq.memory.MemoryProviderFactory;
                        import dev.jobq.spi.*;

                        public final class PluginQueueFactory implements QueueProviderFactory {
                            private final MemoryProviderFactory memory = new MemoryProviderFactory();

                            public String type() {
                                return "plugin-queue";
                            }

                            public void validate(Settings settings) {
                                memory.validate(settings);
                            }

                            public QueueProvider create(ProviderContext context) {
                                return memory.create(context);
                            }
                        }
                        """))
                .service(JobHandlerModule.class, MODULE)
                .service(QueueProviderFactory.class, FACTORY)
                .writeTo(handlers.resolve("greeting.jar"));
    }

    @Test
    void theCompiledClassesAreNotOnTheTestClassPath() {
        assertThatThrownBy(() -> Class.forName(MODULE)).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void aProviderFromTheJarServesAQueue() throws Exception {
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: plugin-queue }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("queue default: plugin-queue").contains("providers [memory, plugin-queue, sqs]")
                .contains("--handlers jars: [" + handlers.resolve("greeting.jar").toAbsolutePath().normalize() + "]");
    }

    @Test
    void configCheckShowsAJarWithALineBreakInItsNameEscaped() throws Exception {
        // the name's line break started a line of its own: "  handlers: forged" read as what the check found
        Files.move(handlers.resolve("greeting.jar"), handlers.resolve("greeting\n  handlers: forged.jar"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: plugin-queue }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("\n  --handlers jars: [" + handlers.toAbsolutePath().normalize()
                        + "/greeting\\n  handlers: forged.jar]\n")
                .doesNotContain("\n  handlers: forged");
    }

    @Test
    void runRegistersTheJarsModuleBesideTheClassPathsOnAProviderFromTheJar() throws Exception {
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: plugin-queue }\n");
        var stop = new ManualStop();
        var out = new StringWriter();
        var err = new StringWriter();
        try (var runner = Executors.newVirtualThreadPerTaskExecutor()) {
            var exit = runner.submit(() -> CommandRun.execute(
                    CommandRun.context(Map.of(), QueueOpener.building(), stop), new PrintWriter(out, true),
                    new PrintWriter(err, true), "run", "--config", config.toString(), "--handlers", handlers.toString()));

            await().atMost(Duration.ofSeconds(15)).until(() -> out.toString().contains("jobq run: working"));
            assertThat(out.toString()).contains("handlers: always:fails, email:send, flaky:call, greeting:say, "
                    + "report:generate");
            stop.requestStop();
            assertThat(exit.get(15, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void handlersFindWhatTheirJarHoldsThroughTheContextClassLoader() throws Exception {
        Path plugin = dir.resolve("plugin");
        new JarBuilder().compile(dir.resolve("build-tccl"), Map.of("tccl.Salutation", """
                        package tccl;

                        public interface Salutation {
                        }
                        """, "tccl.Formal", """
                        package tccl;

                        public final class Formal implements Salutation {
                        }
                        """, "tccl.SalutationModule", """
                        package tccl;

                        import java.util.ServiceLoader;

                        public final class SalutationModule implements dev.jobq.JobHandlerModule {
                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                                registry.registerJobHandler("salutation:find", String.class, (job, ctx) -> {
                                    // What a library in the jar does to find its plugins.
                                    if (ServiceLoader.load(Salutation.class).findFirst().isEmpty()) {
                                        throw new dev.jobq.NonRetryableJobException("no Salutation through "
                                                + Thread.currentThread().getContextClassLoader());
                                    }
                                });
                            }
                        }
                        """))
                .service(JobHandlerModule.class, "tccl.SalutationModule")
                .service("tccl.Salutation", "tccl.Formal")
                .writeTo(plugin.resolve("salutation.jar"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");
        var built = new AtomicReference<JobQueue>();
        var stop = new ManualStop();
        var out = new StringWriter();
        try (var runner = Executors.newVirtualThreadPerTaskExecutor()) {
            var exit = runner.submit(() -> CommandRun.execute(CommandRun.context(Map.of(), builder -> {
                JobQueue queue = builder.build();
                built.set(queue);
                return QueueSession.owning(queue);
            }, stop), new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                    "run", "--config", config.toString(), "--handlers", plugin.toString()));
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> out.toString().contains("jobq run: working"));
                JobQueue jobs = built.get();
                var dead = new AtomicReference<String>();
                jobs.addListener(event -> {
                    if (event instanceof JobEvent.Dead d) {
                        dead.set(d.error());
                    }
                });

                jobs.enqueue("salutation:find", "hello");

                await().atMost(Duration.ofSeconds(15))
                        .until(() -> jobs.stats("default").completed() + jobs.stats("default").dead() == 1);
                assertThat(dead.get()).as("dead letter's reason").isNull();
                assertThat(jobs.stats("default").completed()).isEqualTo(1);
            } finally {
                stop.requestStop();
            }
            assertThat(exit.get(15, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void aModuleThatCannotBeLoadedIsAConfigErrorNamingIt() throws Exception {
        Path broken = dir.resolve("broken");
        new JarBuilder().service(JobHandlerModule.class, "plugin.missing.NoSuchModule").writeTo(broken.resolve("b.jar"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building(), new ManualStop()),
                "run", "--config", config.toString(), "--handlers", broken.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("handler module failed to load:")
                .contains("plugin.missing.NoSuchModule not found");
    }

    @Test
    void aModuleWhoseConstructorThrowsIsNamedWithTheCauseAndItsJar() throws Exception {
        Path throwing = dir.resolve("throwing");
        new JarBuilder().compile(dir.resolve("build-throwing"), Map.of("thr.ThrowingModule", """
                        package thr;

                        public final class ThrowingModule implements dev.jobq.JobHandlerModule {
                            public ThrowingModule() {
                                throw new IllegalStateException("cannot init: missing DB_URL");
                            }

                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                            }
                        }
                        """))
                .service(JobHandlerModule.class, "thr.ThrowingModule")
                .writeTo(throwing.resolve("thr.jar"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building(), new ManualStop()),
                "run", "--config", config.toString(), "--handlers", throwing.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("handler module failed to load: dev.jobq.JobHandlerModule: Provider "
                + "thr.ThrowingModule could not be instantiated: IllegalStateException: cannot init: missing DB_URL "
                + "(from " + throwing.resolve("thr.jar").toAbsolutePath().normalize() + "); the module threw this "
                + "while it was created: fix what it says, or remove its jar");
    }

    /**
     * A module whose {@code register()} throws fails the start as one whose constructor throws does: exit 2,
     * naming the module, what it threw, its jar and the fix, whatever the exception's class (an
     * IllegalStateException was a configuration error, any other exception a run-time failure, exit 1).
     */
    @Test
    void aModuleWhoseRegisterThrowsIsAConfigErrorNamingItsJarWhateverItThrew() throws Exception {
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");
        for (String thrown : new String[] {"IllegalArgumentException", "IllegalStateException"}) {
            Path throwing = dir.resolve("register-" + thrown);
            new JarBuilder().compile(dir.resolve("build-" + thrown), Map.of("thr.RegisterThrows", """
                            package thr;

                            public final class RegisterThrows implements dev.jobq.JobHandlerModule {
                                @Override
                                public void register(dev.jobq.JobHandlerRegistry registry) {
                                    throw new java.lang.%s("DB_URL is not set");
                                }
                            }
                            """.formatted(thrown)))
                    .service(JobHandlerModule.class, "thr.RegisterThrows")
                    .writeTo(throwing.resolve("thr.jar"));
            String expected = "handler module thr.RegisterThrows failed while registering its handlers: java.lang."
                    + thrown + ": DB_URL is not set (from " + throwing.resolve("thr.jar").toAbsolutePath().normalize()
                    + "); fix what it says, or remove its jar";

            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building(), new ManualStop()),
                    "run", "--config", config.toString(), "--handlers", throwing.toString());
            var check = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", throwing.toString());

            assertThat(run.exitCode()).as("run, %s", thrown).isEqualTo(2);
            assertThat(run.err()).as("run, %s", thrown).contains(expected);
            assertThat(check.exitCode()).as("config check, %s", thrown).isEqualTo(2);
            assertThat(check.err()).as("config check, %s", thrown).contains(expected);
        }
    }

    /**
     * A provider jar in --handlers without a jar it needs (provider-sqs without the AWS SDK, say) fails when the
     * provider is created: that was a NoClassDefFoundError out of the command, a raw "Exception in thread main"
     * stack trace naming neither the provider, its jar nor the fix.
     */
    @Test
    void aProviderThatLacksAClassItNeedsIsAConfigErrorNamingItsJarAndTheMissingClass() throws Exception {
        Path broken = serviceJar("broken-provider", QueueProviderFactory.class, "nf.BrokenFactory", """
                        package nf;

                        public final class BrokenFactory implements dev.jobq.spi.QueueProviderFactory {
                            @Override
                            public String type() {
                                return "broken";
                            }

                            @Override
                            public dev.jobq.spi.QueueProvider create(dev.jobq.spi.ProviderContext context) {
                                throw new NoClassDefFoundError("com/acme/queue/Client");
                            }
                        }
                        """);
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: broken }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building(), new ManualStop()),
                "run", "--config", config.toString(), "--handlers", broken.getParent().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("queue 'default': provider 'broken' (nf.BrokenFactory, from "
                + broken.toAbsolutePath().normalize() + ") cannot be created: "
                + "java.lang.NoClassDefFoundError: com/acme/queue/Client; put the jar that holds com.acme.queue.Client "
                + "(and whatever else the provider needs) in --handlers or on the class path");
    }

    /** The same for a queue named with a bidirectional override (U+202E): its name is written escaped. */
    @Test
    void aQueueWithABidiOverrideWhoseProviderLacksAClassIsNamedEscaped() throws Exception {
        Path broken = serviceJar("broken-provider", QueueProviderFactory.class, "nf.BrokenFactory", """
                        package nf;

                        public final class BrokenFactory implements dev.jobq.spi.QueueProviderFactory {
                            @Override
                            public String type() {
                                return "broken";
                            }

                            @Override
                            public dev.jobq.spi.QueueProvider create(dev.jobq.spi.ProviderContext context) {
                                throw new NoClassDefFoundError("com/acme/queue/Client");
                            }
                        }
                        """);
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n"
                + "queues:\n  \"rep\\u202eorts\": { type: broken }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building(), new ManualStop()),
                "run", "--config", config.toString(), "--handlers", broken.getParent().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("queue 'rep\\u202eorts': provider 'broken' (nf.BrokenFactory, from ")
                .doesNotContain("\u202e");
    }

    /**
     * The same for a scheduler jar in --handlers without one it needs: its create() runs after the providers are
     * open, and its NoClassDefFoundError left the command as a raw stack trace with those providers still open.
     */
    @Test
    void aSchedulerThatLacksAClassItNeedsIsAConfigErrorNamingItsJarAndTheMissingClass() throws Exception {
        Path broken = serviceJar("broken-scheduler", JobSchedulerFactory.class, "ns.BrokenSchedulerFactory", """
                        package ns;

                        public final class BrokenSchedulerFactory implements dev.jobq.spi.JobSchedulerFactory {
                            @Override
                            public String type() {
                                return "broken";
                            }

                            @Override
                            public void validate(dev.jobq.spi.Settings settings) {
                            }

                            @Override
                            public dev.jobq.spi.JobScheduler create(dev.jobq.spi.SchedulerContext context) {
                                throw new NoClassDefFoundError("org/acme/db/Driver");
                            }
                        }
                        """);
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "scheduler: { type: broken }\n");

        var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building(), new ManualStop()),
                "run", "--config", config.toString(), "--handlers", broken.getParent().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("scheduler: scheduler 'broken' (ns.BrokenSchedulerFactory, from "
                + broken.toAbsolutePath().normalize() + ") cannot be created: "
                + "java.lang.NoClassDefFoundError: org/acme/db/Driver; put the jar that holds org.acme.db.Driver "
                + "(and whatever else the scheduler needs) in --handlers or on the class path");
    }

    /**
     * Any other class missing where a command runs the code of a jar in --handlers (here a provider's validate(), which
     * config check and run both call): a raw "Exception in thread main" stack trace and exit 1 before.
     */
    @Test
    void aClassMissingAnywhereInACommandIsAUsageErrorNamingTheClassAndTheFix() throws Exception {
        Path broken = serviceJar("half-provider", QueueProviderFactory.class, "nv.HalfFactory", """
                        package nv;

                        public final class HalfFactory implements dev.jobq.spi.QueueProviderFactory {
                            @Override
                            public String type() {
                                return "half";
                            }

                            @Override
                            public void validate(dev.jobq.spi.Settings settings) {
                                throw new NoClassDefFoundError("com/acme/queue/Limits");
                            }

                            @Override
                            public dev.jobq.spi.QueueProvider create(dev.jobq.spi.ProviderContext context) {
                                throw new UnsupportedOperationException("never reached");
                            }
                        }
                        """);
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: half }\n");

        for (String command : new String[] {"run", "config"}) {
            String[] args = command.equals("run")
                    ? new String[] {"run", "--config", config.toString(), "--handlers", broken.getParent().toString()}
                    : new String[] {"config", "check", "--config", config.toString(), "--handlers",
                            broken.getParent().toString()};
            var run = CommandRun.in(CommandRun.context(Map.of(), QueueOpener.building(), new ManualStop()), args);

            assertThat(run.exitCode()).as(command).isEqualTo(2);
            assertThat(run.err()).as(command).contains("class com.acme.queue.Limits is missing "
                    + "(java.lang.NoClassDefFoundError: com/acme/queue/Limits); put the jar that holds it in --handlers "
                    + "or on the class path");
        }
    }

    /**
     * {@code <name>/<name>.jar} in the test directory: {@code className}, compiled from {@code source}, registered as a
     * {@code service}.
     */
    private Path serviceJar(String name, Class<?> service, String className, String source) throws Exception {
        Path jar = dir.resolve(name).resolve(name + ".jar");
        new JarBuilder().compile(dir.resolve("build-" + name), Map.of(className, source)).service(service, className)
                .writeTo(jar);
        return jar;
    }

    @Test
    void twoVersionsOfOneJarAreAUsageErrorNamingBoth() throws Exception {
        Path deploy = dir.resolve("deploy");
        for (String version : new String[] {"1.0", "1.1"}) {
            new JarBuilder().compile(dir.resolve("build-" + version), Map.of("billing.BillingHandlers", """
                            package billing;

                            public final class BillingHandlers implements dev.jobq.JobHandlerModule {
                                @Override
                                public void register(dev.jobq.JobHandlerRegistry registry) {
                                    registry.registerJobHandler("invoice:send-%s", String.class, (job, ctx) -> { });
                                }
                            }
                            """.formatted(version)))
                    .service(JobHandlerModule.class, "billing.BillingHandlers")
                    .writeTo(deploy.resolve("billing-" + version + ".jar"));
        }
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", deploy.toString());

        assertThat(run.exitCode()).as(run.out()).isEqualTo(2);
        assertThat(run.err()).contains("--handlers " + deploy.toAbsolutePath().normalize() + ": billing.BillingHandlers "
                + "(a dev.jobq.JobHandlerModule) is in billing-1.0.jar and billing-1.1.jar, and only the first one's "
                + "would run; remove the jar you do not mean to deploy");
    }

    @Test
    void aShadowedJarWithALineBreakInItsNameIsWarnedAboutEscaped() throws Exception {
        // the warning named the jar raw, twice: its line break began a log line of its own
        Path libs = dir.resolve("libs");
        new JarBuilder().compile(dir.resolve("build-lib"), Map.of("dev.jobq.cli.ManualStop", """
                        package dev.jobq.cli;

                        public final class ManualStop {
                        }
                        """))
                .writeTo(libs.resolve("stop\nERROR forged.jar"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");
        var logger = (Logger) LoggerFactory.getLogger(HandlerJars.class);
        var warnings = new ListAppender<ILoggingEvent>();
        warnings.start();
        logger.addAppender(warnings);
        try {
            var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", libs.toString());

            assertThat(run.exitCode()).as(run.err()).isZero();
        } finally {
            logger.detachAppender(warnings);
        }
        assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("--handlers jar stop\\nERROR forged.jar: 1 of its classes, such as "
                        + "dev.jobq.cli.ManualStop, are also in jobq's jar in another version, and are loaded from "
                        + "there, not from stop\\nERROR forged.jar: build your handlers against the version jobq's "
                        + "jar has, or shade and relocate that library into your jar");
    }

    @Test
    void aLibraryJarThatJobqShipsInAnotherVersionIsWarnedAbout() throws Exception {
        Path libs = dir.resolve("libs");
        // Built against another version of a library jobq's jar has: the class loader's parent wins.
        new JarBuilder().compile(dir.resolve("build-lib"), Map.of("dev.jobq.cli.ManualStop", """
                        package dev.jobq.cli;

                        public final class ManualStop {
                            public void aMethodOnlyThisVersionHas() {
                            }
                        }
                        """))
                .writeTo(libs.resolve("stop-lib-9.9.jar"));
        new JarBuilder().addClass(HandlerDirectoryTest.class).writeTo(libs.resolve("same-version.jar"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");
        var logger = (Logger) LoggerFactory.getLogger(HandlerJars.class);
        var warnings = new ListAppender<ILoggingEvent>();
        warnings.start();
        logger.addAppender(warnings);
        try {
            var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", libs.toString());

            assertThat(run.exitCode()).as(run.err()).isZero();
        } finally {
            logger.detachAppender(warnings);
        }
        assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("--handlers jar stop-lib-9.9.jar: 1 of its classes, such as dev.jobq.cli.ManualStop, "
                        + "are also in jobq's jar in another version, and are loaded from there, not from "
                        + "stop-lib-9.9.jar: build your handlers against the version jobq's jar has, or shade and "
                        + "relocate that library into your jar");
    }

    @Test
    void aModularJarThatProvidesItsModuleOnlyInModuleInfoIsAUsageErrorNamingTheServicesFile() throws Exception {
        Path modular = dir.resolve("modular");
        new JarBuilder().compile(dir.resolve("build-modular"), Map.of(MODULE, """
                        package plugin.greeting;

                        public final class GreetingModule implements dev.jobq.JobHandlerModule {
                            @Override
                            public void register(dev.jobq.JobHandlerRegistry registry) {
                                registry.registerJobHandler("greeting:say", String.class, (job, ctx) -> { });
                            }
                        }
                        """))
                .entry("module-info.class", moduleInfoProviding("dev.jobq.JobHandlerModule", MODULE))
                .writeTo(modular.resolve("greeting-1.0.jar"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", modular.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--handlers " + modular.toAbsolutePath().normalize() + ": greeting-1.0.jar "
                + "declares 'provides dev.jobq.JobHandlerModule with " + MODULE + "' in its module-info.class, which "
                + "jobq does not read: it loads --handlers jars on a class path, where ServiceLoader reads only "
                + "META-INF/services; add META-INF/services/dev.jobq.JobHandlerModule naming " + MODULE
                + " to the jar (most modular jars carry both)");
    }

    /**
     * The {@code module-info.class} of a module {@code plugin.greeting} that provides {@code service}
     * with {@code implementation}, compiled beside stand-ins of both types (javac wants them in a module it
     * reads); only its descriptor goes into the jar.
     */
    private byte[] moduleInfoProviding(String service, String implementation) throws Exception {
        Path src = dir.resolve("module-src");
        Path out = dir.resolve("module-out");
        var sources = new java.util.ArrayList<Path>();
        for (String type : new String[] {service, implementation}) {
            int dot = type.lastIndexOf('.');
            String kind = type.equals(service) ? "interface" : "class";
            String body = type.equals(service) ? "{ }" : "implements " + service + " { }";
            Path file = src.resolve(type.replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            sources.add(Files.writeString(file, "package " + type.substring(0, dot) + ";\npublic " + kind + " "
                    + type.substring(dot + 1) + " " + body + "\n"));
        }
        sources.add(Files.writeString(src.resolve("module-info.java"), "module plugin.greeting { provides " + service
                + " with " + implementation + "; }\n"));
        var args = new java.util.ArrayList<>(java.util.List.of("-d", out.toString()));
        sources.forEach(file -> args.add(file.toString()));
        var messages = new java.io.ByteArrayOutputStream();
        int status = javax.tools.ToolProvider.getSystemJavaCompiler()
                .run(null, messages, messages, args.toArray(String[]::new));
        assertThat(status).as(messages.toString()).isZero();
        return Files.readAllBytes(out.resolve("module-info.class"));
    }

    @Test
    void aJarThatIsNoJarIsAUsageErrorNamingIt() throws Exception {
        Files.writeString(handlers.resolve("bad.jar"), "not a zip");
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--handlers " + handlers.toAbsolutePath().normalize()
                        + ": cannot read as a jar: bad.jar (")
                .contains("; replace it with a jar built by your build tool, or remove it from the directory");
    }

    @Test
    void aJarThatIsNoJarIsNamedWithItsLineBreaksEscaped() throws Exception {
        // the refusal repeated the name raw: its line break began a line that read as jobq's own
        Files.writeString(handlers.resolve("bad\njobq config check: OK.jar"), "not a zip");
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("jobq config check: --handlers " + handlers.toAbsolutePath().normalize()
                        + ": cannot read as a jar: bad\\njobq config check: OK.jar (")
                .doesNotContain("\njobq config check: OK");
    }

    /**
     * A jar whose central directory opens but one of whose entries does not inflate (a copy cut or damaged on
     * the way) passed the check that the jar opens and then failed reading its services file, with an
     * UncheckedIOException: exit 1, which a Restart=on-failure unit retries for ever, and no fix said.
     */
    @Test
    void aJarWithADamagedEntryIsAUsageErrorNamingIt() throws Exception {
        Path jar = handlers.resolve("damaged.jar");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("META-INF/services/" + JobHandlerModule.class.getName()));
            zip.write("billing.BillingHandlers\n".repeat(50).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        byte[] bytes = Files.readAllBytes(jar);
        int nameLength = (bytes[26] & 0xff) | (bytes[27] & 0xff) << 8;
        int extraLength = (bytes[28] & 0xff) | (bytes[29] & 0xff) << 8;
        bytes[30 + nameLength + extraLength] = (byte) 0xff; // a deflate block of the reserved type: cannot inflate
        Files.write(jar, bytes);
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", handlers.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--handlers " + handlers.toAbsolutePath().normalize()
                        + ": cannot read as a jar: damaged.jar (")
                .contains("; replace it with a jar built by your build tool, or remove it from the directory");
    }

    /** A link whose directory was moved away was told "no such directory", naming the link, which the user sees exists. */
    @Test
    void aBrokenLinkIsAUsageErrorNamingWhereItPoints() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("current"), dir.resolve("release-41"));
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");

        var run = CommandRun.of("config", "check", "--config", config.toString(), "--handlers", link.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--handlers " + link.toAbsolutePath().normalize() + ": is a link to "
                + dir.resolve("release-41") + ", which leads nowhere (it is missing, or links loop); ");
    }
}
