package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobQueue;
import dev.jobq.JobState;
import dev.jobq.RecurringJobInfo;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet of the checked pages (README.md, docs/configuration.md, operations.md,
 * scheduler.md, sqs.md, testing.md, coming-from.md), taken from the page and compiled against the
 * current API with the declarations the page leaves to the reader; where the page says what the
 * snippet does, the compiled snippet runs and that is checked.
 */
class JavaSnippetsTest {

    private static final String IMPORTS = """
            import static org.assertj.core.api.Assertions.assertThat;
            import dev.jobq.*;
            import dev.jobq.testing.*;
            import dev.jobq.scheduler.jdbc.JdbcSchedulerFactory;
            import java.nio.file.Path;
            import java.time.*;
            import java.util.*;
            import java.util.concurrent.*;
            """;

    /** How each snippet is found on its page; every Java block of the checked pages is exactly one of them. */
    private static final Map<String, Predicate<String>> SNIPPETS = Map.ofEntries(
            // the README's two are taken from the page and run by ReadmeSnippetsTest
            Map.entry("README in your code", t -> t.startsWith("JobQueue jobs = JobQueue.fromConfig(")),
            Map.entry("README standalone", t -> t.startsWith("public final class BillingHandlers implements JobHandlerModule")),
            Map.entry("configuration DataSource", t -> t.contains(".dataSource(dataSource)")),
            // compiled and run on the module path by standalone-worker's ModulePathIT, which reads it from the page
            Map.entry("configuration module-info", t -> t.startsWith("module app {")),
            Map.entry("operations handler module", t -> t.startsWith("package com.example.billing;")),
            Map.entry("scheduler overview", t -> t.contains("jobs.scheduler().registerRecurring(")),
            Map.entry("testing calling the handler", t -> t.startsWith("var handler = new WelcomeEmailHandler(mailer);")),
            Map.entry("testing through a queue", t -> t.startsWith("try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none())")),
            Map.entry("testing settable clock", t -> t.startsWith("var clock = SettableClock.atEpochOf2026();")),
            Map.entry("testing enqueued jobs", t -> t.contains("EnqueuedJobs.recording(jobs)")),
            Map.entry("testing provider conformance", t -> t.contains("extends QueueProviderContract")),
            Map.entry("coming-from email", t -> t.startsWith("record Email(String to, String subject) {}")));

    @TempDir Path dir;

    private static String snippet(String page, String name) {
        return DocPage.of(page).block("java", SNIPPETS.get(name)).text();
    }

    /** A class {@code snippets.Snippet} whose call() runs the snippet after {@code members} are set, then {@code after}. */
    private Object run(String members, String snippet, String after, boolean call) throws Exception {
        String source = IMPORTS + "\npublic class Snippet implements Callable<Object> {\n" + members
                + "\n    public Object call() throws Exception {\n" + snippet.indent(8)
                + (after.isEmpty() ? "        return null;\n" : after.indent(8)) + "    }\n}\n";
        ClassLoader loader = SnippetCompiler.compile(dir, Map.of("snippets/Snippet.java", "package snippets;\n" + source));
        if (!call) {
            return null;
        }
        @SuppressWarnings("unchecked")
        var compiled = (Callable<Object>) loader.loadClass("snippets.Snippet").getConstructor().newInstance();
        return compiled.call();
    }

    @Test
    void everyJavaBlockOfTheCheckedPagesIsOneOfTheSnippetsBelow() {
        for (String name : DocPage.CHECKED) {
            for (DocPage.Block block : DocPage.of(name).blocks("java")) {
                assertThat(SNIPPETS.values().stream().filter(p -> p.test(block.text())).count())
                        .as("%s is checked by exactly one test of JavaSnippetsTest", block).isEqualTo(1);
            }
        }
    }

    @Test
    void configurationsSchedulerOnTheApplicationsDataSource_holdsAScheduledJob() throws Exception {
        Object state = run("""
                    javax.sql.DataSource dataSource = dev.jobq.examples.docs.SnippetFixtures.dataSource();
                """, snippet("docs/configuration.md", "configuration DataSource"), """
                try (jobs) {
                    String id = jobs.scheduler().schedule("report:send", null, Instant.now().plus(Duration.ofDays(1)));
                    return jobs.getJob(id).orElseThrow().state();
                }
                """, true);
        assertThat(state).isEqualTo(JobState.DELAYED);
    }

    @Test
    void operationsHandlerModule_compiles_itsServicesFileNamesIt_andItRunsInvoiceSend() throws Exception {
        DocPage page = DocPage.of("docs/operations.md");
        DocPage.Block module = page.block("java", SNIPPETS.get("operations handler module"));
        DocPage.Block services = page.after(module);
        ClassLoader loader = SnippetCompiler.compile(dir, Map.of(
                "com/example/billing/BillingHandlers.java", module.text(),
                "com/example/billing/Invoice.java", "package com.example.billing;\npublic record Invoice(String number) {}\n",
                "com/example/billing/InvoiceSender.java", """
                        package com.example.billing;
                        public final class InvoiceSender implements dev.jobq.JobHandler<Invoice> {
                            public void handle(dev.jobq.Job<Invoice> job, dev.jobq.JobContext ctx) { }
                        }
                        """));
        Class<?> named = loader.loadClass(services.text().strip());
        assertThat(dev.jobq.JobHandlerModule.class).isAssignableFrom(named);
        var module1 = (dev.jobq.JobHandlerModule) named.getConstructor().newInstance();
        var events = new java.util.concurrent.LinkedBlockingQueue<dev.jobq.JobEvent>();
        try (JobQueue jobs = JobQueue.builder().handlerModules(module1).listener(events::add).build()) {
            jobs.start();
            Object invoice = loader.loadClass("com.example.billing.Invoice").getConstructor(String.class).newInstance("1");
            String id = jobs.enqueue("invoice:send", invoice);
            assertThat(SemanticsSnippetsTest.awaitEvent(events, dev.jobq.JobEvent.Completed.class).jobId()).isEqualTo(id);
        }
    }

    @Test
    void schedulerOverview_holdsTheDelayedAndScheduledJobs_andRegistersTheRecurringOne() throws Exception {
        Object recurring = run("""
                    record Reminder(String to) {}
                    record Report(String name) {}
                    record Digest(String list) {}
                    JobQueue jobs = dev.jobq.examples.docs.SnippetFixtures.queueWithScheduler();
                    Reminder reminder = new Reminder("ada");
                    Report report = new Report("q4");
                    Digest digest = new Digest("all");
                    String id = "0";
                """, snippet("docs/scheduler.md", "scheduler overview"), """
                try (JobQueue queue = jobs) {
                    return queue.scheduler().listRecurring();
                }
                """, true);
        assertThat((List<?>) recurring).singleElement().satisfies(r -> {
            var info = (RecurringJobInfo) r;
            assertThat(info.name()).isEqualTo("daily-digest");
            assertThat(info.schedule()).isEqualTo("0 9 * * *");
            assertThat(info.timezone()).isEqualTo(ZoneId.of("America/New_York"));
        });
    }

    private static final String WELCOME_HANDLER = """
                record Email(String to, String subject) {}
                static final class Mailer {
                    final List<String> sent = new CopyOnWriteArrayList<>();
                    List<String> sent() { return sent; }
                }
                static final class WelcomeEmailHandler implements JobHandler<Email> {
                    final Mailer mailer;
                    WelcomeEmailHandler(Mailer mailer) { this.mailer = mailer; }
                    public void handle(Job<Email> job, JobContext ctx) {
                        ctx.progress(50);
                        mailer.sent.add(job.payload().to());
                        ctx.progress(100);
                    }
                }
                Mailer mailer = new Mailer();
            """;

    @Test
    void testingCallingTheHandler_recordsItsProgress() throws Exception {
        run(WELCOME_HANDLER, snippet("docs/testing.md", "testing calling the handler"), "", true);
    }

    @Test
    void testingThroughAQueue_waitsForTheCompletedJob() throws Exception {
        run(WELCOME_HANDLER + "    JobHandler<Email> handler = new WelcomeEmailHandler(mailer);\n",
                snippet("docs/testing.md", "testing through a queue"), "", true);
    }

    @Test
    void testingSettableClock_compiles() throws Exception {
        // "listener and handler as above" is left to the reader; TestingRecipesTest runs the whole recipe
        run(WELCOME_HANDLER + """
                    record Reminder(String to) {}
                    Reminder reminder = new Reminder("ada");
                    CompletableFuture<JobEvent> outcome = new CompletableFuture<>();
                """, snippet("docs/testing.md", "testing settable clock"), "", false);
    }

    @Test
    void testingEnqueuedJobs_readsTheFollowUpJobsPayload() throws Exception {
        // the snippet's own assertion is what runs: the follow-up job's payload, read back as an Invoice
        run("""
                    record Order(String to, int cents) {}
                    record Invoice(String to, int cents) {}
                    JobHandler<Order> placeOrder = (job, ctx) -> ctx.queue().enqueue("invoice:send",
                            new Invoice(job.payload().to(), job.payload().cents()));
                """, snippet("docs/testing.md", "testing enqueued jobs"), "", true);
    }

    @Test
    void testingProviderConformance_compilesAgainstTheTck_withTheDependencyThePageNames() throws Exception {
        DocPage page = DocPage.of("docs/testing.md");
        DocPage.Block test = page.block("java", SNIPPETS.get("testing provider conformance"));
        // the provider factory is the reader's; here one that builds a memory provider
        ClassLoader loader = SnippetCompiler.compile(dir, Map.of(
                "com/example/acme/AcmeProviderConformanceTest.java", test.text(),
                "com/example/acme/AcmeProviderFactory.java", """
                        package com.example.acme;
                        public final class AcmeProviderFactory implements dev.jobq.spi.QueueProviderFactory {
                            public String type() { return "acme"; }
                            public dev.jobq.spi.QueueProvider create(dev.jobq.spi.ProviderContext context) {
                                return new dev.jobq.memory.MemoryProviderFactory().create(context);
                            }
                        }
                        """));
        Class<?> suite = loader.loadClass("com.example.acme.AcmeProviderConformanceTest");
        assertThat(dev.jobq.tck.QueueProviderContract.class).isAssignableFrom(suite);
        assertThat(java.lang.reflect.Modifier.isAbstract(suite.getModifiers())).as("a suite JUnit can run").isFalse();

        String dependency = page.blocks("xml").stream().map(DocPage.Block::text)
                .filter(t -> t.contains("<artifactId>queue-tck</artifactId>")).findFirst()
                .orElseThrow(() -> new AssertionError("docs/testing.md shows no Maven dependency on queue-tck"));
        String pom = java.nio.file.Files.readString(DocPage.root().resolve("queue-tck/pom.xml"));
        String parent = pom.substring(pom.indexOf("<parent>"), pom.indexOf("</parent>"));
        assertThat(dependency).contains("<groupId>" + tag(parent, "groupId") + "</groupId>",
                "<artifactId>" + tag(pom.substring(pom.indexOf("</parent>")), "artifactId") + "</artifactId>",
                "<version>" + tag(parent, "version") + "</version>", "<scope>test</scope>");
    }

    /** The text of the first {@code <name>} element of {@code xml}. */
    private static String tag(String xml, String name) {
        int start = xml.indexOf("<" + name + ">") + name.length() + 2;
        return xml.substring(start, xml.indexOf("</" + name + ">", start));
    }

    @Test
    @SuppressWarnings("unchecked")
    void comingFromEmail_runsTheHandlerWithTheOptionsItGives() throws Exception {
        // as written on the page: the handler runs for the enqueued job, which carries maxAttempts 5 and timeout 2 min,
        // and hands the mailer the job's id as the idempotency key the page's first point asks for
        Object ran = run("""
                    interface Mailer { void send(Object email, String idempotencyKey); }
                    final Map<String, Object> sent = new ConcurrentHashMap<>();
                    Mailer mailer = (email, key) -> sent.putIfAbsent(key, email);
                    final LinkedBlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
                    final JobQueue jobs = JobQueue.builder().listener(events::add).build();
                """, snippet("docs/coming-from.md", "coming-from email"), """
                try (jobs) {
                    jobs.start();
                    JobEvent event;
                    while (!((event = events.poll(10, TimeUnit.SECONDS)) instanceof JobEvent.Completed)) {
                        if (event == null || event instanceof JobEvent.Failed || event instanceof JobEvent.Dead) {
                            throw new AssertionError("the job did not complete within 10 s: " + event);
                        }
                    }
                    String id = ((JobEvent.Completed) event).jobId();
                    return List.of(sent.toString(), id, jobs.getJob(id).orElseThrow().options());
                }
                """, true);
        String id = (String) ((List<Object>) ran).get(1);
        assertThat((List<Object>) ran).containsExactly("{" + id + "=Email[to=user@example.com, subject=Welcome!]}", id,
                new dev.jobq.JobOptions(5, java.time.Duration.ofMinutes(2), 0, null, "default"));
    }
}
