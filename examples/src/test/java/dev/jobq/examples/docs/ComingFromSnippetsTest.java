package dev.jobq.examples.docs;

import static dev.jobq.examples.docs.SemanticsSnippetsTest.awaitEvent;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** The snippets and mappings of docs/coming-from.md, pasted, and what the text says they do. */
class ComingFromSnippetsTest {
    record Email(String to, String subject) {}
    record Podcast(String title) {}

    @Test
    void theEmailSnippetCarriesItsOptionsAndRuns() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        List<Email> sent = new CopyOnWriteArrayList<>();
        try (JobQueue jobs = JobQueue.builder().listener(events::add).build()) {
            jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
                ctx.log("attempt {} of job {}", ctx.attempt(), job.id());
                sent.add(job.payload());                       // safe to run twice for one job id
            });
            jobs.start();
            String id = jobs.enqueue("email:send", new Email("user@example.com", "Welcome!"),
                    EnqueueOptions.builder().maxAttempts(5).timeout(Duration.ofMinutes(2)).build());

            assertThat(awaitEvent(events, JobEvent.Completed.class).jobId()).isEqualTo(id);
            assertThat(sent).containsExactly(new Email("user@example.com", "Welcome!"));
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
}
