package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import org.jspecify.annotations.Nullable;

/**
 * {@value #TYPE}: works for the payload's {@code millis} (interruptibly; none for a null payload),
 * then appends its run to the worker's {@link RunLog}. What the drain, kill and scheduler tests
 * count runs with.
 */
public final class RecordModule implements JobHandlerModule {

    public static final String TYPE = "test:record";

    /** The payload. */
    public record Work(long millis) {
    }

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, Work.class, (job, ctx) -> {
            @Nullable Work work = job.payload();
            if (work != null && work.millis() > 0) {
                Thread.sleep(work.millis());
            }
            RunLog.append(ctx.jobId(), ctx.attempt());
        });
    }
}
