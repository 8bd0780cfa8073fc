package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;

/**
 * {@value #TYPE}: appends its run to the worker's {@link RunLog} and returns; its payload, if any, is
 * not read. What the drain, kill and scheduler tests count runs with.
 */
public final class RecordModule implements JobHandlerModule {

    public static final String TYPE = "test:record";

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, Object.class, (job, ctx) -> RunLog.append(ctx.jobId(), ctx.attempt()));
    }
}
