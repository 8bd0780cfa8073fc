package dev.jobq.examples;

import dev.jobq.Job;
import dev.jobq.JobContext;
import dev.jobq.JobHandler;

/**
 * Handles {@value #TYPE}: every attempt throws an {@link IllegalStateException} with the task's
 * reason, so the job uses all its attempts and ends in the dead letters with that error. It throws
 * an ordinary exception on purpose, not {@link dev.jobq.NonRetryableJobException}, to show the
 * retries. Stateless and thread-safe.
 */
public final class AlwaysFailingHandler implements JobHandler<FailingTask> {

    public static final String TYPE = "always:fails";

    @Override
    public void handle(Job<FailingTask> job, JobContext context) {
        throw new IllegalStateException(RequiredPayload.of(job, "{\"reason\": \"the printer is on fire\"}").reason());
    }
}
