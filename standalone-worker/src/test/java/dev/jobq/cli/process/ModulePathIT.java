package dev.jobq.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.localsqs.LocalSqs;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobq's published jars on the module path, as a Java 21 application with its own
 * {@code module-info.java} runs them: an application module compiled here against the built jars in
 * {@code target/} and started as {@code java --module-path ... --module app/app.Main}, with what
 * docs/configuration.md ("On the module path") tells the user to write and nothing more.
 */
class ModulePathIT {

    /** The jars failsafe names (see the pom), by the module name each must have. */
    private static final Map<String, String> JOBQ_JARS = Map.of(
            "dev.jobq", "jobq.module.queue-spi",
            "dev.jobq.memory", "jobq.module.provider-memory",
            "dev.jobq.sqs", "jobq.module.provider-sqs",
            "dev.jobq.scheduler.jdbc", "jobq.module.scheduler-jdbc",
            "dev.jobq.tck", "jobq.module.queue-tck",
            "dev.jobq.examples", "jobq.module.examples",
            "dev.jobq.launcher", "jobq.module.launcher");

    /** The application's module declaration, as the docs give it. */
    private static final String MODULE_INFO = """
            module app {
                requires dev.jobq;
                requires jdk.net;
                requires org.jooq;
                requires com.zaxxer.hikari;
                opens app.jobs to com.fasterxml.jackson.databind;
                provides dev.jobq.JobHandlerModule with app.jobs.GreetingHandlers;
            }
            """;

    private static final String GREETING = """
            package app.jobs;

            public record Greeting(String name, int times) {
            }
            """;

    private static final String HANDLERS = """
            package app.jobs;

            import dev.jobq.JobHandlerModule;
            import dev.jobq.JobHandlerRegistry;

            public final class GreetingHandlers implements JobHandlerModule {
                @Override
                public void register(JobHandlerRegistry registry) {
                    registry.registerJobHandler("greet", Greeting.class, (job, context) ->
                            System.out.println("handled " + job.payload()));
                }
            }
            """;

    /**
     * Enqueues on the memory provider, on SQS (ElasticMQ of this test) and through the H2 scheduler,
     * waits for the three, and says where each part came from.
     */
    private static final String MAIN = """
            package app;

            import app.jobs.Greeting;
            import dev.jobq.EnqueueOptions;
            import dev.jobq.JobEvent;
            import dev.jobq.JobQueue;
            import java.time.Instant;
            import java.util.HashMap;
            import java.util.Map;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    Map<String, Object> sqs = new HashMap<>();
                    for (int i = 2; i < args.length; i += 2) {
                        sqs.put(args[i], args[i + 1]);
                    }
                    var completed = new CountDownLatch(3);
                    try (JobQueue jobs = JobQueue.builder()
                            .provider("memory")
                            .queue("remote", "sqs", sqs)
                            .workerQueues("default", "remote")
                            .scheduler("jdbc", Map.of("jdbcUrl", args[0], "pollInterval", "1s"))
                            .findHandlerModules()
                            .listener(event -> {
                                if (event instanceof JobEvent.Completed) {
                                    completed.countDown();
                                } else if (event instanceof JobEvent.Failed || event instanceof JobEvent.Dead) {
                                    System.out.println("job did not complete: " + event);
                                }
                            })
                            .build()) {
                        System.out.println("jobq module: " + JobQueue.class.getModule().getName());
                        jobs.start();
                        jobs.enqueue("greet", new Greeting("memory", 1));
                        jobs.enqueue("greet", new Greeting("sqs", 2), EnqueueOptions.queue("remote"));
                        jobs.scheduler().schedule("greet", new Greeting("scheduler", 3),
                                Instant.now().plusMillis(200));
                        if (!completed.await(Long.parseLong(args[1]), TimeUnit.SECONDS)) {
                            System.out.println("timed out; completed jobs missing: " + completed.getCount());
                            System.exit(3);
                        }
                    }
                    System.out.println("module path: all jobs completed");
                }
            }
            """;

    @RegisterExtension
    static final LocalSqsServer SQS = new LocalSqsServer();

    @TempDir
    Path dir;

    @Test
    @DisplayName("every published jar has a stable module name, after its root package, and no package is in two of them")
    void jarsHaveStableModuleNamesAndNoSplitPackage() {
        Map<String, String> packageOwners = new TreeMap<>();
        List<String> split = new ArrayList<>();
        JOBQ_JARS.forEach((name, property) -> {
            ModuleDescriptor descriptor = descriptorOf(jar(property));
            assertThat(descriptor.name()).as("module name of " + jar(property).getFileName()).isEqualTo(name);
            for (String pkg : descriptor.packages()) {
                String before = packageOwners.putIfAbsent(pkg, name);
                if (before != null) {
                    split.add(pkg + " is in " + before + " and " + name);
                }
            }
        });
        assertThat(split).as("split packages").isEmpty();
    }

    @Test
    @DisplayName("an application module runs jobs on memory, on SQS and through the H2 scheduler from the module path")
    void applicationModuleRunsJobsFromTheModulePath() throws Exception {
        AppRun run = runApplication(MODULE_INFO);
        assertThat(run.exitStatus()).as("exit status; the output:\n" + run.output()).isZero();
        assertThat(run.output()).contains("jobq module: dev.jobq",
                "handled Greeting[name=memory, times=1]",
                "handled Greeting[name=sqs, times=2]",
                "handled Greeting[name=scheduler, times=3]",
                "Successfully applied 5 migrations",
                "module path: all jobs completed");
    }

    @Test
    @DisplayName("the module-info.java of docs/configuration.md is the one this test runs")
    void theDocsShowTheModuleInfoThisTestRuns() throws IOException {
        String page = System.getProperty("jobq.docs.configuration");
        assertThat(page).as("system property jobq.docs.configuration: run with ./mvnw verify").isNotNull();
        String text = Files.readString(Path.of(page));
        int start = text.indexOf("```java\nmodule app {");
        assertThat(start).as("a java block starting 'module app {' in " + page).isNotNegative();
        String block = text.substring(start + "```java\n".length(), text.indexOf("```", start + 3));
        assertThat(block).isEqualTo(MODULE_INFO);
    }

    @Test
    @DisplayName("a payload package not opened to Jackson is refused when its handler is registered, naming the package")
    void aPayloadPackageNotOpenedToJacksonIsNamed() throws Exception {
        AppRun run = runApplication(MODULE_INFO.replace("    opens app.jobs to com.fasterxml.jackson.databind;\n", ""));
        assertThat(run.exitStatus()).as("exit status; the output:\n" + run.output()).isNotZero();
        assertThat(run.output()).contains("job type 'greet': its payload type app.jobs.Greeting cannot be read from JSON",
                "module app does not \"exports app.jobs\" to module com.fasterxml.jackson.databind");
    }

    @Test
    @DisplayName("a library left out of the boot layer is named with the line that brings it in")
    void aLibraryLeftUnresolvedIsNamedWithTheFix() throws Exception {
        AppRun run = runApplication(MODULE_INFO.replace("    requires org.jooq;\n", ""));
        assertThat(run.exitStatus()).as("exit status; the output:\n" + run.output()).isNotZero();
        assertThat(run.output()).contains("class org.jooq.exception.DataAccessException is in module org.jooq, which is "
                + "on the module path but was not resolved: add 'requires org.jooq;' to your module-info.java, or "
                + "'--add-modules org.jooq' to the java command");
    }

    private record AppRun(int exitStatus, String output) {
    }

    /** Compiles the application with {@code moduleInfo} and runs it to its end, on a fresh SQS queue. */
    private AppRun runApplication(String moduleInfo) throws Exception {
        String modulePath = modulePath();
        Path classes = compileApplication(moduleInfo, modulePath);
        LocalSqs.Queues queues = SQS.get().createQueues("module-path");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", classes + File.pathSeparator + modulePath,
                "--module", "app/app.Main",
                "jdbc:h2:mem:modulepath;DB_CLOSE_DELAY=-1", "60"));
        SQS.get().connectionSettings().forEach((key, value) -> {
            if (!key.equals("type")) {
                command.add(key);
                command.add(String.valueOf(value));
            }
        });
        command.addAll(List.of("queueUrl", queues.url(), "deadLetterQueueUrl", queues.deadLetterUrl()));

        Path output = dir.resolve("app.log");
        Process app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = app.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(output);
        assertThat(ended).as("the application ended within 120 s; its output:\n" + log).isTrue();
        return new AppRun(app.exitValue(), log);
    }

    /** Compiles the application module against the module path, as its build would. */
    private Path compileApplication(String moduleInfo, String modulePath) throws IOException {
        Path src = dir.resolve("src/app");
        Map<String, String> sources = Map.of(
                "module-info.java", moduleInfo,
                "app/jobs/Greeting.java", GREETING,
                "app/jobs/GreetingHandlers.java", HANDLERS,
                "app/Main.java", MAIN);
        List<String> args = new ArrayList<>(List.of("-d", dir.resolve("classes/app").toString(),
                "--module-path", modulePath, "-proc:none"));
        for (var source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            args.add(file.toString());
        }
        var messages = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, messages, messages, args.toArray(String[]::new));
        assertThat(status).as("compiling the application module against jobq's jars:\n" + messages).isZero();
        return dir.resolve("classes");
    }

    /** jobq's jars the application uses and the libraries they need (the pom lists them in a file). */
    private static String modulePath() throws IOException {
        String listing = System.getProperty("jobq.module.dependencies");
        assertThat(listing).as("system property jobq.module.dependencies: run with ./mvnw verify").isNotNull();
        List<String> entries = new ArrayList<>();
        for (String property : List.of("jobq.module.queue-spi", "jobq.module.provider-memory",
                "jobq.module.provider-sqs", "jobq.module.scheduler-jdbc")) {
            entries.add(jar(property).toString());
        }
        entries.addAll(Arrays.stream(Files.readString(Path.of(listing)).strip().split(File.pathSeparator))
                .filter(entry -> !entry.isBlank()).toList());
        return entries.stream().collect(Collectors.joining(File.pathSeparator));
    }

    private static Path jar(String property) {
        String path = System.getProperty(property);
        assertThat(path).as("system property " + property + ": run with ./mvnw verify").isNotNull();
        assertThat(Path.of(path)).as(property).isRegularFile();
        return Path.of(path);
    }

    private static ModuleDescriptor descriptorOf(Path jar) {
        return ModuleFinder.of(jar).findAll().stream().map(ModuleReference::descriptor).findFirst()
                .orElseThrow(() -> new AssertionError("no module in " + jar));
    }
}
