package dev.jobq.examples;

import dev.jobq.Job;
import dev.jobq.JobContext;
import dev.jobq.JobHandler;

/**
 * Handles {@value #TYPE}: works through the report's sections, reports progress after each one
 * (ending at 100) and stops between sections once the attempt is cancelled, as a long handler
 * should. Each section takes {@link ReportRequest#sectionMillis()}; the wait is interruptible, so
 * a timeout or a shutdown ends it at once. Stateless and thread-safe.
 */
public final class ReportHandler implements JobHandler<ReportRequest> {

    public static final String TYPE = "report:generate";

    @Override
    public void handle(Job<ReportRequest> job, JobContext context) throws InterruptedException {
        ReportRequest report = RequiredPayload.of(job, "{\"name\": \"monthly\", \"sections\": 4, \"sectionMillis\": 0}");
        for (int section = 1; section <= report.sections(); section++) {
            context.throwIfCancelled();
            if (report.sectionMillis() > 0) {
                Thread.sleep(report.sectionMillis());
            }
            context.progress(section * 100 / report.sections());
        }
        context.log("report '{}' done: {} sections", report.name(), report.sections());
    }
}
