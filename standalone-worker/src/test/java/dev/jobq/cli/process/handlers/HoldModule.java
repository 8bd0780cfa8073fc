package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;

/**
 * {@value #TYPE}: logs "hold started on attempt N", then holds the job for ten minutes
 * (interruptibly) — unless the process has {@value #RELEASE_ENV}{@code =yes} in its environment,
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
                Thread.sleep(600_000);
            }
            RunLog.append(ctx.jobId(), ctx.attempt());
        });
    }
}
