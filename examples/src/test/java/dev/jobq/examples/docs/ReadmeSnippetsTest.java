package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobHandlerModule;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two Java snippets, taken from the page and run as written (but for the config file's path, which
 * the page gives relative to the working directory, and the closing line, run once what the page says is checked),
 * with the config the README's text around them names, and the handler module its "With SQS" section has the reader
 * compile. A snippet that no longer does what the page says fails here.
 */
class ReadmeSnippetsTest {

    private static final String CONFIG = "Path.of(\"jobq.yaml\")";

    /** How the README's "In your code" snippet starts. */
    private static final String IN_YOUR_CODE = "JobQueue jobs = JobQueue.fromConfig(";

    @TempDir Path dir;

    /** The README's block that starts with {@code start}, its config path pointing at {@code yaml}. */
    private static String snippet(String start, Path yaml) {
        String text = DocPage.of("README.md").block("java", t -> t.startsWith(start)).text();
        assertThat(text).as("the README's snippet reads the config file %s", CONFIG).containsOnlyOnce(CONFIG);
        return text.replace(CONFIG, "Path.of(\"" + yaml.toString().replace("\\", "\\\\") + "\")");
    }

    /** The inline code span of the README's prose that {@code pattern} (one group) finds. */
    private static String prose(String pattern) {
        Matcher found = Pattern.compile(pattern).matcher(DocPage.of("README.md").text());
        assertThat(found.find()).as("the README's text still says %s", pattern).isTrue();
        return found.group(1);
    }

    /** The body of the README's {@code cat > FILE <<'EOF'} here-document, with its final newline. */
    private static String heredoc(String file) {
        String text = DocPage.of("README.md").text();
        String opening = "cat > " + file + " <<'EOF'\n";
        int start = text.indexOf(opening);
        assertThat(start).as("README.md has a line '%s'", opening.strip()).isNotNegative();
        start += opening.length();
        return text.substring(start, text.indexOf("\nEOF\n", start) + 1);
    }

    /** Compiles {@code members} and {@code body} as the {@code call()} of a class, runs it and returns what it returns. */
    private Object run(String members, String body) throws Exception {
        String source = """
                package snippets;
                import dev.jobq.*;
                import java.nio.file.Path;
                import java.time.*;
                import java.util.*;
                import java.util.concurrent.*;
                public class Snippet implements Callable<Object> {
                %s
                    public Object call() throws Exception {
                %s    }
                }
                """.formatted(members.indent(4), body.indent(8));
        ClassLoader loader = SnippetCompiler.compile(dir, Map.of("snippets/Snippet.java", source));
        return ((Callable<?>) loader.loadClass("snippets.Snippet").getConstructor().newInstance()).call();
    }

    @Test
    void inYourCode_sendsTheEmails_holdsTheDelayedOne_andGivesReportsTheirTypesDefaults() throws Exception {
        // "The `reports` queue must exist (`queues: {reports: {type: memory}}` in `jobq.yaml`, …)"
        Path yaml = Files.writeString(dir.resolve("jobq.yaml"), prose("queue must exist \\(`([^`]+)` in `jobq\\.yaml`") + "\n");
        runInYourCode(snippet(IN_YOUR_CODE, yaml));
    }

    @Test
    void inYourCode_withTheBuilderTheTextOffersInPlaceOfTheFile_runsAsWithTheFile() throws Exception {
        // "… in `jobq.yaml`, or `JobQueue.builder().queue("reports", "memory", Map.of())`)": the same snippet, its
        // queue built in code with the text's call rather than read from a file
        String builder = prose("in `jobq\\.yaml`, or\\s+`(JobQueue\\.builder\\(\\)[^`]+)`\\)");
        String text = DocPage.of("README.md").block("java", t -> t.startsWith(IN_YOUR_CODE)).text();
        String fromConfig = "JobQueue.fromConfig(" + CONFIG + ")";
        assertThat(text).as("the README's snippet builds its queue with %s", fromConfig).containsOnlyOnce(fromConfig);
        runInYourCode(text.replace(fromConfig, builder + ".build()"));
    }

    /** Runs the README's "In your code" snippet {@code text} and checks what the page says it does. */
    private void runInYourCode(String text) throws Exception {
        int close = text.lastIndexOf("jobs.close();");
        assertThat(close).as("the snippet ends by closing the queue").isPositive();
        assertThat(text.substring(close).lines().count()).as("nothing after jobs.close()").isEqualTo(1);

        Object ran = run("""
                record Email(String to, String subject) {}
                record Report(String name) {}
                interface Mailer { void send(Email email); }
                final List<Email> sent = new CopyOnWriteArrayList<>();
                final Mailer mailer = sent::add;
                final JobHandler<Report> reports = (job, ctx) -> { };
                final Email later = new Email("later@example.com", "In five minutes");
                final List<Email> newsletter = List.of(new Email("a@example.com", "News"), new Email("b@example.com", "News"));
                """, text.substring(0, close) + "return List.of(jobs, sent);\n");
        JobQueue jobs = (JobQueue) ((List<?>) ran).get(0);
        List<?> sent = (List<?>) ((List<?>) ran).get(1);
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sent).extracting(Object::toString)
                    .containsExactlyInAnyOrder("Email[to=user@example.com, subject=Welcome!]",
                            "Email[to=a@example.com, subject=News]", "Email[to=b@example.com, subject=News]"));
            assertThat(jobs.stats("default").delayed()).as("the email enqueued with a 5-minute delay waits").isEqualTo(1);
            String report = jobs.enqueue("report:build", null, EnqueueOptions.delay(Duration.ofHours(1)));
            assertThat(jobs.getJob(report).orElseThrow().options()).as("report:build's own defaults")
                    .isEqualTo(new JobOptions(5, Duration.ofMinutes(10), 0, null, "reports"));
        } finally {
            jobs.close();
        }
    }

    @Test
    void standalone_theApplicationRegistersTheModulesTypes_andItsJobWaitsForAWorker() throws Exception {
        // "in the application, which only enqueues (worker.mode: standalone in its jobq.yaml)"
        String mode = prose("\\((worker\\.mode: standalone) in its jobq\\.yaml\\)");
        Path yaml = Files.writeString(dir.resolve("jobq.yaml"), "worker:\n  " + mode.substring("worker.".length()) + "\n");
        String text = snippet("public final class BillingHandlers implements JobHandlerModule", yaml);
        int application = text.indexOf("// in the application");
        assertThat(application).as("the README's snippet has the module, then the application's lines").isPositive();

        Object ran = run("""
                record Invoice(String number) {}
                static final class InvoiceSender implements JobHandler<Invoice> {
                    public void handle(Job<Invoice> job, JobContext ctx) { }
                }
                final Invoice invoice = new Invoice("2026-001");
                """ + text.substring(0, application).replace("public final class", "public static final class"),
                text.substring(application) + "return jobs;\n");
        try (JobQueue jobs = (JobQueue) ran) {
            assertThat(jobs.registeredTypes()).as("the module's types, registered in the application too")
                    .containsExactly("invoice:send");
            assertThat(jobs.stats("default").waiting()).as("the invoice waits for a jobq run worker").isEqualTo(1);
        }
    }

    @Test
    void withSqs_theHelloHandlersModule_greets_andAJobWithoutAPayloadIsDeadAtOnceNamingThePayloadToGive() throws Exception {
        // the README's enqueue is `jobq enqueue hello:greet --payload '{"name": "Ada"}'`; without --payload the
        // handler is given null, and no attempt can succeed
        ClassLoader loader = SnippetCompiler.compile(dir,
                Map.of("hello/HelloHandlers.java", heredoc("/tmp/jobq-sqs/src/hello/HelloHandlers.java")));
        var module = (JobHandlerModule) loader.loadClass("hello.HelloHandlers").getConstructor().newInstance();
        Object ada = loader.loadClass("hello.HelloHandlers$Greeting").getConstructor(String.class).newInstance("Ada");
        var events = new LinkedBlockingQueue<JobEvent>();
        try (JobQueue jobs = JobQueue.builder().handlerModules(module).listener(events::add).build()) {
            jobs.start();
            String greeted = jobs.enqueue("hello:greet", ada);
            assertThat(SemanticsSnippetsTest.awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(greeted);

            String id = jobs.enqueue("hello:greet", null);
            JobEvent.Dead dead = SemanticsSnippetsTest.awaitEvent(events, JobEvent.Dead.class, skipped ->
                    assertThat(skipped).as("the job without a payload is not retried").isNotInstanceOf(JobEvent.Failed.class));
            assertThat(dead.jobId()).isEqualTo(id);
            assertThat(dead.attempt()).as("dead on its first attempt").isEqualTo(1);
            assertThat(dead.error()).as("the error names the job, and the payload to give as the fix")
                    .contains("job " + id + " of type 'hello:greet' has no payload")
                    .contains("--payload '{\"name\": \"Ada\"}'");
        }
    }
}
