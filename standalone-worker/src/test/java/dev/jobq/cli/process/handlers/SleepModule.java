package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;

/**
 * {@value #TYPE}: logs "sleep started" through the job's context, then sleeps for the payload's
 * {@code millis} (interruptibly, as a well-behaved long handler does). Shipped to child processes
 * in a jar built by the test ({@link dev.jobq.cli.process.JarBuilder}); no service file names it
 * on the test class path.
 */
public final class SleepModule implements JobHandlerModule {

    public static final String TYPE = "test:sleep";

    /** The payload. */
    public record Sleep(long millis) {
    }

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, Sleep.class, (job, ctx) -> {
            ctx.log("sleep started: {} ms", job.payload().millis());
            Thread.sleep(job.payload().millis());
            ctx.log("sleep done");
        });
    }
}
