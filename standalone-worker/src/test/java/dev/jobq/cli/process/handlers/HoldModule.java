package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@value #TYPE}: logs "hold started on attempt N", then holds the job until its thread is
 * interrupted (its attempt released at shutdown; at most ten minutes) — unless the process has {@value #RELEASE_ENV}{@code =yes} in its environment,
 * where it appends its run to the worker's {@link RunLog} and returns at once. A test starts one
 * worker that holds jobs and is then killed or stopped, and a second worker, with the variable,
 * that finishes them.
 */
public final class HoldModule implements JobHandlerModule {

    public static final String TYPE = "test:hold";
    public static final String RELEASE_ENV = "JOBQ_TEST_FINISH_HELD_JOBS";

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, String.class, (job, ctx) -> {
            ctx.log("hold started on attempt {}", ctx.attempt());
            if (!"yes".equals(System.getenv(RELEASE_ENV))) {
                // Nothing counts this down: the wait ends with the interrupt that releases the attempt.
                if (!new CountDownLatch(1).await(10, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("held for ten minutes and never released");
                }
            }
            RunLog.append(ctx.jobId(), ctx.attempt());
        });
    }
}
