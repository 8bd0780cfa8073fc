package dev.jobq.examples;

import dev.jobq.JobHandlerRegistry;
import java.util.List;

/**
 * Registers every example handler on a queue (or any {@link JobHandlerRegistry}), as the demo and
 * {@link ExampleHandlerModule} do:
 *
 * <pre>{@code
 * JobQueue jobs = JobQueue.builder().provider("memory").build();
 * DemoHandlers.registerAll(jobs);
 * jobs.enqueue(FlakyHandler.TYPE, new FlakyCall("https://api.example.com", 2));
 * }</pre>
 */
public final class DemoHandlers {

    /** The job types {@link #registerAll(JobHandlerRegistry)} registers. */
    public static final List<String> TYPES =
            List.of(EmailHandler.TYPE, FlakyHandler.TYPE, AlwaysFailingHandler.TYPE, ReportHandler.TYPE);

    private DemoHandlers() {
    }

    /** Registers a fresh instance of each example handler for its type. */
    public static void registerAll(JobHandlerRegistry registry) {
        registry.registerJobHandler(EmailHandler.TYPE, Email.class, new EmailHandler());
        registry.registerJobHandler(FlakyHandler.TYPE, FlakyCall.class, new FlakyHandler());
        registry.registerJobHandler(AlwaysFailingHandler.TYPE, FailingTask.class, new AlwaysFailingHandler());
        registry.registerJobHandler(ReportHandler.TYPE, ReportRequest.class, new ReportHandler());
    }
}
