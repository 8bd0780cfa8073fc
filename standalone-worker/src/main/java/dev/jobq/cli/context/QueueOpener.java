package dev.jobq.cli.context;

import dev.jobq.JobQueueBuilder;

/**
 * Turns a builder that a command has set up (config file, environment, class loader, what the
 * command adds) into an open queue. The {@code jobq} process builds; a test can hand every command
 * one shared queue instead, so that what {@code enqueue} put in a memory queue is what
 * {@code stats} then counts.
 *
 * <p>The commands that only read or change the scheduler's store ({@code schedule list|cancel},
 * {@code recurring list|enable|disable|delete}) open no queue and so do not come here: they open the
 * store the file's {@code scheduler:} section names, whose database keeps what one command wrote for
 * the next, as separate {@code jobq} invocations need. Their tests run them that way, on an H2 file
 * ({@code SchedulerCommandsTest}) and as child processes on PostgreSQL ({@code SchedulerProcessIT}).
 */
@FunctionalInterface
public interface QueueOpener {

    QueueSession open(JobQueueBuilder configured);

    /** Builds the queue; the session closes it. */
    static QueueOpener building() {
        return builder -> QueueSession.owning(builder.build());
    }
}
