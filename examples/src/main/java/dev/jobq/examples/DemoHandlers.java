package dev.jobq.examples;

import dev.jobq.JobQueue;
import java.util.List;

/**
 * Registers every example handler on a queue, as the demo and the process-level tests do:
 *
 * <pre>{@code
 * JobQueue jobs = JobQueue.builder().provider("memory").build();
 * DemoHandlers.registerAll(jobs);
 * jobs.enqueue(FlakyHandler.TYPE, new FlakyCall("https://api.example.com", 2));
 * }</pre>
 */
public final class DemoHandlers {

    /** The job types {@link #registerAll(JobQueue)} registers. */
    public static final List<String> TYPES =
            List.of(EmailHandler.TYPE, FlakyHandler.TYPE, AlwaysFailingHandler.TYPE, ReportHandler.TYPE);

    private DemoHandlers() {
    }

    /** Registers a fresh instance of each example handler for its type. */
    public static void registerAll(JobQueue jobs) {
        jobs.registerJobHandler(EmailHandler.TYPE, Email.class, new EmailHandler());
        jobs.registerJobHandler(FlakyHandler.TYPE, FlakyCall.class, new FlakyHandler());
        jobs.registerJobHandler(AlwaysFailingHandler.TYPE, FailingTask.class, new AlwaysFailingHandler());
        jobs.registerJobHandler(ReportHandler.TYPE, ReportRequest.class, new ReportHandler());
    }
}
