package dev.jobq.cli.context;

import dev.jobq.JobQueueBuilder;

/**
 * Turns a builder that a command has set up (config file, environment, class loader, what the
 * command adds) into an open queue. The {@code jobq} process builds; a test can hand every command
 * one shared queue instead, so that what {@code enqueue} put in a memory queue is what
 * {@code stats} then counts.
 */
@FunctionalInterface
public interface QueueOpener {

    QueueSession open(JobQueueBuilder configured);

    /** Builds the queue; the session closes it. */
    static QueueOpener building() {
        return builder -> QueueSession.owning(builder.build());
    }
}
