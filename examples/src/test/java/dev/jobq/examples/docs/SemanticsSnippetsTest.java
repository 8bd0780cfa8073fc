package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.Backoff;
import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobOptions;
import dev.jobq.JobQueue;
import dev.jobq.JobState;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The snippets of docs/semantics.md, pasted, and what the text says they do. */
class SemanticsSnippetsTest {
    record Report(String name) {}

    static final class ReportBuilder implements JobHandler<Report> {
        @Override
        public void handle(dev.jobq.Job<Report> job, dev.jobq.JobContext ctx) {
        }
    }

    @Test
    void aJobTypesOwnDefaultsApplyWhereTheEnqueueLeavesThemUnset() {
        Report report = new Report("q3");
        try (JobQueue registry = JobQueue.builder().queue("reports", "memory", Map.of()).build()) {
            JobQueue jobs = registry;
            registry.registerJobHandler("report:build", Report.class, new ReportBuilder(), HandlerOptions.defaults()
                    .maxAttempts(5).timeout(Duration.ofMinutes(10)).queue("reports").backoff(Backoff.fixed(Duration.ofMinutes(1))));
            String first = jobs.enqueue("report:build", report);                                   // 5 attempts, 10 min, queue reports
            String second = jobs.enqueue("report:build", report, EnqueueOptions.builder().maxAttempts(1).build());  // 1 attempt, 10 min, reports

            assertThat(jobs.getJob(first).orElseThrow().options())
                    .isEqualTo(new JobOptions(5, Duration.ofMinutes(10), 0, null, "reports"));
            assertThat(jobs.getJob(second).orElseThrow().options())
                    .isEqualTo(new JobOptions(1, Duration.ofMinutes(10), 0, null, "reports"));
        }
    }

    @Test
    void aDeadJobIsRedrivenWithAFreshSetOfAttempts() throws Exception {
        var events = new LinkedBlockingQueue<JobEvent>();
        var seen = new java.util.concurrent.CopyOnWriteArrayList<JobEvent>();
        var fixed = new AtomicBoolean();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).listener(seen::add).build()) {
            jobs.registerJobHandler("report:build", Report.class, (job, ctx) -> {
                if (!fixed.get()) {
                    throw new IllegalStateException("not yet");
                }
            });
            jobs.start();
            String jobId = jobs.enqueue("report:build", new Report("q3"), EnqueueOptions.builder().maxAttempts(2).build());
            awaitEvent(events, JobEvent.Dead.class);
            assertThat(jobs.getJob(jobId).orElseThrow().state()).isEqualTo(JobState.DEAD);

            fixed.set(true);
            assertThat(jobs.deadLetters("default").orElseThrow().redrive(jobId)).isTrue();

            JobEvent.Completed completed = awaitEvent(events, JobEvent.Completed.class);
            assertThat(completed.jobId()).isEqualTo(jobId);
            assertThat(completed.attempt()).as("a fresh set of attempts").isEqualTo(1);
            assertThat(afterRedrive(seen)).anySatisfy(e -> assertThat(e).isInstanceOf(JobEvent.Enqueued.class));
        }
    }

    private static java.util.List<JobEvent> afterRedrive(java.util.List<JobEvent> all) {
        // A snapshot: the listener may still be adding the Completed, and a live list's subList then threw
        // ConcurrentModificationException when the assertion iterated it.
        java.util.List<JobEvent> seen = java.util.List.copyOf(all);
        int dead = 0;
        while (!(seen.get(dead) instanceof JobEvent.Dead)) {
            dead++;
        }
        return seen.subList(dead + 1, seen.size());
    }

    static <E extends JobEvent> E awaitEvent(LinkedBlockingQueue<JobEvent> events, Class<E> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JobEvent e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
    }
}
