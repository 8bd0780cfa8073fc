package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;

/**
 * {@value #TYPE}: logs "exiting on attempt N" and calls {@code System.exit(}{@value #STATUS}{@code )}:
 * a handler that stops every worker that runs it, as one that hits a fatal library call does.
 */
public final class ExitModule implements JobHandlerModule {

    public static final String TYPE = "test:exit";
    public static final int STATUS = 3;

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, Object.class, (job, ctx) -> {
            ctx.log("exiting on attempt {}", ctx.attempt());
            System.exit(STATUS);
        });
    }
}
