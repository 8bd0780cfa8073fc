package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobContext;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import dev.jobq.JobInfo;
import dev.jobq.JobQueue;
import dev.jobq.JobState;
import dev.jobq.testing.TestJobContext;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A handler enqueues follow-up jobs through {@link JobContext#queue()}: the only way for a handler a
 * {@link JobHandlerModule} registers, as under {@code jobq run}, which never sees the worker's queue.
 */
class FollowUpJobsTest {

    record Order(String id) {
    }

    /** Places an order, then enqueues its invoice in the same queue with the same trace id. */
    static final class PlaceOrder implements JobHandler<Order> {
        @Override
        public void handle(dev.jobq.Job<Order> job, JobContext ctx) {
            EnqueueOptions.Builder options = EnqueueOptions.builder();
            ctx.traceId().ifPresent(options::traceId);
            ctx.queue().enqueue("invoice:send", job.payload(), options.build());
        }
    }

    static final List<String> INVOICED = new CopyOnWriteArrayList<>();

    public static final class Shop implements JobHandlerModule {
        @Override
        public void register(JobHandlerRegistry registry) {
            registry.registerJobHandler("order:place", Order.class, new PlaceOrder());
            registry.registerJobHandler("invoice:send", Order.class, (job, ctx) -> INVOICED.add(job.payload().id()
                    + " " + ctx.traceId().orElse("-")));
        }
    }

    @Test
    @DisplayName("a module's handler enqueues a follow-up job in the queue it runs in, which runs it")
    void aModulesHandlerEnqueuesAFollowUp() {
        var events = new EventRecorder();
        try (JobQueue jobs = JobQueue.builder().handlerModules(new Shop()).listener(events).build()) {
            jobs.start();

            jobs.enqueue("order:place", new Order("o-1"), EnqueueOptions.builder().traceId("trace-7").build());

            events.awaitCount(JobEvent.Completed.class, 2);
            assertThat(events.all(JobEvent.Completed.class)).extracting(JobEvent.Completed::type)
                    .containsExactlyInAnyOrder("order:place", "invoice:send");
            assertThat(INVOICED).containsExactly("o-1 trace-7");
        }
    }

    @Test
    @DisplayName("a handler called with a TestJobContext enqueues into the queue the test gives it")
    void aTestJobContextTakesAQueue() throws Exception {
        try (JobQueue jobs = JobQueue.builder().build()) {
            jobs.registerJobHandler("invoice:send", Order.class, (job, ctx) -> { });
            var ctx = TestJobContext.of("job-1", 1).withTraceId("trace-8").withQueue(jobs);

            new PlaceOrder().handle(new dev.jobq.Job<>("job-1", "order:place", new Order("o-2"), 1,
                    dev.jobq.JobOptions.defaults(), java.time.Instant.now(), null), ctx);

            assertThat(jobs.stats("default").waiting()).isEqualTo(1);
        }
        assertThatThrownBy(() -> TestJobContext.of("job-2", 1).queue())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("give it one with withQueue(jobs)");
        JobContext fake = new JobContext() {
            public String jobId() { return "j"; }
            public int attempt() { return 1; }
            public void log(String format, Object... args) { }
            public void progress(int percent) { }
            public boolean isCancelled() { return false; }
        };
        assertThatThrownBy(fake::queue).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("has no queue; in a test use dev.jobq.testing.TestJobContext.withQueue(jobs)");
    }
}
