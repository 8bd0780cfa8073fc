package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import java.time.Duration;

/**
 * {@value #TYPE}: logs "gated work started" through the job's context, then works until the test
 * opens the payload's {@linkplain Gate gate} (at most ten minutes; interruptibly, as a well-behaved
 * long handler does) and logs "gated work done". A gate the test never opens makes a job that
 * outlasts any shutdown timeout. Shipped to child processes in a jar built by the test
 * ({@link dev.jobq.cli.process.JarBuilder}); no service file names it on the test class path.
 */
public final class GatedModule implements JobHandlerModule {

    public static final String TYPE = "test:gated";
    private static final Duration LONGEST = Duration.ofMinutes(10);

    /** The payload: the name of the gate the job waits for. */
    public record Gated(String gate) {
    }

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, Gated.class, (job, ctx) -> {
            ctx.log("gated work started: gate {}", job.payload().gate());
            if (!Gate.awaitOpen(job.payload().gate(), LONGEST)) {
                throw new IllegalStateException("gate " + job.payload().gate() + " stayed shut for " + LONGEST);
            }
            ctx.log("gated work done");
        });
    }
}
