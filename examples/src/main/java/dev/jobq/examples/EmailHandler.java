package dev.jobq.examples;

import dev.jobq.Job;
import dev.jobq.JobContext;
import dev.jobq.JobHandler;
import java.util.concurrent.atomic.LongAdder;

/**
 * Handles {@value #TYPE}: "sends" an {@link Email} by logging it, and counts what it sent. Quick and
 * always successful, the plain job of the demo. Thread-safe.
 */
public final class EmailHandler implements JobHandler<Email> {

    public static final String TYPE = "email:send";

    private final LongAdder sent = new LongAdder();

    @Override
    public void handle(Job<Email> job, JobContext context) {
        Email email = RequiredPayload.of(job, "{\"to\": \"user@example.com\", \"subject\": \"Welcome!\"}");
        context.log("sending '{}' to {}", email.subject(), email.to());
        sent.increment();
    }

    /** Emails sent by this handler so far; a redelivered job counts again (delivery is at least once). */
    public long sent() {
        return sent.sum();
    }
}
