package dev.jobq.examples;

import dev.jobq.Job;
import dev.jobq.JobContext;
import dev.jobq.JobHandler;
import java.io.IOException;

/**
 * Handles {@value #TYPE}: attempts 1 to {@link FlakyCall#failures()} throw an {@link IOException}
 * as a flaky remote service would, the next one succeeds. A job with {@code failures} below its
 * {@code maxAttempts} completes after that many retries; one with as many or more (every attempt fails) ends in
 * the dead letters.
 * The outcome depends only on the attempt number, so a run is reproducible. Stateless and thread-safe.
 */
public final class FlakyHandler implements JobHandler<FlakyCall> {

    public static final String TYPE = "flaky:call";

    @Override
    public void handle(Job<FlakyCall> job, JobContext context) throws IOException {
        FlakyCall call = RequiredPayload.of(job, "{\"endpoint\": \"https://api.example.com\", \"failures\": 2}");
        if (context.attempt() <= call.failures()) {
            throw new IOException("connection reset by " + call.endpoint() + " (simulated failure "
                    + context.attempt() + " of " + call.failures() + ")");
        }
        context.log("{} answered on attempt {}", call.endpoint(), context.attempt());
    }
}
