package dev.jobq.examples.docs;

import static dev.jobq.examples.docs.SemanticsSnippetsTest.awaitEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snippets and mappings of docs/coming-from.md, pasted, and what the text says they do. */
class ComingFromSnippetsTest {
    record Email(String to, String subject) {}
    record Podcast(String title) {}

    @TempDir Path dir;

    @Test
    void theEmailSnippetCarriesItsOptionsAndRuns() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        Map<String, Email> sent = new ConcurrentHashMap<>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
                ctx.log("attempt {} of job {}", ctx.attempt(), job.id());
                sent.putIfAbsent(job.id(), job.payload());     // job.id() as the idempotency key: a rerun mails once
            });
            jobs.start();
            String id = jobs.enqueue("email:send", new Email("user@example.com", "Welcome!"),
                    EnqueueOptions.builder().maxAttempts(5).timeout(Duration.ofMinutes(2)).build());

            assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(id);
            assertThat(sent).containsExactly(Map.entry(id, new Email("user@example.com", "Welcome!")));
            assertThat(jobs.getJob(id).orElseThrow().options())
                    .isEqualTo(new JobOptions(5, Duration.ofMinutes(2), 0, null, "default"));
        }
    }

    @Test
    void theLastRunIsKnownFromTheAttemptAndTheTypesOwnMaxAttempts() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        List<String> lastRuns = new CopyOnWriteArrayList<>();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            // Sidekiq's retry: 1 is maxAttempts(2), set once for the type as sidekiq_options does
            jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
                try {
                    throw new IllegalStateException("smtp down");
                } catch (IllegalStateException e) {
                    if (ctx.attempt() == job.options().maxAttempts()) {
                        lastRuns.add(job.payload().to() + " on attempt " + ctx.attempt());
                    }
                    throw e;
                }
            }, HandlerOptions.defaults().maxAttempts(2));
            jobs.start();
            jobs.enqueue("email:send", new Email("user@example.com", "Welcome!"));

            JobEvent.Dead dead = awaitEvent(events, JobEvent.Dead.class);
            assertThat(dead.attempt()).isEqualTo(2);
            assertThat(lastRuns).containsExactly("user@example.com on attempt 2");
        }
    }

    @Test
    void laravelsOnQueueIsEnqueueOptionsQueue() {
        Podcast podcast = new Podcast("ep. 1");
        try (JobQueue jobs = JobQueue.builder().queue("high", "memory", Map.of()).build()) {
            String id = jobs.enqueue("podcast:process", podcast, EnqueueOptions.queue("high"));
            assertThat(jobs.getJob(id).orElseThrow().queue()).isEqualTo("high");
        }
    }

    @Test
    void laravelsBackoffArrayIsBackoffListWhoseLastRepeats() {
        Backoff backoff = Backoff.list(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(List.of(backoff.delay(1), backoff.delay(2), backoff.delay(3)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @Test
    void theDefaultsTheMappingsName() {
        JobOptions defaults = JobOptions.defaults();
        assertThat(defaults.maxAttempts()).isEqualTo(3);
        assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.priority()).isZero();
        Backoff exponential = Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1));
        assertThat(List.of(exponential.delay(1), exponential.delay(2), exponential.delay(3), exponential.delay(20)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofHours(1));
        Duration withJitter = Backoff.defaultBackoff().delay(3);
        assertThat(withJitter).isBetween(Duration.ofSeconds(4), Duration.ofMillis(4800));
    }

    /**
     * The page's inline jobq code a reader copies (a span as the page writes it → the statement it is in Java,
     * where the span leaves out a receiver or writes … for the rest): every one still on the page, and all of
     * them compiling against the current API.
     */
    @Test
    void theInlineJobqCodeOfThePageCompiles() {
        Map<String, String> spans = new LinkedHashMap<>();
        spans.put("jobs.enqueue(type, payload)", "jobs.enqueue(type, payload);");
        spans.put("jobs.enqueue(type, payload, options)", "jobs.enqueue(type, payload, options);");
        spans.put("enqueueAll(type, payloads)", "jobs.enqueueAll(type, payloads);");
        spans.put("jobs.enqueue(\"hard:job\", payload)", "jobs.enqueue(\"hard:job\", payload);");
        spans.put("jobs.enqueue(\"podcast:process\", podcast, EnqueueOptions.queue(\"high\"))",
                "jobs.enqueue(\"podcast:process\", podcast, EnqueueOptions.queue(\"high\"));");
        spans.put("EnqueueOptions.delay(Duration.ofHours(1))", "EnqueueOptions.delay(Duration.ofHours(1));");
        spans.put("EnqueueOptions.at(instant)", "EnqueueOptions.at(instant);");
        spans.put("jobs.scheduler().schedule(type, payload, instant)", "jobs.scheduler().schedule(type, payload, instant);");
        spans.put("EnqueueOptions.builder().maxAttempts(n)", "EnqueueOptions.builder().maxAttempts(n);");
        spans.put("EnqueueOptions.builder().timeout(d)", "EnqueueOptions.builder().timeout(d);");
        spans.put("Backoff.fixed(d)", "Backoff.fixed(d);");
        spans.put("Backoff.exponential(base, cap)", "Backoff.exponential(base, cap);");
        spans.put("Backoff.none()", "Backoff.none();");
        spans.put("Backoff.list(Duration.ofSeconds(1), Duration.ofSeconds(5), …)",
                "Backoff.list(Duration.ofSeconds(1), Duration.ofSeconds(5));");
        spans.put("registerJobHandler(type, Payload.class, handler, backoff)",
                "jobs.registerJobHandler(type, Payload.class, handler, backoff);");
        spans.put("registerJobHandler(type, Payload.class, handler, HandlerOptions.defaults().maxAttempts(6))",
                "jobs.registerJobHandler(type + 2, Payload.class, handler, HandlerOptions.defaults().maxAttempts(6));");
        spans.put("HandlerOptions.defaults().maxAttempts(n)", "HandlerOptions.defaults().maxAttempts(n).timeout(d).queue(name);");
        spans.put("ctx.attempt() == job.options().maxAttempts()", "boolean last = ctx.attempt() == job.options().maxAttempts();");
        spans.put("jobs.scheduler().registerRecurring(RecurringJob.builder(name, type).schedule(\"0 9 * * *\")…)",
                "jobs.scheduler().registerRecurring(RecurringJob.builder(name, type).schedule(\"0 9 * * *\").build());");
        spans.put("jobs.deadLetters(queue).orElseThrow().redrive(id)", "jobs.deadLetters(queue).orElseThrow().redrive(id);");
        spans.put("jobs.addListener(event -> …)", "jobs.addListener(event -> { });");
        spans.put("jobs.getJob(id)", "jobs.getJob(id);");
        spans.put("ctx.progress(percent)", "ctx.progress(percent);");
        spans.put("ctx.isCancelled()", "ctx.isCancelled();");
        spans.put("job.id()", "job.id();");
        String page = DocPage.of("docs/coming-from.md").text();
        StringBuilder body = new StringBuilder();
        spans.forEach((span, java) -> {
            assertThat(page).as("docs/coming-from.md still shows this code").contains("`" + span + "`");
            body.append("        ").append(java).append('\n');
        });
        SnippetCompiler.compile(dir, Map.of("snippets/Spans.java", """
                package snippets;
                import dev.jobq.*;
                import java.time.*;
                import java.util.List;
                class Spans {
                    record Payload(String text) {}
                    void spans(JobQueue jobs, Job<Payload> job, JobContext ctx, JobHandler<Payload> handler, String type,
                               Object payload, List<?> payloads, EnqueueOptions options, Instant instant, int n, Duration d,
                               Duration base, Duration cap, Backoff backoff, String name, String queue, String id,
                               Object podcast, int percent) {
                %s    }
                }
                """.formatted(body)));
    }
}
