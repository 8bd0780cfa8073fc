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
        var fixed = new AtomicBoolean();
        try (JobQueue jobs = JobQueue.builder().backoff(Backoff.none()).listener(events::add).build()) {
            jobs.registerJobHandler("report:build", Report.class, (job, ctx) -> {
                if (!fixed.get()) {
                    throw new IllegalStateException("not yet");
                }
            });
            jobs.start();
            String jobId = jobs.enqueue("report:build", new Report("q3"), EnqueueOptions.builder().maxAttempts(2).build());
            var heard = new java.util.ArrayList<JobEvent>(); // what this one listener heard, in its order
            heard.add(awaitEvent(events, JobEvent.Dead.class, heard::add));
            assertThat(jobs.getJob(jobId).orElseThrow().state()).isEqualTo(JobState.DEAD);

            fixed.set(true);
            assertThat(jobs.deadLetters("default").orElseThrow().redrive(jobId)).isTrue();

            JobEvent.Completed completed = awaitEvent(events, JobEvent.Completed.class, heard::add);
            assertThat(completed.jobId()).isEqualTo(jobId);
            assertThat(completed.attempt()).as("a fresh set of attempts").isEqualTo(1);
            // An Enqueued is announced once the job is on its queue, and a worker may run the job (to its Dead, even)
            // before it is heard (JobEvent's javadoc): the redrive's is told from the first enqueue's by counting them,
            // not by where they fall (events after the Dead held the first one's Enqueued, 45 in 300 rounds).
            while (heard.stream().filter(JobEvent.Enqueued.class::isInstance).count() < 2) {
                heard.add(awaitEvent(events, JobEvent.Enqueued.class, heard::add));
            }
            assertThat(heard).filteredOn(JobEvent.Enqueued.class::isInstance).as("the enqueue's and the redrive's")
                    .hasSize(2).allSatisfy(e -> assertThat(((JobEvent.Enqueued) e).jobId()).isEqualTo(jobId));
        }
    }

    static <E extends JobEvent> E awaitEvent(LinkedBlockingQueue<JobEvent> events, Class<E> type) throws InterruptedException {
        return awaitEvent(events, type, skipped -> { });
    }

    /** The next event of {@code type}, handing each other event taken before it to {@code skipped}. */
    static <E extends JobEvent> E awaitEvent(LinkedBlockingQueue<JobEvent> events, Class<E> type,
                                             java.util.function.Consumer<JobEvent> skipped) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JobEvent e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (type.isInstance(e)) {
                return type.cast(e);
            }
            if (e != null) {
                skipped.accept(e);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
    }
}
