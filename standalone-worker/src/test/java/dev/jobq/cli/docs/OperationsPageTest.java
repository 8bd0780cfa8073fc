package dev.jobq.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import dev.jobq.cli.CommandRun;
import dev.jobq.cli.HttpProbe;
import dev.jobq.cli.ManualStop;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.examples.AlwaysFailingHandler;
import dev.jobq.examples.DemoHandlers;
import dev.jobq.examples.Email;
import dev.jobq.examples.EmailHandler;
import dev.jobq.examples.FailingTask;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What README.md and docs/operations.md show {@code jobq run} printing and serving, taken from the
 * pages and compared with a worker run in this JVM on the README's memory config: its start line,
 * the fields of {@code /health}, the meters and tags of {@code /metrics}, and the outcome log line.
 */
class OperationsPageTest {

    /**
     * How long a start or the README's jobs may take: a bound, not a timing (a worker started in 15.4 s on a machine
     * loaded to 12-15 by other builds, and a 15 s bound failed the page's test).
     */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final ExecutorService runner = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicReference<JobQueue> built = new AtomicReference<>();
    private final ManualStop stop = new ManualStop();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final ListAppender<ILoggingEvent> outcomes = new ListAppender<>();
    private final Logger outcomeLogger = (Logger) LoggerFactory.getLogger("dev.jobq.outcome");

    @AfterEach
    void stopWorker() {
        stop.requestStop();
        runner.close();
        outcomeLogger.detachAppender(outcomes);
    }

    private Future<Integer> start(String... args) {
        CommandContext context = CommandRun.context(Map.of(), builder -> {
            JobQueue queue = builder.build();
            built.set(queue);
            return QueueSession.owning(queue);
        }, stop);
        return runner.submit(() -> CommandRun.execute(context, new PrintWriter(out, true), new PrintWriter(err, true), args));
    }

    /** The README's memory jobq.yaml, from its {@code printf '…' > /tmp/jobq/jobq.yaml} line. */
    private static String readmeMemoryConfig() {
        Matcher printf = Pattern.compile("printf '([^']*)' > /tmp/jobq/jobq.yaml").matcher(Page.of("README.md").text());
        assertThat(printf.find()).as("README.md still writes its memory jobq.yaml with printf").isTrue();
        return printf.group(1).replace("\\n", "\n");
    }

    @Test
    void theWorkerPrintsServesAndLogsWhatThePagesShow() throws Exception {
        outcomes.start();
        outcomeLogger.addAppender(outcomes);
        // with a scheduler, so that the jobs it is given to hold are counted (jobq_jobs_scheduled_total)
        Path file = Files.writeString(dir.resolve("jobq.yaml"), readmeMemoryConfig()
                + "scheduler:\n  enabled: true\n  jdbcUrl: jdbc:h2:mem:ops-page;DB_CLOSE_DELAY=-1\n");
        Future<Integer> exit = start("run", "--config", file.toString(), "--http-port", "0", "--http-host", "127.0.0.1");
        await().atMost(WAIT).until(() -> out.toString().contains("jobq run: working"));

        // README: It says `jobq run: working queues [default] with concurrency 5; handlers: hello:greet`
        String startLine = Page.of("README.md").codeAfter("It says `");
        assertThat(out.toString()).contains(startLine.replace("hello:greet",
                String.join(", ", DemoHandlers.TYPES.stream().sorted().toList())));

        JobQueue jobs = built.get();
        String completed = jobs.enqueue(EmailHandler.TYPE, new Email("ada@example.com", "hi"));
        String dead = jobs.enqueue(AlwaysFailingHandler.TYPE, new FailingTask("no template\nat \"C:\\jobs\\q3.tpl\""),
                EnqueueOptions.builder().maxAttempts(1).build());
        jobs.scheduler().schedule(EmailHandler.TYPE, new Email("later@example.com", "hi"), java.time.Instant.now().plus(Duration.ofHours(1)));
        // The outcome lines are the last of an attempt's end (after stats() and the meters count it): waiting for the
        // stats let the dead job's line be read before it was logged.
        await().atMost(WAIT).until(() -> outcomeLine(completed).isPresent() && outcomeLine(dead).isPresent());
        HttpProbe http = HttpProbe.fromRunOutput(out.toString());
        Page operations = Page.of("docs/operations.md");

        var health = http.get("/health");
        JsonNode shown = JsonMapper.builder().build().readTree(operations.block("json", "\"status\""));
        JsonNode served = JsonMapper.builder().build().readTree(health.body());
        assertThat(fieldPaths(served)).as("/health's fields, as docs/operations.md shows them").isEqualTo(fieldPaths(shown));
        assertThat(served.path("status").asText()).isEqualTo(shown.path("status").asText());
        assertThat(served.path("problems")).isEqualTo(shown.path("problems"));

        var metrics = http.get("/metrics");
        String contentType = operations.codeAfter("`GET /metrics` is Prometheus text (`");
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith(contentType);
        Map<String, List<String>> table = metricsTable(operations);
        for (var meter : table.entrySet()) {
            assertThat(metrics.body()).as("/metrics has %s with tags %s", meter.getKey(), meter.getValue())
                    .containsPattern("(?m)^" + meter.getKey() + "(_count|_sum|_max)?\\{" + tagsPattern(meter.getValue()) + "} ");
        }
        // the table's row of the JVM's meters (`jvm_*`, `process_*`, `system_*`): each family is served
        String jvmRow = operations.text().lines().filter(row -> row.startsWith("| `jvm_*`")).findFirst().orElseThrow();
        Matcher family = Pattern.compile("`([a-z_]+)\\*`").matcher(jvmRow);
        int families = 0;
        while (family.find()) {
            families++;
            assertThat(metrics.body()).as("/metrics has a %s* meter, as docs/operations.md's table says", family.group(1))
                    .containsPattern("(?m)^" + family.group(1) + "[a-z_]*[{ ]");
        }
        assertThat(families).isEqualTo(3);
        // and every other meter /metrics serves is of one of those families
        List<String> jvmFamilies = family.reset().results().map(f -> f.group(1)).toList();
        List<String> typed = Pattern.compile("(?m)^# TYPE (\\S+) ").matcher(metrics.body()).results()
                .map(t -> t.group(1)).toList();
        assertThat(typed).contains("jobq_jobs_total", "jvm_memory_used_bytes");
        for (String name : typed) {
            assertThat(name.startsWith("jobq_") || jvmFamilies.stream().anyMatch(name::startsWith))
                    .as("docs/operations.md's metrics table has %s, which /metrics serves, in a row (%s)", name,
                            jvmFamilies)
                    .isTrue();
        }
        // and the other way: no jobq meter on /metrics that the table leaves out
        Matcher onMetrics = Pattern.compile("(?m)^(jobq_[a-z_]+?)(_count|_sum|_max)?\\{").matcher(metrics.body());
        while (onMetrics.find()) {
            assertThat(table).as("docs/operations.md's metrics table lists %s, which /metrics serves", onMetrics.group(1))
                    .containsKey(onMetrics.group(1));
        }

        ILoggingEvent line = outcomeLine(completed).orElseThrow();
        String logged = logbackLayout().doLayout(line).strip();
        String pageLine = operations.block("", "outcome=completed").lines().findFirst().orElseThrow();
        assertThat(logged.replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}", "10:00:01.123")
                .replace(completed, "0192f3c1-…").replace(EmailHandler.TYPE, "invoice:send")
                .replaceFirst("duration=\\S+$", "duration=212ms"))
                .as("the outcome line as docs/operations.md shows it").isEqualTo(pageLine);
        ILoggingEvent deadLine = outcomeLine(dead).orElseThrow();
        String pageDeadLine = operations.block("", "outcome=completed").lines()
                .filter(shownLine -> shownLine.contains("outcome=dead")).findFirst().orElseThrow();
        assertThat(logbackLayout().doLayout(deadLine).strip().replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}", "10:00:03.789")
                .replace(dead, "0192f3c7-…").replace(AlwaysFailingHandler.TYPE, "report:build")
                .replaceFirst("duration=\\S+ ", "duration=3ms "))
                .as("the dead job's outcome line, its error quoted once, as docs/operations.md shows it")
                .isEqualTo(pageDeadLine);

        stop.requestStop();
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    }

    /** The outcome line of this job, if it was logged (read as the appender adds lines: under its lock). */
    private Optional<ILoggingEvent> outcomeLine(String jobId) {
        synchronized (outcomes) {
            return outcomes.list.stream().filter(e -> e.getFormattedMessage().contains("job=" + jobId)).findFirst();
        }
    }

    /** Every field's path in a JSON document, arrays by their first element. */
    private static TreeSet<String> fieldPaths(JsonNode node) {
        var paths = new TreeSet<String>();
        collect(node, "", paths);
        return paths;
    }

    private static void collect(JsonNode node, String prefix, TreeSet<String> paths) {
        if (node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                paths.add(prefix + name);
                collect(node.get(name), prefix + name + ".", paths);
            }
        } else if (node.isArray() && !node.isEmpty()) {
            collect(node.get(0), prefix + "[].", paths);
        }
    }

    /** The metrics table of docs/operations.md: each {@code jobq_*} meter and its tags. */
    private static Map<String, List<String>> metricsTable(Page operations) {
        String text = operations.text().substring(operations.text().indexOf("\n## Metrics\n"));
        Map<String, List<String>> meters = new java.util.LinkedHashMap<>();
        for (String row : text.split("\n")) {
            if (!row.startsWith("| `jobq_")) {
                continue;
            }
            String[] cells = row.split("\\|");
            List<String> tags = new ArrayList<>();
            Matcher tag = Pattern.compile("`([a-z_]+)`").matcher(cells[3]);
            while (tag.find()) {
                tags.add(tag.group(1));
            }
            Matcher name = Pattern.compile("`(jobq_[a-z_]+)`").matcher(cells[1]);
            while (name.find()) {
                meters.put(name.group(1), tags);
            }
        }
        assertThat(meters).hasSizeGreaterThanOrEqualTo(8);
        return meters;
    }

    private static String tagsPattern(List<String> tags) {
        // Prometheus text sorts a meter's tags by name
        return String.join(",", tags.stream().sorted().map(t -> t + "=\"[^\"]*\"").toList());
    }

    /** The layout of the jobq command's own logback.xml (src/main/resources), which the page's lines were written in. */
    private static PatternLayout logbackLayout() throws Exception {
        String xml;
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/logback.xml"))) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher pattern = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
        assertThat(pattern.find()).isTrue();
        var layout = new PatternLayout();
        layout.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        // the file's own conversion words (%oneLine), as its configurator would register them
        Matcher rule = Pattern.compile("<conversionRule conversionWord=\"(\\w+)\" class=\"([\\w.]+)\"/>").matcher(xml);
        while (rule.find()) {
            var converter = Class.forName(rule.group(2)).asSubclass(DynamicConverter.class).getConstructor();
            layout.getInstanceConverterMap().put(rule.group(1), () -> {
                try {
                    return converter.newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        layout.setPattern(pattern.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"));
        layout.start();
        return layout;
    }

    private static void throwFrom(int depth, RuntimeException e) {
        if (depth == 0) {
            throw e;
        }
        throwFrom(depth - 1, e);
    }

    @Test
    void theJarsLogbackPrintsEachExceptionOfATraceWithTheOneFrameItWasThrownAt_asThePageSays() throws Exception {
        assertThat(Page.of("docs/operations.md").text()).contains("`jobq.jar`'s own `logback.xml`\nprints a stack trace "
                + "short (`%ex{short}`): each exception in it, its causes and suppressed ones\nincluded, as its message and "
                + "the one frame it was thrown at");
        var failure = new IllegalStateException("outer", new java.io.IOException("inner"));
        failure.addSuppressed(new RuntimeException("suppressed"));
        RuntimeException thrown = null;
        try {
            throwFrom(5, failure);
        } catch (RuntimeException e) {
            thrown = e;
        }
        var logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.jobq.internal.worker.AttemptRun");
        var event = new ch.qos.logback.classic.spi.LoggingEvent(getClass().getName(), logger,
                ch.qos.logback.classic.Level.WARN, "job failed", thrown, null);

        List<String> lines = logbackLayout().doLayout(event).lines().toList();

        assertThat(lines).anyMatch(l -> l.startsWith("java.lang.IllegalStateException: outer"))
                .anyMatch(l -> l.strip().startsWith("Suppressed: java.lang.RuntimeException: suppressed"))
                .anyMatch(l -> l.startsWith("Caused by: java.io.IOException: inner"));
        assertThat(lines).as("one frame for each of the three exceptions: %s", lines)
                .filteredOn(l -> l.strip().startsWith("at ")).hasSize(3);
    }

    @Test
    void aMissingConfigFileIsNamedAsConfigurationMdShows_andExits2() {
        Path missing = dir.resolve("nowhere/jobq.yaml");
        var run = CommandRun.of("stats", "--config", missing.toString());

        String shown = Page.of("docs/configuration.md").codeAfter("A missing file names its absolute path and how to choose another:\n`");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(shown.replace("/srv/app/jobq.yaml", missing.toAbsolutePath().toString()));
    }

    @Test
    void aConfigProblemExits2WithTheProblemTheExitStatusTableShows() throws Exception {
        String shown = Page.of("docs/operations.md").codeAfter("printed with its key path, e.g. `");
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "worker:\n  concurrency: 0\n");

        var run = CommandRun.of("config", "check", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(shown);
    }
}
